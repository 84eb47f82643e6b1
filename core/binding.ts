/**
 * @module binding — the rules that tie a phone number to one account, over a small store port.
 *
 * Uniqueness is a database fact, not a check-then-write: each bound number owns a
 * `phone_index` document whose `_id` is `phoneIndexId(e164)`, created with an insert that
 * fails if the `_id` exists (reference §12). Everything a bind writes — index, user, audit
 * event — happens in ONE transaction, so a failure leaves nothing half-written.
 *
 * A conflict is the one failure that must still leave a trace: the transaction is aborted
 * (nothing written) and the `conflict` event is then appended on its own — a single insert
 * (`BindingStore.appendEvent`) where the store has one, else a second transaction.
 *
 * Request economy (each store operation is one CloudBase round trip): the first attempt of a
 * bind claims the number by inserting its index entry straight away instead of reading it
 * first. A fresh number — the common case — then costs no index read; a taken one makes the
 * insert fail with `DuplicateKeyError`, the transaction is discarded, and the re-run reads the
 * owner (`peekPhoneIndex`, one committed read, where the store has it). The insert is still
 * what makes the number unique, so nothing is weakened.
 *
 * Stores signal a unique-key violation with `DuplicateKeyError` and a lost optimistic race
 * with `TransactionConflictError`; `bindPhone` re-runs the transaction a bounded number of
 * times, so of two racers for one number exactly one wins and the other sees the winner.
 *
 * Audit order (core/README.md): each transaction that changes a user's phone writes
 * `users.phoneVersion + 1` and its event carries it, so a user's events follow commit order
 * (optimistic concurrency serialises writers of one document); `at` is read inside each attempt
 * and is informative only. Replay: ./auditTrail.ts.
 */
import { isUnionAccountKey, mergeAccounts, unionAccountKey } from './accounts'
import type { BindChange, PhoneSource, PhoneView, Result } from './contracts'
import { fail, ok } from './errors'
import { phoneIndexId, type PhoneRecord } from './phone'

export interface BoundPhone extends PhoneRecord {
  source: PhoneSource
  verifiedAt: Date
}

/**
 * `users` collection; `_id` is the ACCOUNT key (./accounts.ts): the openid, or `un_<unionid>`
 * when the deployment keys accounts by unionid. The account owns the number.
 */
export interface UserDoc {
  _id: string
  /** The openid that created the account (for a unionid account: in the first app it was seen). */
  openid: string
  appid: string
  unionid?: string
  phone?: BoundPhone | null
  createdAt: Date
  updatedAt: Date
  lastLoginAt?: Date
  /**
   * How many times `phone` changed: each transaction that changes it writes the previous value
   * + 1 (absent = 0). Orders this user's `phone_events` (their `phoneVersion`) in commit order.
   */
  phoneVersion?: number
  /** A tombstone: this openid account was folded into that unionid account (./accounts.ts). */
  mergedInto?: string
}

/** `phone_index` collection; `_id` is `phoneIndexId(e164)`, so one document per number. */
export interface PhoneIndexDoc {
  _id: string
  /** The owning ACCOUNT's key (its `users._id`); the field keeps its historical name. */
  openid: string
  boundAt: Date
  /** The owner's `phoneVersion` from the change that gave it this number (absent in older entries). */
  phoneVersion?: number
}

/** `phone_events` audit trail. Only masked numbers: events end up in exports and logs. */
export interface PhoneEvent {
  type: 'bind' | 'rebind' | 'unbind' | 'conflict' | 'transfer' | 'merge'
  /** The account that acted (its key: `users._id`). merge: the account folded into. */
  openid: string
  /** The caller's openid when it differs from the account key (a unionid account). */
  actorOpenid?: string
  /** conflict: the current owner; transfer: the previous owner; merge: the account folded in. */
  otherOpenid?: string
  masked: string
  /** rebind/transfer: the caller's previous number, masked. */
  previousMasked?: string
  source?: PhoneSource
  /**
   * The actor's `users.phoneVersion` after this event: (openid, phoneVersion) is unique and
   * ordered as the commits were. A `conflict` changes nothing and repeats the version it saw.
   */
  phoneVersion: number
  /**
   * transfer: the previous owner's `phoneVersion` after losing the number (absent if its user
   * document no longer held it); conflict: the owner's version recorded on the index entry.
   */
  otherPhoneVersion?: number
  /** Wall-clock time of the attempt that committed (informative; order by the versions). */
  at: Date
}

