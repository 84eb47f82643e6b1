/**
 * @module server/sessions — the server-side `session_key` store (`sessions` collection, `_id`
 * = openid). One row per user because WeChat keeps only one valid key per user; decrypting uses
 * the row exactly as it was read (reference §8).
 *
 * The row also guards the legacy path (red-team F1, F6, F9), every rule a single conditional
 * write so that concurrent calls cannot slip past it:
 * - **latest exchange wins** (`exchangedAt`): a key is stored only over an older exchange's, so
 *   two concurrent logins keep the key of the jscode2session answer that arrived last, which is
 *   the one WeChat still honours — never the one whose database write happened to land last;
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
import { isDuplicateKey } from './failures'

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
   * Stores the key of a jscode2session answer received at `exchangedAt` (epoch ms) unless a
   * later answer's key is already stored. `likelyNew` (the user row was just created) tries the
   * insert first. Resolves `false` when a newer key won.
   */
  putIfNewer(openid: string, sessionKey: string, exchangedAt: number, now: Date, likelyNew?: boolean): Promise<boolean>
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
  lt(v: number): unknown
  gte(v: number): unknown
  exists(b: boolean): unknown
  nin(values: unknown[]): unknown
  push(values: unknown[]): unknown
  remove(): unknown
  or(conditions: Record<string, unknown>[]): unknown
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

    async putIfNewer(openid, sessionKey, exchangedAt, now, likelyNew = false) {
      const row = { session_key: sessionKey, exchangedAt, updatedAt: now, failures: 0 }
      const insert = async () => {
        try {
          await rows().add({ data: { _id: openid, ...row } })
          return true
        } catch (e) {
          if (!isDuplicateKey(e)) throw e
          return false // a concurrent login inserted first: compare with its exchange below
        }
      }
      if (likelyNew && (await insert())) return true
      // Bounded: each round either writes, sees a newer key, or lost an insert race to a row
      // that the next round's conditional update then compares with.
      for (let round = 0; round < 3; round++) {
        // Rows written before `exchangedAt` existed count as older than any exchange.
        const older = _.or([{ _id: openid, exchangedAt: _.lt(exchangedAt) }, { _id: openid, exchangedAt: _.exists(false) }])
        const res = await rows().where(older).update({ data: { ...row, consumed: _.remove() } })
        if ((res.stats?.updated ?? 0) > 0) return true
        const { data } = await rows().doc(openid).get()
        if (data) {
          if (typeof data.exchangedAt === 'number' && data.exchangedAt >= exchangedAt) return false
          continue // replaced by an older exchange between our two requests: compare again
        }
        if (await insert()) return true
      }
      return false
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
