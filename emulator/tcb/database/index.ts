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
  /** Create a collection on first write instead of failing with -502005 (default true). */
  autoCreateCollections?: boolean
}

export function createDatabaseActions(store: DocumentStore, opts: DatabaseActionsOptions = {}): ActionTable {
  const db = { store, clock: opts.clock ?? systemClock, autoCreateCollections: opts.autoCreateCollections ?? true }
  return { ...readActions(db), ...writeActions(db), ...transactionActions(db) }
}