/** Operations inside one transaction. Reads see the transaction's own writes. */
export interface BindingTx {
  getUser(openid: string): Promise<UserDoc | null>
  getPhoneIndex(id: string): Promise<PhoneIndexDoc | null>
  /** Must reject with `DuplicateKeyError` if the `_id` exists (never overwrite). */
  insertPhoneIndex(doc: PhoneIndexDoc): Promise<void>
  deletePhoneIndex(id: string): Promise<void>
  /**
   * Create or replace an index document. Used only to hand a number over (transfer policy),
   * after this transaction has read the current owner. Optional for compatibility; without it
   * the hand-over is delete + insert of the same `_id`, which some stores (the emulator's
   * commit-time duplicate check) reject — implement it.
   */
  putPhoneIndex?(doc: PhoneIndexDoc): Promise<void>
  /** Create or replace the user document. */
  putUser(doc: UserDoc): Promise<void>
  addEvent(event: PhoneEvent): Promise<void>
}

export interface BindingStore {
  /** Runs `fn` atomically: commit if it resolves, discard every write if it throws (and rethrow). */
  runTransaction<T>(fn: (tx: BindingTx) => Promise<T>): Promise<T>
  /**
   * Appends one audit event outside any transaction (a single insert is atomic on its own).
   * Optional: without it the event is written in a transaction of its own.
   */
  appendEvent?(event: PhoneEvent): Promise<void>
  /**
   * Reads one index entry as committed, outside any transaction. Optional: lets a bind whose
   * claim hit an existing entry learn the owner with one read instead of a second transaction.
   */
  peekPhoneIndex?(id: string): Promise<PhoneIndexDoc | null>
}

/** A unique-key violation: the document `_id` already exists. */
export class DuplicateKeyError extends Error {
  constructor(readonly collection: string) {
    super(`duplicate key in ${collection}`) // never the _id: for phone_index it IS the number
    this.name = 'DuplicateKeyError'
  }
}

/** The transaction lost a race with a concurrent one; running it again is safe. */
export class TransactionConflictError extends Error {
  constructor() {
    super('transaction conflict')
    this.name = 'TransactionConflictError'
  }
}

const isNamed = (e: unknown, name: string) => e instanceof Error && e.name === name
export const isDuplicateKeyError = (e: unknown): boolean => e instanceof DuplicateKeyError || isNamed(e, 'DuplicateKeyError')
export const isTransactionConflict = (e: unknown): boolean => e instanceof TransactionConflictError || isNamed(e, 'TransactionConflictError')

export type BindPolicy = 'reject' | 'transfer'

/** A fixed time, or a clock read inside each transaction attempt. */
export type Clock = Date | (() => Date)
export const timeOf = (clock: Clock): Date => (typeof clock === 'function' ? clock() : clock)

export interface BindPhoneInput {
  /** The caller (from getWXContext). */
  openid: string
  /**
   * The account that owns the number: `users._id` and the index owner (./accounts.ts
   * `accountKeyOf`). Default: the openid — one account per openid, as before accounts existed.
   */
  account?: string
  appid: string
  unionid?: string
  phone: PhoneRecord
  source: PhoneSource
  /**
   * The clock. A function is called once per transaction attempt (and once for a conflict
   * event), so the time recorded is that of the attempt that committed, not of the first try.
   */
  now: Clock
  /** A number owned by another account: `reject` (default) or move it to the caller. */
  policy?: BindPolicy
  /** Transaction attempts on DuplicateKeyError / TransactionConflictError (default 3). */
  maxAttempts?: number
  /** Called if the conflict event cannot be written; the result is PHONE_ALREADY_BOUND anyway. */
  onAuditFailure?: (err: unknown) => void
}

export interface BindOutcome {
  user: UserDoc
  change: BindChange
}

/** The account a caller acts for: `account` when given, else its openid. */
export const accountOf = (input: { openid: string; account?: string }): string => input.account ?? input.openid

