/**
 * @module emulator/store/service — the document store's lifecycle: opened (its damage
 * reported, the project's collections created) on start, closed on stop.
 */
import { requireStarted, type Clock, type EmulatorService, type ServiceInfo } from '../types'
import { openStore, type DocumentStore } from './index'

export interface StoreServiceOptions {
  /** Persist under this directory; memory only without it. */
  dataDir?: string
  fresh?: boolean
  clock: Clock
  /** Collections created when missing, read at start (a deployed project has them). */
  collections: () => string[]
  /** Where damage found in `store.log` is reported: data loss, not progress, so never silenced. */
  warn: (line: string) => void
}

export class StoreService implements EmulatorService {
  readonly name = 'store'
  private opened?: DocumentStore

  constructor(private readonly opts: StoreServiceOptions) {}

  get store(): DocumentStore {
    return requireStarted(this.opened, this.name)
  }

  async start(): Promise<void> {
    const store = (this.opened = await openStore({ dataDir: this.opts.dataDir, fresh: this.opts.fresh, clock: this.opts.clock }))
    for (const line of store.recovery?.report ?? []) this.opts.warn(line)
    // As a deployed project has them: created once, then kept in the log like any other.
    for (const c of this.opts.collections()) if (!store.hasCollection(c)) await store.createCollection(c)
  }

  async stop(): Promise<void> {
    await this.opened?.close()
  }

  info(): ServiceInfo {
    return { name: this.name, address: this.opts.dataDir ?? 'memory' }
  }
}
