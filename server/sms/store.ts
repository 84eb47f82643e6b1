/**
 * @module server/sms/store — SMS codes and send counters in CloudBase (read/write false for
 * clients, like every phonebind collection).
 *
 *   sms_codes     `_id` = openid: the caller's one live code — hashed (./codes.ts), its number
 *                 masked only, expiry, wrong attempts, used. A new code replaces the last.
 *   sms_counters  `n<tag>-<day>` (sends to a number; the tag is a keyed HMAC of it, ./codes.ts
 *                 numberTag, so the collection names no number), `u<openid>-<day>` (codes a user
 *                 asked for), `app-<day>` (all codes): what ./limits.ts decides on.
 *
 * Sending first takes one of the day's app-wide sends with an atomic conditional increment
 * (`count < appPerDay`), OUTSIDE any transaction: every send writes that one document, and inside
 * the transaction concurrent sends to different numbers collided on it (20 at once: 4-5 failed
 * with SMS_SEND_FAILED after 4 tries). The database applies the increments one by one, so the
 * cap stays exact. A send refused afterwards gives its slot back; a function that dies in between
 * leaves the day's total one too high (the safe side). Then the per-number and per-user counters
 * are read, checked and written with the new code in ONE transaction, so two concurrent requests
 * for one number cannot both pass the interval (the emulator and CloudBase detect the write–write
 * conflict; the loser retries and then sees the first send). Verifying uses conditional updates, each one atomic in the database: an attempt is
 * CLAIMED (attempts < max) before the code is compared, so concurrent guesses get at most
 * `maxAttempts` comparisons between them; the code is consumed by `used: false → true`, which
 * exactly one of two concurrent correct verifications wins.
 */
import type { PhoneRecord } from '../../core/phone'
import type { CollectionRef, Database, TransactionRef } from '../cloud'
import { isDuplicateKey, isTransactionConflict } from '../failures'
import { numberTag } from './codes'
import type { SmsLimits } from './config'
import { checkSendLimits, chinaDay, type LimitVerdict } from './limits'

export const SMS_CODES = 'sms_codes'
export const SMS_COUNTERS = 'sms_counters'

/** One issued code as stored. Never the code, never the full number. */
export interface SmsCodeDoc {
  nonce: string
  hash: string
  masked: string
  sentAt: Date
  expiresAt: Date
  attempts: number
  used: boolean
}

interface Command {
  inc(n: number): unknown
  lt(v: number): unknown
  gt(v: number): unknown
}
interface WhereRef {
  update(options: { data: Record<string, unknown> }): Promise<{ stats?: { updated?: number } }>
}
type QueryableCollection = CollectionRef & { where(query: unknown): WhereRef }
type CommandDatabase = Database & { command: Command }

/** Transaction attempts when concurrent sends collide on a counter. */
const RESERVE_ATTEMPTS = 4

export interface Reservation {
  openid: string
  phone: PhoneRecord
  now: Date
  limits: SmsLimits
  code: Omit<SmsCodeDoc, 'attempts' | 'used'>
  /** Key material of the number tag (the SMS config's `codeKey`). */
  keyMaterial: string
}

/** The `_id` of the counter of sends to `e164` on China day `day`. */
export function phoneCounterId(e164: string, day: string, keyMaterial: string): string {
  return `n${numberTag(e164, keyMaterial)}-${day}`
}

export type ReserveOutcome = LimitVerdict | { ok: false; code: 'CONFLICT' }

async function counter(t: TransactionRef, id: string): Promise<Record<string, unknown>> {
  const { data } = await t.collection(SMS_COUNTERS).doc(id).get()
  return data ?? {}
}

/** The `_id` of the mini program's send total on China day `day`. */
export function appCounterId(day: string): string {
  return `app-${day}`
}

/**
 * Takes one of the day's `cap` app-wide sends: `count < cap → count + 1` in one atomic update, or
 * the day's first send creates the document. False when the day's sends are all taken.
 */
async function takeAppSend(db: Database, day: string, cap: number): Promise<boolean> {
  const _ = (db as CommandDatabase).command
  const rows = db.collection(SMS_COUNTERS) as QueryableCollection
  const id = appCounterId(day)
  const take = async () => ((await rows.where({ _id: id, count: _.lt(cap) }).update({ data: { count: _.inc(1) } })).stats?.updated ?? 0) > 0
  if (await take()) return true
  if (cap < 1) return false
  try {
    await rows.add({ data: { _id: id, day, count: 1 } })
    return true
  } catch (e) {
    if (!isDuplicateKey(e)) throw e
    return take() // another send created it meanwhile: one more try, then it is full
  }
}