type Actor = { actorOpenid?: string }
/** The caller's openid for the audit trail, only when it is not already the account key. */
const actorOf = (input: { openid: string; account?: string }): Actor => (accountOf(input) === input.openid ? {} : { actorOpenid: input.openid })

/** Thrown inside the transaction to abort it without writing anything. */
class OwnedByOther {
  constructor(readonly owner: PhoneIndexDoc) {}
}

/** What the latest attempt read of the caller, for a conflict event written after it aborted. */
interface Observed {
  phoneVersion: number
}

export async function bindPhone(store: BindingStore, input: BindPhoneInput): Promise<Result<BindOutcome>> {
  return followingMerge(input, (account) => bindOnce(store, account))
}

/**
 * Runs `op` for the caller's account, and once more for the account it was folded into if that
 * row turns out to be a tombstone (./accounts.ts). This happens when a caller whose openid row
 * was merged arrives WITHOUT a unionid in its context (a deployment back on openid keys, or a call
 * where WeChat did not include UNIONID): the tombstone was written with proof that both are the
 * same person, so following it is what that person expects. One hop: a unionid account is never
 * folded, so a tombstone always points at a live account.
 */
async function followingMerge<I extends { openid: string; account?: string }, R>(input: I, op: (input: I) => Promise<R>): Promise<R> {
  try {
    return await op(input)
  } catch (e) {
    if (!(e instanceof MergedInto)) throw e
    return op({ ...input, account: e.account })
  }
}

/** Thrown inside a transaction that found the caller's row folded into `account` (nothing written). */
class MergedInto {
  constructor(readonly account: string) {}
}

async function bindOnce(store: BindingStore, input: BindPhoneInput): Promise<Result<BindOutcome>> {
  const id = phoneIndexId(input.phone.e164)
  const attempts = Math.max(1, input.maxAttempts ?? 3)
  const observed: Observed = { phoneVersion: 0 }
  let claimFirst = true
  let adoptionTried = false
  /** Once per bind: folds the owner into the caller's unionid account if it provably is the caller's. */
  const adopt = async (owner: PhoneIndexDoc) => {
    if (adoptionTried) return false
    adoptionTried = true
    return adoptOwnAccount(store, input, owner)
  }
  for (let attempt = 1; ; attempt++) {
    const optimistic = claimFirst
    claimFirst = false
    try {
      return ok(await store.runTransaction((tx) => bindInTx(tx, input, id, optimistic, observed)))
    } catch (e) {
      if (e instanceof OwnedByOther) {
        if (await adopt(e.owner)) {
          attempt--
          continue
        }
        return refuse(store, input, e.owner, observed)
      }
      if (optimistic && isDuplicateKeyError(e)) {
        // The claim hit an existing entry: not a lost race but the question "whose is it?".
        // Under `reject` a committed read answers it: owned by another account at that moment
        // is a correct PHONE_ALREADY_BOUND, without a second transaction. Anything else (ours,
        // just released, transfer policy) re-runs with reads, and this re-run does not use up
        // `maxAttempts` (even 1 still reaches a real answer).
        if ((input.policy ?? 'reject') === 'reject' && store.peekPhoneIndex) {
          const owner = await store.peekPhoneIndex(id)
          if (owner && owner.openid !== accountOf(input) && !(await adopt(owner))) return refuse(store, input, owner, observed)
        }
        attempt--
        continue
      }
      // A racer inserted the index (or changed what we read) first: re-read and decide again.
      if (isDuplicateKeyError(e) || isTransactionConflict(e)) {
        if (attempt < attempts) continue
        return fail('BINDING_CONFLICT')
      }
      throw e
    }
  }
}

/**
 * The number is held by the caller's OWN older openid account (bound before the deployment keyed
 * accounts by unionid, not yet migrated): fold it into the caller's unionid account, then bind
 * again. `mergeAccounts` decides the proof (the owner is the caller's getWXContext OPENID, or its
 * stored unionid is the caller's); anyone else's account is refused there and stays untouched.
 * Only on the conflict path, so the common path costs nothing more.
 */
