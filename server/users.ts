/**
 * @module server/users — the login-time upsert of a `users` row (`_id` = the account key: the
 * openid, or `un_<unionid>` under PHONEBIND_ACCOUNT_KEY=unionid, see core/accounts.ts).
 *
 * Binding writes go through core's `bindPhone` inside a transaction; login only records that
 * the user came by. The first-login race (two `login` calls of one new user) is settled by the
 * database: the loser's insert hits the existing `_id` and it updates instead.
 */
import type { Database } from './cloud'
import { isDuplicateKey } from './failures'

export const USERS = 'users'

export interface Identity {
  /** The account's key (`users._id`); default the openid. */
  account?: string
  openid: string
  appid: string
  unionid?: string
}

export interface UpsertOutcome {
  /** The row as stored before this login (null when this call created it). */
  before: Record<string, unknown> | null
  created: boolean
}

export async function upsertUserOnLogin(db: Database, who: Identity, now: Date): Promise<UpsertOutcome> {
  const key = who.account ?? who.openid
  const ref = db.collection(USERS).doc(key)
  const { data } = await ref.get()
  if (!data) {
    const doc: Record<string, unknown> = { _id: key, openid: who.openid, appid: who.appid, createdAt: now, updatedAt: now, lastLoginAt: now }
    if (who.unionid) doc.unionid = who.unionid
    try {
      await db.collection(USERS).add({ data: doc })
      return { before: null, created: true }
    } catch (e) {
      if (!isDuplicateKey(e)) throw e
    }
  }
  const patch: Record<string, unknown> = { lastLoginAt: now, updatedAt: now }
  if (who.unionid) patch.unionid = who.unionid
  await ref.update({ data: patch })
  const before = data ?? (await ref.get()).data
  // A folded openid row (core/accounts.ts) shows the account it was merged into: the caller came
  // without a unionid this time, but the tombstone was written with proof it is the same person.
  const into = before?.mergedInto
  if (typeof into === 'string' && into !== key) return { before: (await db.collection(USERS).doc(into).get()).data, created: false }
  return { before, created: false }
}
