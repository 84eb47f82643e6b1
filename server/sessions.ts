/**
 * @module server/sessions — the server-side `session_key` store (`sessions` collection, `_id`
 * = openid). One row per user because WeChat keeps only one valid key per user; decrypting uses
 * the row exactly as it was read (reference §8).
 *
 * The row also guards the legacy path (red-team F1, F6, F9), every rule a single conditional
 * write so that concurrent calls cannot slip past it:
 * - **one exchange per user at a time** (`exchanging`, a lease): every jscode2session rotates
 *   the user's key, so only the key of the exchange WeChat answered last still decrypts. Two
 *   concurrent logins (app launch and a page both call wx.login) used to store whichever key's
 *   WRITE landed last. Now a login exchanges its code only while it holds the lease and stores
 *   the key only if it still holds it; a login that finds the lease taken does not exchange at
 *   all, so the holder's exchange IS the last one and its key the live one. Ordering the writes
 *   by when WeChat's answers arrived was tried first and measured: concurrent answers arrive
 *   within a millisecond of each other and process scheduling reorders them (stale in 4–8 of 40
 *   rounds on the emulator, against 9–10 of 40 before), so no timestamp can settle it;
 * - **failure budget** (`failures`): each failed decryption increments it atomically; the write
 *   that brings it to `DECRYPT_FAILURE_BUDGET` removes the row (and `get` ignores a row at the
 *   budget in case that removal was lost), so one key answers a handful of chosen ciphertexts;
 * - **consumed ciphertexts** (`consumed`): digests of the data already bound with this key. They
 *   live here rather than in a collection of their own because they matter only while this key
 *   can decrypt them: a new key (login) or a discarded one drops them with the row, so they need
 *   no expiry sweep and no extra security rule.
 *
 * The collection's security rules deny every client read and write; only functions touch it.
 */
import type { CollectionRef, Database } from './cloud'
import { releaseLease, takeLease } from './lease'

export const SESSIONS = 'sessions'

/** Failed decryptions one stored key survives: the third failure discards it. A genuine user
 * fails at most once per key (the key rotated), then logs in again, which stores a new key. */
export const DECRYPT_FAILURE_BUDGET = 3

/** Consumed ciphertexts remembered per key. Reaching it makes further binds with this key fail
 * (log in again) instead of forgetting old digests, so a digest is never evicted while its key
 * lives: 32 genuine legacy binds without a single new login do not happen. */
export const MAX_CONSUMED_PER_KEY = 32

export interface StoredSession {
  sessionKey: string
  updatedAt: Date
  /** Failed decryptions with this key so far (below the budget: `get` hides a spent key). */
  failures: number
}

export interface FailureOutcome {
  /** False when the key had already been replaced or discarded: nothing was counted. */
  counted: boolean
  /** True when this failure used up the budget and removed the key. */
  discarded: boolean
}

export interface SessionStore {
  /** The stored key, or `null` when there is none or its failure budget is spent. */
  get(openid: string): Promise<StoredSession | null>
  /**
   * Takes the user's exchange lease until `until` (creating the row if there is none). False
   * when another login holds an unexpired lease: its exchange will store the live key, so this
   * login must not exchange its code (that would rotate the key under it).
   */
  beginExchange(openid: string, lease: string, now: Date, until: Date): Promise<boolean>
  /** Stores the exchanged key and gives the lease back; false if the lease was lost (expired
   * and taken by a later login, whose key is then the newer one). Resets failures and digests. */
  finishExchange(openid: string, lease: string, sessionKey: string, now: Date): Promise<boolean>
  /** Gives the lease back after a refused exchange, leaving the row as it was before
   * `beginExchange` (a row it created is removed). */
  abandonExchange(openid: string, lease: string): Promise<void>
  /** Counts one failed decryption with `sessionKey`; removes the key when the budget is spent. */
  recordFailure(openid: string, sessionKey: string): Promise<FailureOutcome>
  /** Marks the ciphertext `digest` consumed with `sessionKey`. False when it already was (a
   * replay), when the key changed meanwhile, or when the key has consumed its maximum. */
  consume(openid: string, sessionKey: string, digest: string): Promise<boolean>
}

// The slice of wx-server-sdk's query/command API this module needs (server/cloud.ts types only
// what every module shares). Satisfied by the real SDK, exercised against the emulator.
interface Command {
  inc(n: number): unknown
  gte(v: number): unknown
  exists(b: boolean): unknown
  nin(values: unknown[]): unknown
  push(values: unknown[]): unknown
  remove(): unknown
}
interface WhereRef {
  update(options: { data: Record<string, unknown> }): Promise<{ stats?: { updated?: number } }>
  remove(): Promise<{ stats?: { removed?: number } }>
}
type QueryableCollection = CollectionRef & { where(query: unknown): WhereRef }
type CommandDatabase = Database & { command: Command }

export function cloudSessionStore(database: Database): SessionStore {
  const db = database as CommandDatabase
  const _ = db.command
  const rows = () => db.collection(SESSIONS) as QueryableCollection
  /** The row of `openid` only while it still holds `sessionKey`. */
  const holding = (openid: string, sessionKey: string, more: Record<string, unknown> = {}) => rows().where({ _id: openid, session_key: sessionKey, ...more })

  return {
    async get(openid) {
      const { data } = await rows().doc(openid).get()
      const key = data?.session_key
      if (typeof key !== 'string' || key === '') return null
      const failures = typeof data?.failures === 'number' ? data.failures : 0
      if (failures >= DECRYPT_FAILURE_BUDGET) return null
      const at = data?.updatedAt
      return { sessionKey: key, updatedAt: at instanceof Date ? at : new Date(String(at)), failures }
    },

    async beginExchange(openid, lease, now, until) {
      // False also when the row exists and its lease is held (or was, a moment ago: then the key
      // stored by that exchange is the live one all the same).
      return takeLease(db, SESSIONS, openid, 'exchanging', lease, now, until)
    },

    async finishExchange(openid, lease, sessionKey, now) {
      return releaseLease(db, SESSIONS, openid, 'exchanging', lease, { session_key: sessionKey, updatedAt: now, failures: 0, consumed: _.remove() })
    },

    async abandonExchange(openid, lease) {
      const created = await rows().where({ _id: openid, exchanging: lease, session_key: _.exists(false) }).remove()
      if ((created.stats?.removed ?? 0) > 0) return
      await releaseLease(db, SESSIONS, openid, 'exchanging', lease, {})
    },

    async recordFailure(openid, sessionKey) {
      // Counted on the key that failed, so a failure never spends the budget of a newer key.
      const inc = await holding(openid, sessionKey).update({ data: { failures: _.inc(1) } })
      const counted = (inc.stats?.updated ?? 0) > 0
      // Decided by the database on the value the increments left, not on what this call read
      // earlier: with concurrent failures every increment lands, and whichever call's removal
      // runs after the count reached the budget removes the row (the others find nothing).
      const rm = await holding(openid, sessionKey, { failures: _.gte(DECRYPT_FAILURE_BUDGET) }).remove()
      return { counted, discarded: (rm.stats?.removed ?? 0) > 0 }
    },

    async consume(openid, sessionKey, digest) {
      const notYet = { consumed: _.nin([digest]), [`consumed.${MAX_CONSUMED_PER_KEY - 1}`]: _.exists(false) }
      const res = await holding(openid, sessionKey, notYet).update({ data: { consumed: _.push([digest]) } })
      return (res.stats?.updated ?? 0) > 0
    },
  }
}
