/** @module emulator/storage/service — cloud storage's lifecycle: its file store opened on start. */
import { requireStarted, type EmulatorService, type ServiceInfo } from '../types'
import { createStorage, type Storage, type StorageOptions } from './index'

export class StorageService implements EmulatorService {
  readonly name = 'storage'
  private started?: Storage

  constructor(private readonly opts: StorageOptions) {}

  get storage(): Storage {
    return requireStarted(this.started, this.name)
  }

  async start(): Promise<void> {
    this.started = createStorage(this.opts)
  }

  /** Files are written as they arrive: nothing is left to flush. */
  async stop(): Promise<void> {}

  info(): ServiceInfo {
    return { name: this.name, url: `${this.opts.baseUrl()}/storage` }
  }
}