/** Gives back a slot taken by `takeAppSend` for a send that was refused after all. */
async function returnAppSend(db: Database, day: string): Promise<void> {
  const _ = (db as CommandDatabase).command
  await (db.collection(SMS_COUNTERS) as QueryableCollection).where({ _id: appCounterId(day), count: _.gt(0) }).update({ data: { count: _.inc(-1) } })
}

/** Checks the limits and, if they allow, counts the send and stores the code (see the module note). */
export async function reserveSend(db: Database, r: Reservation): Promise<ReserveOutcome> {
  const day = chinaDay(r.now)
  if (!(await takeAppSend(db, day, r.limits.appPerDay))) return { ok: false, code: 'SMS_DAILY_LIMIT', which: 'app' }
  let outcome: ReserveOutcome | undefined
  try {
    outcome = await reserveForNumber(db, r, day)
    return outcome
  } finally {
    // Refused, collided or threw: this send is not sent, so it does not count against the app.
    if (!outcome?.ok) await returnAppSend(db, day).catch(() => undefined)
  }
}

/** The per-number and per-user limits and the new code, in one transaction (retried on a collision). */
async function reserveForNumber(db: Database, r: Reservation, day: string): Promise<ReserveOutcome> {
  const ids = { phone: phoneCounterId(r.phone.e164, day, r.keyMaterial), user: `u${r.openid}-${day}` }
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.runTransaction(async (t) => {
        const [phone, user] = await Promise.all([counter(t, ids.phone), counter(t, ids.user)])
        const phoneSends = Array.isArray(phone.sends) ? (phone.sends as unknown[]).filter((x): x is number => typeof x === 'number') : []
        const userCount = typeof user.count === 'number' ? user.count : 0
        const verdict = checkSendLimits({ phoneSends, userCount }, r.now.getTime(), r.limits)
        if (!verdict.ok) return verdict
        const counters = t.collection(SMS_COUNTERS)
        await counters.doc(ids.phone).set({ data: { day, sends: [...phoneSends, r.now.getTime()] } })
        await counters.doc(ids.user).set({ data: { day, count: userCount + 1 } })
        await t.collection(SMS_CODES).doc(r.openid).set({ data: { ...r.code, attempts: 0, used: false } })
        return verdict
      }, 0)
    } catch (e) {
      if (!isTransactionConflict(e)) throw e
      if (attempt >= RESERVE_ATTEMPTS) return { ok: false, code: 'CONFLICT' }
    }
  }
}

/** Marks a code whose text could not be sent as used, so it can never be verified. */
export async function discardCode(db: Database, openid: string, nonce: string): Promise<void> {
  await (db.collection(SMS_CODES) as QueryableCollection).where({ _id: openid, nonce }).update({ data: { used: true } })
}

export interface CodeStore {
  /** The caller's live code, or null. */
  read(openid: string): Promise<SmsCodeDoc | null>
  /** Claims one attempt at `nonce`; false when it is used, replaced or out of attempts. */
  claimAttempt(openid: string, nonce: string, maxAttempts: number): Promise<boolean>
  /** Consumes `nonce`; false when another verification consumed it first. */
  consume(openid: string, nonce: string, at: Date): Promise<boolean>
}

export function cloudCodeStore(database: Database): CodeStore {
  const db = database as CommandDatabase
  const _ = db.command
  const rows = () => db.collection(SMS_CODES) as QueryableCollection
  return {
    async read(openid) {
      const { data } = await rows().doc(openid).get()
      if (!data) return null
      const at = (v: unknown) => (v instanceof Date ? v : new Date(String(v)))
      return { ...(data as unknown as SmsCodeDoc), sentAt: at(data.sentAt), expiresAt: at(data.expiresAt) }
    },
    async claimAttempt(openid, nonce, maxAttempts) {
      const res = await rows().where({ _id: openid, nonce, used: false, attempts: _.lt(maxAttempts) }).update({ data: { attempts: _.inc(1) } })
      return (res.stats?.updated ?? 0) > 0
    },
    async consume(openid, nonce, at) {
      const res = await rows().where({ _id: openid, nonce, used: false }).update({ data: { used: true, usedAt: at } })
      return (res.stats?.updated ?? 0) > 0
    },
  }
}
