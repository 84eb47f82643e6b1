/**
 * @module emulator/store/transaction — snapshot-isolated transactions, as CloudBase's MongoDB
 * gives them (Tencent's node-sdk test/database/unit/transaction.test.ts, run against the real
 * backend).
 *
 * - Snapshot: taken at the transaction's first operation (read or write), not at `start`.
 *   Every later read sees the data as of then plus its own writes, even for documents it had
 *   not read yet ("读偏": both re-read and first read return the snapshot). MongoDB picks the
 *   read point at the first operation; that CloudBase does the same is inferred (the test
 *   reads before the outside writes, so it cannot tell start from first read).
 * - Write–write conflicts are detected at the write, as MongoDB does: writing a document that
 *   another open transaction has written (uncommitted), or that anyone committed after this
 *   snapshot, fails with TRANSACTION_CONFLICT and aborts this transaction ("冲突检测", "读偏").
 *   Reads never conflict (write skew is allowed, as under snapshot isolation).
 * - A non-transactional write is not blocked by an open transaction's uncommitted write (in
 *   MongoDB it waits for the transaction to end); the transaction then fails at its next write
 *   of that document or at commit.
 * - Lifetime: 30 s from `start`, however busy ("transaction must be commit or abort in 30
 *   seconds"); after that, or after commit/abort, the id is TRANSACTION_NOT_FOUND.
 */
import { applyUpdate, cloneValue, withId, matcher, pinnedId, shape, upsertBase } from './query'
import { docKey, keyInCollection, type Snapshot, type State } from './state'
import {
  StoreError,
  type Doc,
  type FindOptions,
  type Transaction,
  type UpdateOptions,
  type UpdateResult,
  type UpdateSpec,
  type WriteOp,
} from './types'

export interface TxHost {
  readonly state: State
  now(): number
  readonly ttlMs: number
  newId(): string
  commitBatch(ops: WriteOp[]): Promise<void>
  finish(txId: string): void
  /** Documents written (uncommitted) by open transactions, by `docKey`. */
  readonly intents: Map<string, StoreTransaction>
}

interface Write {
  c: string
  id: unknown
  doc: Doc | null
}

export function duplicateKeyError(c: string, id: unknown): StoreError {
  return new StoreError(
    'DUPLICATE_KEY',
    `E11000 duplicate key error collection: ${c} index: _id_ dup key: { _id: ${JSON.stringify(id)} }`,
  )
}

export class StoreTransaction implements Transaction, Snapshot {
  readonly before = new Map<string, Doc | null>()
  private readonly writes = new Map<string, Write>()
  private status: 'new' | 'active' | 'committing' | 'done' = 'new'
  private readonly startedAt: number

  constructor(
    readonly id: string,
    private readonly host: TxHost,
  ) {
    this.startedAt = host.now()
  }

  expired(now: number): boolean {
    return now - this.startedAt > this.host.ttlMs
  }

  get(c: string, id: unknown): Doc | undefined {
    this.touch()
    const doc = this.view(c, id)
    return doc ? cloneValue(doc) : undefined
  }

  insert(c: string, doc: Doc): unknown {
    this.touch()
    const id = doc._id ?? this.host.newId()
    if (this.view(c, id)) throw duplicateKeyError(c, id)
    this.write(c, id, withId(id, cloneValue(doc)))
    return id
  }

  put(c: string, id: unknown, doc: Doc | null): void {
    this.touch()
    this.write(c, id, doc && withId(id, cloneValue(doc)))
  }

  update(c: string, filter: Record<string, unknown>, spec: UpdateSpec, opts: UpdateOptions = {}): UpdateResult {
    const id = requirePinned(filter)
    const cur = this.get(c, id)
    if (cur) {
      if (!matcher(filter)(cur)) return { matched: 0, modified: 0 }
      const next = applyUpdate(cur, spec)
      if (next.modified) this.put(c, id, next.doc)
      return { matched: 1, modified: next.modified ? 1 : 0 }
    }
    if (!opts.upsert) return { matched: 0, modified: 0 }
    const base = 'replacement' in spec ? {} : upsertBase(filter)
    this.put(c, id, applyUpdate(withId(id, base), spec).doc)
    return { matched: 0, modified: 0, upsertedId: id }
  }

  remove(c: string, filter: Record<string, unknown>): number {
    const id = requirePinned(filter)
    const cur = this.get(c, id)
    if (!cur || !matcher(filter)(cur)) return 0
    this.put(c, id, null)
    return 1
  }

