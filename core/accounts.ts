/**
 * @module accounts — who owns a number: the ACCOUNT, keyed by unionid where the deployment asks
 * for it and WeChat gives one, by openid otherwise; and the audited fold of an openid account into
 * the unionid account of the same person (used by the migration and by the client's merge).
 *
 * Why unionid: one person using two mini programs of one Open Platform account has two openids
 * but one unionid ("同一用户，对同一个微信开放平台下的不同应用，UnionID是相同的",
 * https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/union-id.html). Keyed by
 * openid, the second app gets PHONE_ALREADY_BOUND for the person's own number. WeChat puts
 * `UNIONID` in `cloud.getWXContext()` only "小程序端调用云函数，并且满足 unionid 获取条件" (the mini
 * program is bound to an Open Platform account; https://developers.weixin.qq.com/miniprogram/dev/wxcloud/reference-server-api/utils/getWXContext.html),
 * so an account without one stays keyed by its openid.
 *
 * The key `un_<unionid>` carries a prefix so an account key says which kind it is and can never
 * equal an openid, whatever WeChat's two id spaces look like.
 */
import { fail } from './errors'
import { replacePhoneIndex, retryingConflicts, timeOf, type BindingStore, type BindingTx, type BoundPhone, type Clock, type PhoneEvent, type UserDoc } from './binding'
import type { Result } from './contracts'
import { phoneIndexId } from './phone'

/** How accounts are keyed: `openid` (one account per app user, the historical model) or `unionid`. */
export type AccountKeyPolicy = 'openid' | 'unionid'

export const UNION_ACCOUNT_PREFIX = 'un_'

/** The account key of a caller (identity from getWXContext only). */
export function accountKeyOf(who: { openid: string; unionid?: string }, policy: AccountKeyPolicy): string {
  return policy === 'unionid' && who.unionid ? unionAccountKey(who.unionid) : who.openid
}

export const unionAccountKey = (unionid: string): string => UNION_ACCOUNT_PREFIX + unionid
export const isUnionAccountKey = (key: string): boolean => key.startsWith(UNION_ACCOUNT_PREFIX)

export interface MergeAccountsInput {
  /** The openid account to fold (a `users._id` that is an openid). */
  from: string
  /** The unionid of the account it folds into (`un_<unionid>`). */
  unionid: string
  /**
   * The openid of the client asking (from getWXContext), or absent when no client is involved
   * (the migration). See `proven` for what it is allowed to prove.
   */
  callerOpenid?: string
  now: Clock
  /** Transaction attempts on a lost optimistic race (default 3). */
  maxAttempts?: number
}

export type MergeOutcome =
  /** Nothing to fold: no such account, or it was folded already (idempotent). */
  | { merged: false; reason: 'absent' | 'already' }
  /** Folded. `kept`: whose number the unionid account holds now; `released`: the masked number given up. */
  | { merged: true; kept: 'none' | 'from' | 'into'; released?: string }

/**
 * Proof that `from` belongs to the person whose unionid is `unionid` — both sides must be the
 * caller, and a client names neither (no field of the request is read for identity):
 * - the unionid account is the caller's because its key comes from the caller's own
 *   getWXContext().UNIONID (server code passes it, never a request field);
 * - the openid account is the caller's if it IS the caller's getWXContext().OPENID, or if the
 *   unionid stored on it equals the caller's unionid. That stored value was written only by
 *   phonebind's functions from that openid's own getWXContext (login and bind; clients can
 *   neither read nor write `users`), so it is WeChat's word that the two ids are one person.
 * An account whose stored unionid differs (e.g. the mini program moved to another Open Platform
 * account) is not folded through the stored value: only its own openid can claim it.
 */
function proven(doc: UserDoc, input: MergeAccountsInput): boolean {
  return doc.unionid === input.unionid || (input.callerOpenid !== undefined && doc._id === input.callerOpenid)
}

class NotProven {}

/**
 * Folds the openid account `from` into the unionid account, in one transaction: the phone (see
 * conflict rules below), the index entry, and a tombstone (`mergedInto`) left on `from` so a re-run
 * is a no-op and the trail keeps its history. Audited: a `merge` event always, plus the ordinary
 * `transfer` / `unbind` events for each number that changed hands, so ./auditTrail.ts replays it.
 *
 * When both accounts hold a number (they cannot hold the same one: the index is unique), the one
 * verified LAST stays and the other is released: an account holds one number, and the newer
 * verification is the person's latest word on which number is theirs (a tie keeps the unionid
 * account's). Nothing is ever taken from a third account: an index entry owned by someone else is
 * left alone and the folded account simply stops claiming that number.
 */
