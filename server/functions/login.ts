/**
 * @module server/functions/login — `login {code?}`: upserts the caller, and on the legacy path
 * exchanges a `wx.login` code for a server-side session key — exchange first, so a refused
 * code writes nothing.
 *
 * The code exchange only happens when the deployment has an AppSecret (otherwise the code is
 * ignored: the code and cloudID paths need no session key). The exchanged openid must equal
 * the caller's: a code from another user would plant that user's key under this account.
 *
 * Two concurrent logins of one user (app launch and a page both call wx.login) rotate the key
 * twice; the key kept is the one of the exchange WeChat answered last (`putIfNewer`), whatever
 * order the two database writes land in (red-team F6).
 */
import type { LoginData, Result } from '../../core/contracts'
import { fail, ok } from '../../core/errors'
import { parseLoginRequest } from '../../core/validate'
import type { Invocation } from '../handler'
import { exchangeJsCode } from '../jscode2session'
import { cloudSessionStore } from '../sessions'
import { upsertUserOnLogin } from '../users'
import { phoneViewOf } from '../view'

export async function login(event: unknown, inv: Invocation): Promise<Result<LoginData>> {
  const req = parseLoginRequest(event)
  if (!req.ok) return req
  const now = inv.now()
  const sessions = cloudSessionStore(inv.db)
  const secret = inv.config.appSecret
  const code = secret !== undefined ? req.data.code : undefined
  // Exchange before writing anything: a refused code (reused 40163, invalid, busy, another
  // user's) must leave `users` and `sessions` as they were. The code is exchanged once and
  // never retried, whatever happens after.
  let exchanged: { sessionKey: string; receivedAt: number } | undefined
  if (secret !== undefined && code !== undefined) {
    const out = await exchangeJsCode(code, { baseUrl: inv.config.wechatApiBase, appid: inv.appid, secret, timeoutMs: inv.config.wechatTimeoutMs })
    if (!out.ok) {
      inv.log.warn('jscode2session failed', { failure: out.error.code, errcode: out.error.wechatCode })
      return out
    }
    if (out.session.openid !== inv.openid) {
      inv.log.warn('jscode2session returned another openid: key not stored')
      return fail('JS_CODE_INVALID')
    }
    exchanged = out.session
  }
  const { before, created } = await upsertUserOnLogin(inv.db, inv, now)
  let legacyReady = false
  if (exchanged !== undefined) {
    const stored = await sessions.putIfNewer(inv.openid, exchanged.sessionKey, exchanged.receivedAt, now, created)
    // Not stored means a concurrent login's later exchange is stored: legacy is ready either way.
    if (!stored) inv.log.info('session key superseded by a later exchange: not stored')
    legacyReady = true
  } else if (secret !== undefined) {
    legacyReady = (await sessions.get(inv.openid)) !== null
  }
  const data: LoginData = { openid: inv.openid, appid: inv.appid, phone: phoneViewOf(before, inv.config.returnFullPhone), legacyReady, created }
  if (inv.unionid) data.unionid = inv.unionid
  return ok(data)
}
