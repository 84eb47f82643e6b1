/**
 * @module emulator/store/state — the in-memory collections.
 *
 * Snapshots for transactions: the store has one writer, so instead of keeping old versions of
 * every document, each open transaction that has taken its snapshot registers a `Snapshot`
 * here, and every later write records the value it replaces in each registered snapshot (the
 * first time only). A transaction then reads "as of its snapshot" as: its before-image if the
 * document was written since, the current value otherwise. The cost is one map lookup per
 * write per open transaction, and the images die with the transaction.
 */
import { EJSON } from 'bson'
import type { Doc, WriteOp } from './types'

export interface Entry {
  doc: Doc
}

/** Map key for an `_id`: strings as-is, anything else by its EJSON text. */
export function idKey(id: unknown): string {
  return typeof id === 'string' ? id : '\u0000' + EJSON.stringify(id as object, { relaxed: false })
}

/** Key of a document across collections. */
export const docKey = (c: string, id: unknown): string => keyInCollection(c, idKey(id))

/** `docKey` from an `idKey` already computed (`keyInCollection(c, '')` prefixes every key of `c`). */
export const keyInCollection = (c: string, key: string): string => `${c}\u0001${key}`

/** What an open transaction's snapshot needs from writes made after it was taken. */
export interface Snapshot {
  /** Value each document had at the snapshot (null: absent), for documents written since. */
  readonly before: Map<string, Doc | null>
}

export class State {
  readonly collections = new Map<string, Map<string, Entry>>()
  /** Open transactions' snapshots; every write records the value it replaces in each. */
  readonly snapshots = new Set<Snapshot>()

  collection(c: string): Map<string, Entry> | undefined {
    return this.collections.get(c)
  }

  entry(c: string, id: unknown): Entry | undefined {
    return this.collections.get(c)?.get(idKey(id))
  }

  /**
   * Applies a batch synchronously (callers have validated it): all of it happens in one tick.
   * Returns its undo, for a batch whose log write fails; undos must run newest-first.
   */
  apply(ops: WriteOp[]): () => void {
    const undo: Array<() => void> = []
    for (const op of ops) {
      let coll = this.collections.get(op.c)
      if (!coll) {
        const created = (coll = new Map())
        this.collections.set(op.c, created)
        undo.push(() => this.collections.delete(op.c))
      }
      const key = op.op === 'put' ? idKey(op.doc._id) : op.op === 'del' ? idKey(op.id) : undefined
      if (key === undefined) continue
      const target = coll
      const before = target.get(key)
      undo.push(() => (before ? target.set(key, before) : target.delete(key)))
      if (this.snapshots.size) this.recordBefore(keyInCollection(op.c, key), before, undo)
      if (op.op === 'put') target.set(key, { doc: op.doc })
      else target.delete(key)
    }
    return () => {
      for (let i = undo.length - 1; i >= 0; i--) undo[i]!()
    }
  }

  private recordBefore(k: string, before: Entry | undefined, undo: Array<() => void>): void {
    for (const snap of this.snapshots) {
      if (snap.before.has(k)) continue
      snap.before.set(k, before ? before.doc : null)
      undo.push(() => snap.before.delete(k))
    }
  }

  /**
   * The whole state as batches (EJSON ops arrays): collections first (always one batch, even
   * empty, so every log starts with a record), then documents in chunks of 500.
   */
  snapshotBatches(): string[] {
    const batches = [encodeOps([...this.collections.keys()].map((c) => ({ op: 'create', c })))]
    for (const [c, coll] of this.collections) {
      let chunk: WriteOp[] = []
      for (const { doc } of coll.values()) {
        chunk.push({ op: 'put', c, doc })
        if (chunk.length === 500) {
          batches.push(encodeOps(chunk))
          chunk = []
        }
      }
      if (chunk.length) batches.push(encodeOps(chunk))
    }
    return batches
  }
}

/** Relaxed EJSON keeps Dates, RegExps and other BSON values while staying compact. */
export function encodeOps(ops: WriteOp[]): string {
  return EJSON.stringify(ops, { relaxed: true })
}

/** Checks what replay is about to apply, so a damaged but parseable record cannot half-apply. */
export function validOps(w: unknown): w is WriteOp[] {
  if (!Array.isArray(w)) return false
  return w.every((op: unknown) => {
    if (!op || typeof op !== 'object') return false
    const o = op as Record<string, unknown>
    if (typeof o.c !== 'string' || !o.c) return false
    if (o.op === 'create') return true
    if (o.op === 'put') return !!o.doc && typeof o.doc === 'object' && !Array.isArray(o.doc) && '_id' in (o.doc as object)
    return o.op === 'del' && 'id' in o
  })
}
