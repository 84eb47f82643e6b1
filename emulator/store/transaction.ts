/**
 * @module emulator/store/transaction — optimistic transactions over the shared state.
 *
 * A transaction buffers its writes and remembers the version of every document it read or
 * wrote. Other clients keep writing meanwhile (no store-wide lock or snapshot). At commit,
 * any remembered document that changed since → TRANSACTION_CONFLICT; an inserted `_id` that
 * now exists → DUPLICATE_KEY; otherwise all writes apply in one tick and one log line.
 * Re-reading a document that changed under the transaction fails early the same way.
 */
import { Query } from 'mingo'
import { applyUpdate, cloneValue, withId, matcher, pinnedId, shape, upsertBase } from './query'
import { idKey, type State } from './state'
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
}

interface Write {
  c: string
  id: unknown
  doc: Doc | null
  insert: boolean
}

export function duplicateKeyError(c: string, id: unknown): StoreError {
  return new StoreError(
    'DUPLICATE_KEY',
    `E11000 duplicate key error collection: ${c} index: _id_ dup key: { _id: ${JSON.stringify(id)} }`,
  )
}

const keyOf = (c: string, id: unknown) => `${c}\u0001${idKey(id)}`

export class StoreTransaction implements Transaction {
  private readonly reads = new Map<string, { c: string; id: unknown; ver: number }>()
  private readonly writes = new Map<string, Write>()
  private status: 'active' | 'committing' | 'done' = 'active'
  private lastActive: number

  constructor(
    readonly id: string,
    private readonly host: TxHost,
  ) {
    this.lastActive = host.now()
  }

  expired(now: number): boolean {
    return now - this.lastActive > this.host.ttlMs
  }

  get(c: string, id: unknown): Doc | undefined {
    this.touch()
    const w = this.writes.get(keyOf(c, id))
    if (w) return w.doc ? cloneValue(w.doc) : undefined
    this.observe(c, id)
    const e = this.host.state.entry(c, id)
    return e ? cloneValue(e.doc) : undefined
  }

  insert(c: string, doc: Doc): unknown {
    this.touch()
    const id = doc._id ?? this.host.newId()
    if (this.get(c, id) !== undefined) throw duplicateKeyError(c, id)
    this.writes.set(keyOf(c, id), { c, id, doc: withId(id, cloneValue(doc)), insert: true })
    return id
  }

  put(c: string, id: unknown, doc: Doc | null): void {
    this.touch()
    const key = keyOf(c, id)
    const prev = this.writes.get(key)
    if (!prev) this.observe(c, id)
    this.writes.set(key, { c, id, doc: doc && withId(id, cloneValue(doc)), insert: Boolean(prev?.insert && doc) })
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
    const query = new Query(filter)
    const seen = new Set<string>()
    const matched: Doc[] = []
    for (const [k, e] of this.host.state.collection(c) ?? []) {
      const key = `${c}\u0001${k}`
      seen.add(key)
      const w = this.writes.get(key)
      const doc = w ? w.doc : e.doc
      if (doc && query.test(doc)) {
        if (!w) this.observe(c, e.doc._id)
        matched.push(doc)
      }
    }
    for (const [key, w] of this.writes) if (w.c === c && w.doc && !seen.has(key) && query.test(w.doc)) matched.push(w.doc)
    return shape(matched, opts)
  }

  async commit(): Promise<void> {
    this.touch()
    this.status = 'committing'
    this.host.finish(this.id)
    const { state } = this.host
    for (const w of this.writes.values()) {
      if (w.insert && state.entry(w.c, w.id)) throw duplicateKeyError(w.c, w.id)
    }
    for (const r of this.reads.values()) {
      if (state.version(r.c, r.id) !== r.ver) throw conflict(r.c, r.id)
    }
    const ops: WriteOp[] = []
    for (const w of this.writes.values()) {
      ops.push(w.doc ? { op: 'put', c: w.c, doc: w.doc } : { op: 'del', c: w.c, id: w.id })
    }
    this.status = 'done'
    if (ops.length) await this.host.commitBatch(ops)
  }

  abort(): void {
    this.status = 'done'
    this.host.finish(this.id)
  }

  private touch(): void {
    if (this.status !== 'active') throw new StoreError('TRANSACTION_NOT_FOUND', `transaction ${this.id} is already finished`)
    const now = this.host.now()
    if (this.expired(now)) {
      this.abort()
      throw new StoreError('TRANSACTION_NOT_FOUND', `transaction ${this.id} expired after ${this.host.ttlMs} ms idle`)
    }
    this.lastActive = now
  }

  /** Remembers the version first seen; a later different version means someone else wrote it. */
  private observe(c: string, id: unknown): void {
    const key = keyOf(c, id)
    const ver = this.host.state.version(c, id)
    const seen = this.reads.get(key)
    if (!seen) this.reads.set(key, { c, id, ver })
    else if (seen.ver !== ver) {
      this.abort()
      throw conflict(c, id)
    }
  }
}

function requirePinned(filter: Record<string, unknown>): unknown {
  const pinned = pinnedId(filter)
  if (!pinned) throw new StoreError('INVALID_ARGUMENT', 'inside a transaction, updates and removes must name one document by _id')
  return pinned.id
}

function conflict(c: string, id: unknown): StoreError {
  return new StoreError(
    'TRANSACTION_CONFLICT',
    `transaction conflict: document ${JSON.stringify(id)} in ${c} was changed by another write since this transaction read it`,
  )
}