async function adoptOwnAccount(store: BindingStore, input: BindPhoneInput, owner: PhoneIndexDoc): Promise<boolean> {
  const key = accountOf(input)
  if (!input.unionid || key !== unionAccountKey(input.unionid) || isUnionAccountKey(owner.openid)) return false
  const merged = await mergeAccounts(store, { from: owner.openid, unionid: input.unionid, callerOpenid: input.openid, now: input.now })
  // Any answer but a refusal re-runs the bind once with reads: folded now, or already folded by a
  // racing migration; if the number is still someone else's, that re-run refuses.
  return merged.ok
}

async function refuse(store: BindingStore, input: BindPhoneInput, owner: PhoneIndexDoc, observed: Observed): Promise<Result<BindOutcome>> {
  await appendConflict(store, input, owner, observed)
  return fail('PHONE_ALREADY_BOUND')
}

/**
 * One bind attempt. `claimFirst`: insert the index entry before knowing whether it exists (it
 * throws DuplicateKeyError if it does — here or at commit — and the caller re-runs with reads).
 * Not for the caller's own current number: that is the double-tap case, answered by a read.
 */
async function bindInTx(tx: BindingTx, input: BindPhoneInput, id: string, claimFirst: boolean, observed: Observed): Promise<BindOutcome> {
  const { phone, source } = input
  // Below, `openid` is the owning account's key; the caller's own openid is `input.openid`.
  const openid = accountOf(input)
  const actor = actorOf(input)
  const user = await tx.getUser(openid)
  if (user?.mergedInto) throw new MergedInto(user.mergedInto)
  observed.phoneVersion = user?.phoneVersion ?? 0
  // This attempt's version and time: if it commits, its writes carry them.
  const version = observed.phoneVersion + 1
  const now = timeOf(input.now)
  const current = user?.phone ?? null
  const sameNumber = current !== null && current.e164 === phone.e164
  const claimed = claimFirst && !sameNumber
  if (claimed) await tx.insertPhoneIndex({ _id: id, openid, boundAt: now, phoneVersion: version })
  // After a successful claim the index is ours by construction: nothing to read.
  const index = claimed ? null : await tx.getPhoneIndex(id)
  const ownedByOther = index !== null && index.openid !== openid

  if (ownedByOther && (input.policy ?? 'reject') === 'reject') throw new OwnedByOther(index)
  if (user && sameNumber && index !== null && !ownedByOther) return { user, change: 'unchanged' } // idempotent: no write

  const events: PhoneEvent[] = []
  const previousMasked = current && !sameNumber ? current.masked : undefined
  let change: BindChange = sameNumber ? 'unchanged' : current ? 'rebound' : 'bound'

  if (ownedByOther) {
    // transfer policy: the previous owner loses the number, inside the same transaction.
    const other = await tx.getUser(index.openid)
    let otherPhoneVersion: number | undefined
    if (other?.phone && other.phone.e164 === phone.e164) {
      otherPhoneVersion = (other.phoneVersion ?? 0) + 1
      await tx.putUser({ ...other, phone: null, updatedAt: now, phoneVersion: otherPhoneVersion })
    }
    await replacePhoneIndex(tx, { _id: id, openid, boundAt: now, phoneVersion: version })
    change = 'transferred'
    events.push({ type: 'transfer', openid, ...actor, otherOpenid: index.openid, masked: phone.masked, previousMasked, source, phoneVersion: version, ...(otherPhoneVersion ? { otherPhoneVersion } : {}), at: now })
  }
  if (current && !sameNumber) {
    // Release the old number so someone else can bind it; only if it is really ours.
    const oldId = phoneIndexId(current.e164)
    const old = await tx.getPhoneIndex(oldId)
    if (old && old.openid === openid) await tx.deletePhoneIndex(oldId)
  }
  if (index === null && !claimed) await tx.insertPhoneIndex({ _id: id, openid, boundAt: now, phoneVersion: version })

  const bound: BoundPhone = { ...phone, source, verifiedAt: now }
  const next: UserDoc = user
    ? { ...user, phone: bound, updatedAt: now, phoneVersion: version, ...(input.unionid ? { unionid: input.unionid } : {}) }
    : { _id: openid, openid: input.openid, appid: input.appid, ...(input.unionid ? { unionid: input.unionid } : {}), phone: bound, createdAt: now, updatedAt: now, phoneVersion: version }
  await tx.putUser(next)
  // A repaired index (user doc had the number, index was missing) is audited as a bind.
  if (change !== 'transferred') events.push({ type: change === 'rebound' ? 'rebind' : 'bind', openid, ...actor, masked: phone.masked, previousMasked, source, phoneVersion: version, at: now })
  for (const e of events) await tx.addEvent(e)
  return { user: next, change }
}

