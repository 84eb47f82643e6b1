/**
 * @module memoryStore — an in-memory `BindingStore` with real transaction semantics, for tests
 * and for running the binding rules without a database.
 *
 * Each transaction writes to a private overlay that is applied on commit and dropped on abort.
 * Two isolation modes:
 * - `serial` (default): transactions run one at a time (a queue). Simple and strictly
 *   serialisable. Do not start a transaction from inside another: it would wait forever.
 * - `optimistic`: transactions run concurrently and interleave at every await; commit fails
 *   with `TransactionConflictError` if anything the transaction read or wrote changed since.
 *   This is how CloudBase-like stores behave, and it exercises the callers' retry paths.
 *
 * Documents are deep-copied in and out, so callers can never mutate stored state by accident.
 */
import { DuplicateKeyError, TransactionConflictError, type BindingStore, type BindingTx, type PhoneEvent, type PhoneIndexDoc, type UserDoc } from './binding'

interface Slot<T> {
  doc: T | null
  version: number
}

type Table<T> = Map<string, Slot<T>>

export interface MemoryStoreSnapshot {
  users: UserDoc[]
  phoneIndex: PhoneIndexDoc[]
  events: PhoneEvent[]
}

export interface MemoryStoreStats {
  commits: number
  aborts: number
  conflicts: number
}

const clone = <T>(v: T): T => structuredClone(v)

export class MemoryBindingStore implements BindingStore {
  private readonly users: Table<UserDoc> = new Map()
  private readonly index: Table<PhoneIndexDoc> = new Map()
  private readonly events: PhoneEvent[] = []
  private queue: Promise<unknown> = Promise.resolve()
  readonly stats: MemoryStoreStats = { commits: 0, aborts: 0, conflicts: 0 }

  constructor(private readonly mode: 'serial' | 'optimistic' = 'serial') {}

  runTransaction<T>(fn: (tx: BindingTx) => Promise<T>): Promise<T> {
    if (this.mode === 'optimistic') return this.attempt(fn)
    const run = this.queue.then(() => this.attempt(fn))
    this.queue = run.catch(() => undefined) // one failed transaction must not block the next
    return run
  }

  /** A lone audit event: appended at once, like a single insert outside any transaction. */
  async appendEvent(event: PhoneEvent): Promise<void> {
    await tick()
    this.events.push(clone(event))
  }

  /** One committed index entry, read outside any transaction. */
  async peekPhoneIndex(id: string): Promise<PhoneIndexDoc | null> {
    await tick()
    const doc = this.index.get(id)?.doc ?? null
    return doc === null ? null : clone(doc)
  }

  /** Committed state, copied. */
  snapshot(): MemoryStoreSnapshot {
    const docs = <T>(t: Table<T>) => [...t.values()].flatMap((s) => (s.doc ? [clone(s.doc)] : []))
    return { users: docs(this.users), phoneIndex: docs(this.index), events: clone(this.events) }
  }

  private async attempt<T>(fn: (tx: BindingTx) => Promise<T>): Promise<T> {
    const tx = new MemoryTx(this.users, this.index)
    let result: T
    try {
      result = await fn(tx)
    } catch (e) {
      this.stats.aborts++
      throw e
    }
    // Validation and apply are synchronous: no other transaction can run in between.
    if (!tx.stillValid()) {
      this.stats.conflicts++
      throw new TransactionConflictError()
    }
    tx.apply(this.events)
    this.stats.commits++
    return result
  }
}

class MemoryTx implements BindingTx {
  /** Versions as first seen by this transaction, checked again at commit. */
  private readonly seenUsers = new Map<string, number>()
  private readonly seenIndex = new Map<string, number>()
  private readonly userWrites = new Map<string, UserDoc | null>()
  private readonly indexWrites = new Map<string, PhoneIndexDoc | null>()
  private readonly newEvents: PhoneEvent[] = []

  constructor(
    private readonly users: Table<UserDoc>,
    private readonly index: Table<PhoneIndexDoc>,
  ) {}

  async getUser(openid: string): Promise<UserDoc | null> {
    await tick()
    return this.read(this.users, this.seenUsers, this.userWrites, openid)
  }

  async getPhoneIndex(id: string): Promise<PhoneIndexDoc | null> {
    await tick()
    return this.read(this.index, this.seenIndex, this.indexWrites, id)
  }

  async insertPhoneIndex(doc: PhoneIndexDoc): Promise<void> {
    await tick()
    if (this.read(this.index, this.seenIndex, this.indexWrites, doc._id) !== null) throw new DuplicateKeyError('phone_index')
    this.indexWrites.set(doc._id, clone(doc))
  }

  async deletePhoneIndex(id: string): Promise<void> {
    await tick()
    this.see(this.index, this.seenIndex, id)
    this.indexWrites.set(id, null)
  }

  async putPhoneIndex(doc: PhoneIndexDoc): Promise<void> {
    await tick()
    this.see(this.index, this.seenIndex, doc._id)
    this.indexWrites.set(doc._id, clone(doc))
  }

  async putUser(doc: UserDoc): Promise<void> {
    await tick()
    this.see(this.users, this.seenUsers, doc._id)
    this.userWrites.set(doc._id, clone(doc))
  }

  async addEvent(event: PhoneEvent): Promise<void> {
    await tick()
    this.newEvents.push(clone(event))
  }

  stillValid(): boolean {
    const same = <T>(table: Table<T>, seen: Map<string, number>) => [...seen].every(([k, v]) => (table.get(k)?.version ?? 0) === v)
    return same(this.users, this.seenUsers) && same(this.index, this.seenIndex)
  }

  apply(events: PhoneEvent[]): void {
    const write = <T>(table: Table<T>, writes: Map<string, T | null>) => {
      for (const [k, doc] of writes) table.set(k, { doc, version: (table.get(k)?.version ?? 0) + 1 })
    }
    write(this.users, this.userWrites)
    write(this.index, this.indexWrites)
    events.push(...this.newEvents)
  }

  private see<T>(table: Table<T>, seen: Map<string, number>, key: string): void {
    if (!seen.has(key)) seen.set(key, table.get(key)?.version ?? 0)
  }

  private read<T>(table: Table<T>, seen: Map<string, number>, writes: Map<string, T | null>, key: string): T | null {
    if (writes.has(key)) return clone(writes.get(key) ?? null)
    this.see(table, seen, key)
    const doc = table.get(key)?.doc ?? null
    return doc === null ? null : clone(doc)
  }
}

/** Yields so concurrent optimistic transactions really interleave, as over a network. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve))