export async function mergeAccounts(store: BindingStore, input: MergeAccountsInput): Promise<Result<MergeOutcome>> {
  if (isUnionAccountKey(input.from) || input.unionid === '') return fail('ACCOUNT_MERGE_REFUSED')
  try {
    return await retryingConflicts(input.maxAttempts, () => store.runTransaction((tx) => foldInTx(tx, input)))
  } catch (e) {
    if (e instanceof NotProven) return fail('ACCOUNT_MERGE_REFUSED')
    throw e
  }
}

const later = (a: BoundPhone, b: BoundPhone) => new Date(a.verifiedAt as Date | string).getTime() > new Date(b.verifiedAt as Date | string).getTime()

async function foldInTx(tx: BindingTx, input: MergeAccountsInput): Promise<MergeOutcome> {
  const from = await tx.getUser(input.from)
  if (!from) return { merged: false, reason: 'absent' }
  if (from.mergedInto) return { merged: false, reason: 'already' }
  if (!proven(from, input)) throw new NotProven()
  const intoKey = unionAccountKey(input.unionid)
  const into = await tx.getUser(intoKey)
  const now = timeOf(input.now)
  const actor = input.callerOpenid && input.callerOpenid !== intoKey ? { actorOpenid: input.callerOpenid } : {}
  let fromVersion = from.phoneVersion ?? 0
  let intoVersion = into?.phoneVersion ?? 0
  const fp = from.phone ?? null
  const tp = into?.phone ?? null
  const events: PhoneEvent[] = []
  let intoPhone = tp
  let kept: 'none' | 'from' | 'into' = tp ? 'into' : 'none'
  let released: string | undefined

  if (fp) {
    const fid = phoneIndexId(fp.e164)
    const fIndex = await tx.getPhoneIndex(fid)
    const fromOwnsIt = fIndex === null || fIndex.openid === input.from
    const takeIt = fromOwnsIt && (!tp || (tp.e164 !== fp.e164 && later(fp, tp)))
    fromVersion += 1
    if (takeIt) {
      if (tp) {
        // The unionid account gives up its older number so it can hold the newer one.
        const tid = phoneIndexId(tp.e164)
        const tIndex = await tx.getPhoneIndex(tid)
        if (tIndex && tIndex.openid === intoKey) await tx.deletePhoneIndex(tid)
        released = tp.masked
      }
      intoVersion += 1
      const entry = { _id: fid, openid: intoKey, boundAt: now, phoneVersion: intoVersion }
      if (fIndex === null) await tx.insertPhoneIndex(entry)
      else await replacePhoneIndex(tx, entry)
      intoPhone = fp
      kept = 'from'
      events.push({ type: 'transfer', openid: intoKey, ...actor, otherOpenid: input.from, masked: fp.masked, ...(tp ? { previousMasked: tp.masked } : {}), source: fp.source, phoneVersion: intoVersion, otherPhoneVersion: fromVersion, at: now })
    } else {
      // The folded account stops claiming its number: released if it owned the index entry
      // (the same number on both sides — damaged data — stays with the unionid account).
      if (fIndex && fIndex.openid === input.from) {
        if (tp && tp.e164 === fp.e164) await replacePhoneIndex(tx, { ...fIndex, openid: intoKey, phoneVersion: intoVersion })
        else await tx.deletePhoneIndex(fid)
      }
      if (!tp || tp.e164 !== fp.e164) released = fp.masked
      events.push({ type: 'unbind', openid: input.from, ...(input.callerOpenid && input.callerOpenid !== input.from ? { actorOpenid: input.callerOpenid } : {}), otherOpenid: intoKey, masked: fp.masked, source: fp.source, phoneVersion: fromVersion, at: now })
    }
  }

  const base: UserDoc = into ?? { _id: intoKey, openid: from.openid, appid: from.appid, createdAt: from.createdAt, updatedAt: now, ...(from.lastLoginAt ? { lastLoginAt: from.lastLoginAt } : {}) }
  await tx.putUser({ ...base, unionid: input.unionid, phone: intoPhone, updatedAt: now, phoneVersion: intoVersion })
  await tx.putUser({ ...from, phone: null, updatedAt: now, phoneVersion: fromVersion, mergedInto: intoKey })
  events.push({ type: 'merge', openid: intoKey, ...actor, otherOpenid: input.from, masked: intoPhone?.masked ?? '', phoneVersion: intoVersion, otherPhoneVersion: fromVersion, at: now })
  for (const e of events) await tx.addEvent(e)
  return { merged: true, kept, ...(released ? { released } : {}) }
}
