/**
 * @module emulator/store/store — `openStore()`: the document store used by the `/admin` endpoint.
 *
 * All evaluation happens in memory on the current state; a write batch is applied in one tick
 * and queued as one log line, and the returned promise resolves once that line is durable
 * (group commit). Reads may therefore see a write a few hundred µs before it is on disk.
 */
import { randomBytes } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { Aggregator } from 'mingo'
import { systemClock } from '../types'
import { acquireLock } from './lock'
import { AppendLog, LOG_FILE, readLog } from './log'
import { applyUpdate, cloneValue, withId, matchEntries, shape, toJsValues, upsertBase } from './query'
import { decodeBatch, encodeBatch, idKey, State } from './state'
import { duplicateKeyError, StoreTransaction, type TxHost } from './transaction'
import {
  StoreError,
  type Doc,
  type DocumentStore,
  type FindOptions,
  type OpenStoreOptions,
  type Transaction,
  type UpdateOptions,
  type UpdateResult,
  type UpdateSpec,
  type WriteOp,
} from './types'

// Random ids from a pooled buffer: one crypto call per 256 ids instead of one per id.
let pool = Buffer.alloc(0)
let poolOffset = 0
function randomId(): string {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(4096)
    poolOffset = 0
  }
  poolOffset += 16
  return pool.toString('hex', poolOffset - 16, poolOffset)
}

export async function openStore(opts: OpenStoreOptions = {}): Promise<DocumentStore> {
  const state = new State()
  if (!opts.dataDir) return new Store(state, undefined, opts, false)
  const dir = opts.dataDir
  await fsp.mkdir(dir, { recursive: true })
  const unlock = await acquireLock(dir)
  try {
    if (opts.fresh) await fsp.rm(path.join(dir, LOG_FILE), { force: true })
    const damaged = await replay(dir, state)
    const log = await AppendLog.open(dir, {
      sync: opts.sync ?? true,
      compactBytes: opts.compactBytes ?? 4 * 1024 * 1024,
      snapshot: () => state.snapshotLines(),
    })
    return new Store(state, log, opts, damaged, unlock)
  } catch (err) {
    await unlock()
    throw err
  }
}

/** Applies every complete, readable line; returns true if anything after them was ignored. */
async function replay(dir: string, state: State): Promise<boolean> {
  const { lines, damaged } = await readLog(dir)
  for (const line of lines) {
    let ops: WriteOp[]
    try {
      ops = decodeBatch(line)
    } catch {
      // A complete but unreadable line: keep the consistent prefix before it.
      return true
    }
    for (const op of ops) if (op.op === 'put') toJsValues(op.doc)
    state.apply(ops)
  }
  return damaged
}

class Store implements DocumentStore, TxHost {
  readonly dataDir: string | undefined
  readonly ttlMs: number
  private readonly txs = new Map<string, StoreTransaction>()
  private readonly idGen: () => string
  private readonly clock

  constructor(
    readonly state: State,
    private readonly log: AppendLog | undefined,
    opts: OpenStoreOptions,
    /** True when the log had a torn tail or an unreadable line on open. */
    readonly recovered: boolean,
    private readonly unlock?: () => Promise<void>,
  ) {
    this.dataDir = opts.dataDir
    this.ttlMs = opts.transactionTtlMs ?? 30_000
    this.idGen = opts.newId ?? randomId
    this.clock = opts.clock ?? systemClock
  }

  now(): number {
    return this.clock.now()
  }

  newId(): string {
    return this.idGen()
  }

  commitBatch(ops: WriteOp[]): Promise<void> {
    this.state.apply(ops)
    return this.log ? this.log.append(encodeBatch(ops)) : Promise.resolve()
  }

  finish(txId: string): void {
    this.txs.delete(txId)
  }

  listCollections(): string[] {
    return [...this.state.collections.keys()]
  }

  hasCollection(c: string): boolean {
    return this.state.collections.has(c)
  }

