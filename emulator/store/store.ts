/**
 * @module emulator/store/store — `openStore()`: the document store used by the `/admin` endpoint.
 *
 * All evaluation happens in memory on the current state; a write batch is applied in one tick
 * and queued as one log line, and the returned promise resolves once that line is durable
 * (group commit). Reads may therefore see a write a few hundred µs before it is on disk, and
 * if that write then fails (disk full, EIO) it is undone, with every write queued behind it,
 * before the callers hear of the failure (`./log`): memory never keeps a failed write.
 * Opening a damaged log salvages it and keeps the damaged original (`./replay`).
 */
import { randomBytes } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { systemClock } from '../types'
import { acquireLock } from './lock'
import { AppendLog, DIR_MODE, LOG_FILE } from './log'
import { applyUpdate, cloneValue, withId, matchEntries, runPipeline, shape, toJsValues, upsertBase } from './query'
import { describeDropped, keepDamagedCopy, recoveryReport, scanLog } from './replay'
import { encodeOps, idKey, State } from './state'
import { duplicateKeyError, StoreTransaction, type TxHost } from './transaction'
import {
  StoreError,
  type Doc,
  type DocumentStore,
  type FindOptions,
  type OpenStoreOptions,
  type StoreRecovery,
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
  if (!opts.dataDir) return new Store(state, undefined, opts, undefined)
  const dir = opts.dataDir
  // Only a directory created here gets 0700; an existing one is the user's choice.
  await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE })
  const unlock = await acquireLock(dir)
  try {
    if (opts.fresh) await fsp.rm(path.join(dir, LOG_FILE), { force: true })
    const recovery = await replay(dir, state, (opts.clock ?? systemClock).now())
    const log = await AppendLog.open(dir, {
      sync: opts.sync ?? true,
      compactBytes: opts.compactBytes ?? 4 * 1024 * 1024,
      snapshot: () => state.snapshotBatches(),
    })
    return new Store(state, log, opts, recovery, unlock)
  } catch (err) {
    await unlock()
    throw err
  }
}

/** Applies every readable record; on damage, keeps the original first (or refuses to start). */
async function replay(dir: string, state: State, now: number): Promise<StoreRecovery> {
  const file = path.join(dir, LOG_FILE)
  let buf: Buffer
  try {
    buf = await fsp.readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    return { file, tornBytes: 0, dropped: [], report: [] }
  }
  const scan = scanLog(buf)
  let damagedCopy: string | undefined
  if (scan.dropped.length) {
    try {
      damagedCopy = await keepDamagedCopy(dir, now)
    } catch (err) {
      throw new Error(
        `${file} is damaged (${describeDropped(scan.dropped[0]!, scan.snapshotSize)}${scan.dropped.length > 1 ? `, and ${scan.dropped.length - 1} more` : ''}) ` +
          `and no copy of it could be kept (${err instanceof Error ? err.message : String(err)}), so the store will not start ` +
          'rather than overwrite the only copy / 数据文件已损坏且无法备份，为免覆盖唯一副本拒绝启动. To recover: free space or fix ' +
          `permissions in ${dir} and start again (every readable record is then kept, the damaged file beside it), or move ` +
          `${LOG_FILE} elsewhere yourself and start again.`,
      )
    }
  }
  for (const { ops } of scan.records) {
    for (const op of ops) if (op.op === 'put') toJsValues(op.doc)
    state.apply(ops)
  }
  let docs = 0
  for (const coll of state.collections.values()) docs += coll.size
  const report = damagedCopy ? recoveryReport(file, scan, damagedCopy, docs) : []
  return { file, tornBytes: scan.tornBytes, dropped: scan.dropped, damagedCopy, report }
}

class Store implements DocumentStore, TxHost {
  readonly dataDir: string | undefined
  readonly ttlMs: number
  private readonly txs = new Map<string, StoreTransaction>()
  readonly intents = new Map<string, StoreTransaction>()
  private readonly idGen: () => string
  private readonly clock

  constructor(
    readonly state: State,
    private readonly log: AppendLog | undefined,
    opts: OpenStoreOptions,
    /** What opening the log found; undefined in memory. */
    readonly recovery: StoreRecovery | undefined,
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

  /** Applies now (so the next writer's checks see it); a failed log write undoes it (`./log`). */
  commitBatch(ops: WriteOp[]): Promise<void> {
    const undo = this.state.apply(ops)
    return this.log ? this.log.append(encodeOps(ops), undo) : Promise.resolve()
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
    return runPipeline(all(c), pipeline, all).map(cloneValue)
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
    if (tx?.expired(this.now())) tx.abort()
    if (!tx || !this.txs.has(id)) throw new StoreError('TRANSACTION_NOT_FOUND', `transaction ${id} does not exist: committed, aborted, or older than the transaction lifetime`)
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
