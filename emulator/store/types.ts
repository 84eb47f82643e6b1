/**
 * @module emulator/store/types — the document store's public shapes.
 *
 * Documents are plain objects keyed by `_id`. mingo evaluates every filter, update, sort,
 * projection and pipeline; the store adds ids, per-document versions, transactions and an
 * append-only log. Errors carry store-level codes; `tcb/` maps them to CloudBase codes.
 */
import type { Clock } from '../types'

/** A stored document. `_id` is a string for every id the emulator generates. */
export type Doc = Record<string, unknown> & { _id?: unknown }

/** One write inside an atomic batch (one log line). */
export type WriteOp =
  | { op: 'create'; c: string }
  | { op: 'put'; c: string; doc: Doc }
  | { op: 'del'; c: string; id: unknown }

export interface FindOptions {
  /** mingo sort spec, e.g. `{points: -1}`. */
  sort?: Record<string, 1 | -1>
  skip?: number
  limit?: number
  /** mingo projection, e.g. `{openid: 1}`. */
  projection?: Record<string, unknown>
}

/** An update: Mongo operators (`$set`, `$inc`, …) or a whole replacement document. */
export type UpdateSpec = { modifier: Record<string, unknown> } | { replacement: Doc }

export interface UpdateOptions {
  multi?: boolean
  upsert?: boolean
}

export interface UpdateResult {
  matched: number
  /** Documents actually changed (Mongo `nModified`): writing the same value counts 0. */
  modified: number
  upsertedId?: unknown
}

export type StoreErrorCode =
  | 'DUPLICATE_KEY'
  | 'TRANSACTION_CONFLICT'
  | 'TRANSACTION_NOT_FOUND'
  | 'INVALID_ARGUMENT'

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'StoreError'
  }
}

export interface OpenStoreOptions {
  /** Directory for the log; undefined = in memory only. */
  dataDir?: string
  /** Delete existing data on open. */
  fresh?: boolean
  clock?: Clock
  /** Id generator for documents and transactions (default: 32 random hex chars). */
  newId?: () => string
  /** fdatasync each group commit (default true). */
  sync?: boolean
  /** Lifetime of a transaction, from its start, after which it is discarded (default 30 s). */
  transactionTtlMs?: number
  /** Log size that triggers a compaction, when also twice the last snapshot (default 4 MiB). */
  compactBytes?: number
}

/** A stretch of `store.log` that replay could not apply (positions refer to the damaged copy). */
export interface DroppedRecords {
  /** 1-based line numbers, first and last; absent when whole lines are simply missing. */
  lines?: [number, number]
  /** Byte range [start, end). */
  bytes: [number, number]
  /** Record numbers lost, first and last, when the neighbouring records tell. */
  records?: [number, number]
  /** e.g. "checksum mismatch", "unreadable", "missing from the file", "… cut short". */
  reason: string
  /** Collection names still legible in the damaged bytes (best effort). */
  collections: string[]
}

/** What opening a persisted store found in its log. */
export interface StoreRecovery {
  /** The log that was read. */
  file: string
  /** Bytes of a torn last line (an append cut short by a crash, never acknowledged) dropped quietly. */
  tornBytes: number
  /** Damage beyond a torn last line; empty when there was none. */
  dropped: DroppedRecords[]
  /** Where the damaged original was kept, unchanged, when `dropped` is not empty. */
  damagedCopy?: string
  /** Lines for the user (Chinese and English), printed at startup; empty when all is well. */
  report: string[]
}

/**
 * A snapshot-isolated transaction (see `./transaction`): reads see the snapshot taken at its
 * first operation plus its own writes; a write conflicts with another open transaction's write
 * or a commit since the snapshot; commit applies all or nothing (one log line).
 */
export interface Transaction {
  readonly id: string
  /** Reads a document by id, as of the snapshot. */
  get(c: string, id: unknown): Doc | undefined
  /** Inserts; DUPLICATE_KEY if the id exists in the transaction's view. Returns the id. */
  insert(c: string, doc: Doc): unknown
  /** Writes a whole document (by its `_id`) or deletes it (`null`). */
  put(c: string, id: unknown, doc: Doc | null): void
  /** Updates (or upserts) the one document the filter pins by `_id`; INVALID_ARGUMENT otherwise. */
  update(c: string, filter: Record<string, unknown>, spec: UpdateSpec, opts?: UpdateOptions): UpdateResult
  /** Deletes the one document the filter pins by `_id`; returns 0 or 1. */
  remove(c: string, filter: Record<string, unknown>): number
  /** Evaluates a filter over the transaction's view (its snapshot plus its own writes). */
  find(c: string, filter: Record<string, unknown>, opts?: FindOptions): Doc[]
  commit(): Promise<void>
  abort(): void
}

export interface DocumentStore {
  readonly dataDir: string | undefined
  /** What opening the log found (persisted stores only); `report` must reach the user. */
  readonly recovery?: StoreRecovery
  listCollections(): string[]
  hasCollection(c: string): boolean
  /** Creates a collection; false if it already existed. */
  createCollection(c: string): Promise<boolean>
  get(c: string, id: unknown): Doc | undefined
  find(c: string, filter: Record<string, unknown>, opts?: FindOptions): Doc[]
  count(c: string, filter: Record<string, unknown>): number
  aggregate(c: string, pipeline: Record<string, unknown>[]): Doc[]
  /** Inserts all or none; DUPLICATE_KEY names the first clashing id. Missing `_id`s are generated. */
  insert(c: string, docs: Doc[]): Promise<unknown[]>
  update(c: string, filter: Record<string, unknown>, spec: UpdateSpec, opts?: UpdateOptions): Promise<UpdateResult>
  remove(c: string, filter: Record<string, unknown>, opts?: { multi?: boolean }): Promise<number>
  beginTransaction(): Transaction
  /** An active transaction by id; TRANSACTION_NOT_FOUND when unknown, finished or expired. */
  transaction(id: string): Transaction
  /** Resolves when everything written so far is durable. */
  flush(): Promise<void>
  close(): Promise<void>
}