  find(c: string, filter: Record<string, unknown>, opts?: FindOptions): Doc[] {
    const pinned = pinnedId(filter)
    if (pinned) {
      // Document reads are the hot path of a bind: no collection scan.
      const doc = this.get(c, pinned.id)
      return doc && matcher(filter)(doc) ? shape([doc], opts) : []
    }
    this.touch()
    // The emulator's operator set (./operators via matcher), as outside transactions.
    const test = matcher(filter)
    const prefix = keyInCollection(c, '')
    const seen = new Set<string>()
    const matched: Doc[] = []
    const consider = (key: string, doc: Doc | null | undefined) => {
      seen.add(key)
      if (doc && test(doc)) matched.push(doc)
    }
    for (const [k, e] of this.host.state.collection(c) ?? []) {
      const key = prefix + k
      consider(key, this.viewAt(key, e.doc))
    }
    // Documents deleted since the snapshot, and this transaction's own inserts.
    for (const key of this.before.keys()) if (key.startsWith(prefix) && !seen.has(key)) consider(key, this.viewAt(key, undefined))
    for (const [key, w] of this.writes) if (w.c === c && !seen.has(key)) consider(key, w.doc)
    return shape(matched, opts)
  }

  async commit(): Promise<void> {
    this.touch()
    this.status = 'committing'
    this.release()
    // A non-transactional write since this transaction wrote the same document (it is not
    // blocked here, unlike MongoDB): the transaction loses.
    for (const key of this.writes.keys()) if (this.before.has(key)) throw conflict()
    const ops: WriteOp[] = []
    for (const w of this.writes.values()) {
      ops.push(w.doc ? { op: 'put', c: w.c, doc: w.doc } : { op: 'del', c: w.c, id: w.id })
    }
    this.status = 'done'
    if (ops.length) await this.host.commitBatch(ops)
  }

  abort(): void {
    this.status = 'done'
    this.release()
  }

  /** The document as this transaction sees it: its own write, else its snapshot. */
  private view(c: string, id: unknown): Doc | null | undefined {
    return this.viewAt(docKey(c, id), this.host.state.entry(c, id)?.doc)
  }

  /** `view` by `docKey`, given the document's current value (its snapshot value unless written since). */
  private viewAt(key: string, current: Doc | undefined): Doc | null | undefined {
    const w = this.writes.get(key)
    if (w) return w.doc
    return this.before.has(key) ? this.before.get(key) : current
  }

  private write(c: string, id: unknown, doc: Doc | null): void {
    const key = docKey(c, id)
    const holder = this.host.intents.get(key)
    if (holder && holder !== this && holder.expired(this.host.now())) holder.abort()
    const other = this.host.intents.get(key)
    if ((other && other !== this) || this.before.has(key)) {
      // MongoDB aborts a transaction on a write conflict; runTransaction then retries.
      this.abort()
      throw conflict()
    }
    this.host.intents.set(key, this)
    this.writes.set(key, { c, id, doc })
  }

  private touch(): void {
    if (this.status === 'committing' || this.status === 'done') throw notFound()
    if (this.expired(this.host.now())) {
      this.abort()
      throw notFound()
    }
    if (this.status === 'new') {
      // The snapshot is the current state: from now on every write records what it replaces.
      this.status = 'active'
      this.host.state.snapshots.add(this)
    }
  }

  /** Ends the snapshot and frees this transaction's write intents (idempotent). */
  private release(): void {
    this.host.state.snapshots.delete(this)
    for (const key of this.writes.keys()) if (this.host.intents.get(key) === this) this.host.intents.delete(key)
    this.host.finish(this.id)
  }
}

function requirePinned(filter: Record<string, unknown>): unknown {
  const pinned = pinnedId(filter)
  if (!pinned) throw new StoreError('INVALID_ARGUMENT', 'inside a transaction, updates and removes must name one document by _id')
  return pinned.id
}

/** The store's codes; `tcb/database/errors` gives them CloudBase's texts. */
function conflict(): StoreError {
  return new StoreError('TRANSACTION_CONFLICT', 'transaction conflict: a document it writes was written by another transaction or since its snapshot')
}

function notFound(): StoreError {
  return new StoreError('TRANSACTION_NOT_FOUND', 'transaction does not exist: committed, aborted, or older than the transaction lifetime')
}