/** Replaces the existing index entry `entry._id` (a new owner): in place where the store can, else delete + insert. */
export async function replacePhoneIndex(tx: BindingTx, entry: PhoneIndexDoc): Promise<void> {
  if (tx.putPhoneIndex) await tx.putPhoneIndex(entry)
  else {
    await tx.deletePhoneIndex(entry._id)
    await tx.insertPhoneIndex(entry)
  }
}

/**
 * A refused claim changes nothing, so its event takes no version of its own: it repeats what it
 * observed — the caller's `phoneVersion` and the owner's, as recorded on the index entry — and
 * sits in both users' histories right after the change that produced that state.
 */
async function appendConflict(store: BindingStore, input: BindPhoneInput, owner: PhoneIndexDoc, observed: Observed): Promise<void> {
  const event: PhoneEvent = {
    type: 'conflict',
    openid: accountOf(input),
    ...actorOf(input),
    otherOpenid: owner.openid,
    masked: input.phone.masked,
    source: input.source,
    phoneVersion: observed.phoneVersion,
    ...(owner.phoneVersion ? { otherPhoneVersion: owner.phoneVersion } : {}),
    at: timeOf(input.now),
  }
  try {
    if (store.appendEvent) await store.appendEvent(event)
    else await store.runTransaction((tx) => tx.addEvent(event))
  } catch (err) {
    input.onAuditFailure?.(err)
  }
}

/** Releases the caller's number. Idempotent: nothing bound → `{released: false}`, no write. */
export async function unbindPhone(store: BindingStore, input: { openid: string; account?: string; now: Clock; maxAttempts?: number }): Promise<Result<{ released: boolean }>> {
  return retryingConflicts(input.maxAttempts, () => followingMerge(input, (i) => store.runTransaction((tx) => unbindInTx(tx, accountOf(i), actorOf(i), i.now))))
}

/**
 * Runs `run` (a transaction) again when it loses an optimistic race, `maxAttempts` times in all
 * (default 3), then answers BINDING_CONFLICT. Anything else it throws is thrown on.
 */
export async function retryingConflicts<T>(maxAttempts: number | undefined, run: () => Promise<T>): Promise<Result<T>> {
  const attempts = Math.max(1, maxAttempts ?? 3)
  for (let attempt = 1; ; attempt++) {
    try {
      return ok(await run())
    } catch (e) {
      if (isTransactionConflict(e)) {
        if (attempt < attempts) continue
        return fail('BINDING_CONFLICT')
      }
      throw e
    }
  }
}

async function unbindInTx(tx: BindingTx, openid: string, actor: Actor, clock: Clock): Promise<{ released: boolean }> {
  const user = await tx.getUser(openid)
  if (user?.mergedInto) throw new MergedInto(user.mergedInto)
  if (!user?.phone) return { released: false }
  const now = timeOf(clock)
  const phoneVersion = (user.phoneVersion ?? 0) + 1
  const id = phoneIndexId(user.phone.e164)
  const index = await tx.getPhoneIndex(id)
  if (index && index.openid === openid) await tx.deletePhoneIndex(id)
  await tx.putUser({ ...user, phone: null, updatedAt: now, phoneVersion })
  await tx.addEvent({ type: 'unbind', openid, ...actor, masked: user.phone.masked, source: user.phone.source, phoneVersion, at: now })
  return { released: true }
}

/** What the client may see of a bound number; the full E.164 only when the deployment opts in. */
export function toPhoneView(bound: BoundPhone, options: { revealFull: boolean }): PhoneView {
  // Stores may hand back a Date, an ISO string or epoch ms; the contract is ISO-8601.
  const verifiedAt = new Date(bound.verifiedAt as Date | string | number).toISOString()
  const view: PhoneView = { masked: bound.masked, countryCode: bound.countryCode, source: bound.source, verifiedAt }
  if (options.revealFull) view.e164 = bound.e164
  return view
}