  async createCollection(c: string): Promise<boolean> {
    if (!c) throw new StoreError('INVALID_ARGUMENT', 'collection name is empty')
    if (this.hasCollection(c)) return false
    await this.commitBatch([{ op: 'create', c }])
    return true
  }

  get(c: string, id: unknown): Doc | undefined {
    const e = this.state.entry(c, id)
    return e && cloneValue(e.doc)
  }

  find(c: string, filter: Record<string, unknown>, opts?: FindOptions): Doc[] {
    const docs = matchEntries(this.state.collection(c), filter).map((e) => e.doc)
    return shape(docs, opts)
  }

  count(c: string, filter: Record<string, unknown>): number {
    return matchEntries(this.state.collection(c), filter).length
  }

  aggregate(c: string, pipeline: Record<string, unknown>[]): Doc[] {
    const all = (name: string) => [...(this.state.collection(name)?.values() ?? [])].map((e) => e.doc)
    // $lookup and friends resolve other collections by name; results are copies.
    const agg = new Aggregator(pipeline, { collectionResolver: all })
    return (agg.run(all(c)) as Doc[]).map(cloneValue)
  }

  async insert(c: string, docs: Doc[]): Promise<unknown[]> {
    const ops: WriteOp[] = []
    const ids: unknown[] = []
    const batch = new Set<string>()
    for (const d of docs) {
      const id = d._id ?? this.newId()
      if (this.state.entry(c, id) || batch.has(idKey(id))) throw duplicateKeyError(c, id)
      batch.add(idKey(id))
      ids.push(id)
      ops.push({ op: 'put', c, doc: withId(id, cloneValue(d)) })
    }
    if (!this.hasCollection(c)) ops.unshift({ op: 'create', c })
    await this.commitBatch(ops)
    return ids
  }

  async update(c: string, filter: Record<string, unknown>, spec: UpdateSpec, opts: UpdateOptions = {}): Promise<UpdateResult> {
    const matched = matchEntries(this.state.collection(c), filter, opts.multi ? Infinity : 1)
    const ops: WriteOp[] = []
    let modified = 0
    let upsertedId: unknown
    for (const e of matched) {
      const next = applyUpdate(e.doc, spec)
      if (next.modified) {
        modified++
        ops.push({ op: 'put', c, doc: next.doc })
      }
    }
    if (!matched.length && opts.upsert) {
      const base = 'replacement' in spec ? {} : upsertBase(filter)
      const id = ('replacement' in spec ? undefined : base._id) ?? filter._id ?? this.newId()
      if (typeof id === 'object' && id !== null) throw new StoreError('INVALID_ARGUMENT', 'cannot upsert with an _id condition')
      upsertedId = id
      ops.push({ op: 'put', c, doc: applyUpdate(withId(id, base), spec).doc })
    }
    if (ops.length && !this.hasCollection(c)) ops.unshift({ op: 'create', c })
    if (ops.length) await this.commitBatch(ops)
    return { matched: matched.length, modified, upsertedId }
  }

  async remove(c: string, filter: Record<string, unknown>, opts: { multi?: boolean } = {}): Promise<number> {
    const matched = matchEntries(this.state.collection(c), filter, opts.multi ? Infinity : 1)
    if (matched.length) await this.commitBatch(matched.map((e) => ({ op: 'del', c, id: e.doc._id })))
    return matched.length
  }

  beginTransaction(): Transaction {
    const now = this.now()
    for (const tx of this.txs.values()) if (tx.expired(now)) tx.abort()
    const tx = new StoreTransaction(this.newId(), this)
    this.txs.set(tx.id, tx)
    return tx
  }

  transaction(id: string): Transaction {
    const tx = this.txs.get(id)
    if (!tx) throw new StoreError('TRANSACTION_NOT_FOUND', `transaction ${id} does not exist or is already finished`)
    return tx
  }

  async flush(): Promise<void> {
    await this.log?.flush()
  }

  async close(): Promise<void> {
    for (const tx of [...this.txs.values()]) tx.abort()
    await this.log?.close()
    await this.unlock?.()
  }
}
