/**
 * @module emulator/tcb/database — the `database.*` actions of the `/admin` endpoint.
 */
import type { DocumentStore } from '../../store'
import { systemClock, type ActionTable, type Clock } from '../../types'
import { readActions } from './read'
import { transactionActions } from './transactions'
import { writeActions } from './write'

export interface DatabaseActionsOptions {
  clock?: Clock
  /**
   * Let calls on a missing collection through (a write creates it) instead of failing with
   * -502005 as CloudBase does (default false). Each such collection is named once to `warn`.
   */
  autoCreateCollections?: boolean
  /** Where auto-creation warnings go (default console.warn). */
  warn?: (line: string) => void
}

export function createDatabaseActions(store: DocumentStore, opts: DatabaseActionsOptions = {}): ActionTable {
  const db = {
    store,
    clock: opts.clock ?? systemClock,
    autoCreateCollections: opts.autoCreateCollections ?? false,
    warn: opts.warn ?? ((line: string) => console.warn(line)),
    warned: new Set<string>(),
  }
  return { ...readActions(db), ...writeActions(db), ...transactionActions(db) }
}
