/**
 * @module server/functions/login — `login {code?}`: upserts the caller, and on the legacy path
 * exchanges a `wx.login` code for a server-side session key — exchange first, so a refused
 * code writes nothing.
 *
 * The code exchange only happens when the deployment has an AppSecret (otherwise the code is
 * ignored: the code and cloudID paths need no session key). The exchanged openid must equal
 * the caller's: a code from another user would plant that user's key under this account.
 *
 * Two concurrent logins of one user (app launch and a page both call wx.login) must not leave
 * the older of two rotated keys stored (red-team F6). One exchange per user runs at a time (a
 * lease on the `sessions` row, see server/sessions.ts): a login that finds another one's
 * exchange in flight does not exchange its code, so that exchange is the last WeChat answers and
 * the key it stores is the live one. This also spares a double-submitted code its 40163 across
 * function instances, which the in-process de-duplication of jscode2session cannot.
 */
import { randomUUID } from 'node:crypto'
import type { LoginData, Result } from '../../core/contracts'
import { fail, ok } from '../../core/errors'
import { parseLoginRequest } from '../../core/validate'
import type { Invocation } from '../handler'
import { exchangeJsCode } from '../jscode2session'
import { cloudSessionStore, type SessionStore } from '../sessions'
import { callerAccount, foldOwnRowOnFirstLogin } from '../accounts'
import { upsertUserOnLogin } from '../users'
import { phoneViewOf } from '../view'

export async function login(event: unknown, inv: Invocation): Promise<Result<LoginData>> {
  const req = parseLoginRequest(event)
  if (!req.ok) return req
  const now = inv.now()
  const sessions = cloudSessionStore(inv.db)
  const secret = inv.config.appSecret
  const code = secret !== undefined ? req.data.code : undefined
  // Exchange before writing anything but the lease: a refused code (reused 40163, invalid,
  // busy, another user's) must leave `users` and `sessions` as they were. The code is exchanged
  // once and never retried, whatever happens after.
  let lease: { id: string; sessionKey: string } | undefined
  let inFlightElsewhere = false
  if (secret !== undefined && code !== undefined) {
    const id = randomUUID()
    // Outlives the exchange (its timeout) and the writes after it, so a lease never expires
    // while its holder can still store a key; a crashed holder blocks exchanges that long.
    const until = new Date(now.getTime() + inv.config.wechatTimeoutMs + LEASE_MARGIN_MS)
    if (await sessions.beginExchange(inv.openid, id, now, until)) {
      const out = await exchangeJsCode(code, { baseUrl: inv.config.wechatApiBase, appid: inv.appid, secret, timeoutMs: inv.config.wechatTimeoutMs })
      if (!out.ok || out.session.openid !== inv.openid) {
        await sessions.abandonExchange(inv.openid, id)
        if (!out.ok) {
          inv.log.warn('jscode2session failed', { failure: out.error.code, errcode: out.error.wechatCode })
          return out
        }
        inv.log.warn('jscode2session returned another openid: key not stored')
        return fail('JS_CODE_INVALID')
      }
      lease = { id, sessionKey: out.session.sessionKey }
    } else {
      inv.log.info('another login of this user is exchanging a code: this code is not exchanged')
      inFlightElsewhere = true
    }
  }
  const account = callerAccount(inv)
  const upserted = await upsertUserOnLogin(inv.db, { openid: inv.openid, appid: inv.appid, unionid: inv.unionid, account }, now)
  const { created } = upserted
  // A new unionid account: fold this caller's own openid row into it now (once per account).
  const before = created && account !== inv.openid ? ((await foldOwnRowOnFirstLogin(inv)) ?? upserted.before) : upserted.before
  const legacyReady = await legacyState(sessions, inv, lease, inFlightElsewhere, now)
  const data: LoginData = { openid: inv.openid, appid: inv.appid, phone: phoneViewOf(before, inv.config.returnFullPhone), legacyReady, created }
  if (inv.unionid) data.unionid = inv.unionid
  return ok(data)
}

/** Extra lease time beyond the jscode2session timeout, for the user upsert and the key write. */
const LEASE_MARGIN_MS = 5000

async function legacyState(sessions: SessionStore, inv: Invocation, lease: { id: string; sessionKey: string } | undefined, inFlightElsewhere: boolean, now: Date): Promise<boolean> {
  if (inv.config.appSecret === undefined) return false
  if (lease) {
    const stored = await sessions.finishExchange(inv.openid, lease.id, lease.sessionKey, now)
    if (!stored) inv.log.warn('exchange lease expired before the key was stored: a later login holds it')
    return true
  }
  // The login holding the lease is about to store the live key.
  if (inFlightElsewhere) return true
  return (await sessions.get(inv.openid)) !== null
}
