/** @module emulator/store — document store: mingo evaluates, an append-only log persists. */
export { openStore } from './store'
export { StoreError } from './types'
export { isPlain } from './query'
export type {
  Doc,
  DocumentStore,
  FindOptions,
  OpenStoreOptions,
  StoreErrorCode,
  Transaction,
  UpdateOptions,
  UpdateResult,
  UpdateSpec,
  WriteOp,
} from './types'
