/**
 * @module emulator/store/state — the in-memory collections, with a version per document.
 *
 * Every applied write gets the next value of one global sequence, so "changed since I read
 * it" is a version comparison (a deleted and re-created document never reuses a version).
 * Absent documents have version 0.
 */
import { EJSON } from 'bson'
import type { Doc, WriteOp } from './types'

export interface Entry {
  doc: Doc
  ver: number
}

/** Map key for an `_id`: strings as-is, anything else by its EJSON text. */
export function idKey(id: unknown): string {
  return typeof id === 'string' ? id : '\u0000' + EJSON.stringify(id as object, { relaxed: false })
}

export class State {
  readonly collections = new Map<string, Map<string, Entry>>()
  private seq = 0

  collection(c: string): Map<string, Entry> | undefined {
    return this.collections.get(c)
  }

  entry(c: string, id: unknown): Entry | undefined {
    return this.collections.get(c)?.get(idKey(id))
  }

  version(c: string, id: unknown): number {
    return this.entry(c, id)?.ver ?? 0
  }

  /** Applies a batch synchronously (callers have validated it): all of it happens in one tick. */
  apply(ops: WriteOp[]): void {
    for (const op of ops) {
      let coll = this.collections.get(op.c)
      if (!coll) {
        coll = new Map()
        this.collections.set(op.c, coll)
      }
      if (op.op === 'put') coll.set(idKey(op.doc._id), { doc: op.doc, ver: ++this.seq })
      else if (op.op === 'del') coll.delete(idKey(op.id))
    }
  }

  /** The whole state as log lines: collections first, then documents in chunks. */
  snapshotLines(): string[] {
    const lines: string[] = []
    const creates: WriteOp[] = [...this.collections.keys()].map((c) => ({ op: 'create', c }))
    if (creates.length) lines.push(encodeBatch(creates))
    for (const [c, coll] of this.collections) {
      let chunk: WriteOp[] = []
      for (const { doc } of coll.values()) {
        chunk.push({ op: 'put', c, doc })
        if (chunk.length === 500) {
          lines.push(encodeBatch(chunk))
          chunk = []
        }
      }
      if (chunk.length) lines.push(encodeBatch(chunk))
    }
    return lines
  }
}

/** Relaxed EJSON keeps Dates, RegExps and other BSON values while staying compact. */
export function encodeBatch(ops: WriteOp[]): string {
  return EJSON.stringify({ w: ops }, { relaxed: true })
}

export function decodeBatch(line: string): WriteOp[] {
  const parsed = EJSON.parse(line, { relaxed: true }) as { w?: unknown }
  if (!parsed || !Array.isArray(parsed.w)) throw new Error('not a write batch')
  return parsed.w as WriteOp[]
}
