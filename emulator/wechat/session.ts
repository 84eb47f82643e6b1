/**
 * @module emulator/wechat/session — `wx.login`, `GET /sns/jscode2session` (code2Session, facts §4.1)
 * and session keys.
 *
 * Credentials are checked before the code, so a wrong secret never spends it. A js code is single use (reuse →
 * 40163 with a `req_id` hint) and lives 5 minutes (then 40029, like an unknown one). Each
 * successful exchange rotates the user's session key. Operations over a `WeChatState` (`./state.ts`).
 */
import type { TestUser, WeChatState } from './state'

export interface Jscode2SessionQuery {
  appid?: string
  secret?: string
  js_code?: string
  grant_type?: string
}

export type Jscode2SessionResponse = { openid: string; session_key: string; unionid?: string } | { errcode: number; errmsg: string }

export async function exchangeJsCode(wx: WeChatState, q: Jscode2SessionQuery): Promise<Jscode2SessionResponse> {
  const fail = (errcode: number, errmsg: string, openid?: string): Jscode2SessionResponse => {
    wx.emit('jscode2session', errcode, openid)
    return { errcode, errmsg: `${errmsg}, rid: ${wx.ids.rid()}` }
  }
  const app = q.appid ? wx.snapshot.apps[q.appid] : undefined
  if (!q.appid) return fail(41002, 'appid missing')
  if (!app) return fail(40013, 'invalid appid')
  if (!q.secret) return fail(41004, 'appsecret missing')
  if (q.secret !== app.secret) return fail(40125, 'invalid appsecret')
  if (q.grant_type !== 'authorization_code') return fail(40002, 'invalid grant_type')
  if (!q.js_code) return fail(41008, 'missing code')
  const fault = await wx.fault('jscode2session')
  const entry = wx.snapshot.jsCodes[q.js_code]
  if (fault.errcode === 45011) return fail(45011, 'api minute-quota reach limit mustslower retry next minute')
  if (fault.errcode === -1) {
    // Pessimistic on purpose: a busy WeChat may have consumed the code, so a client that
    // replays it learns (40163) that it must call wx.login again.
    if (entry) entry.used = true
    wx.save()
    return fail(-1, 'system error')
  }
  if (!entry || entry.appid !== app.appid || wx.isExpired(entry.issuedAt)) return fail(40029, 'invalid code')
  if (entry.used) {
    wx.emit('jscode2session', 40163, entry.openid)
    return { errcode: 40163, errmsg: `code been used, hints: [ req_id: ${wx.ids.rid()} ]` }
  }
  entry.used = true
  const user = wx.requireUser(entry.openid)
  const sessionKey = rotateSession(wx, user)
  wx.emit('jscode2session', 0, user.openid)
  return { openid: user.openid, session_key: sessionKey, ...(user.unionid ? { unionid: user.unionid } : {}) }
}

/** `wx.login()` on the user's phone: a fresh single-use js code. */
export function login(wx: WeChatState, openid: string): { code: string } {
  const user = wx.requireUser(openid)
  const code = wx.ids.jsCode()
  wx.snapshot.jsCodes[code] = { code, appid: user.appid, openid, issuedAt: wx.clock.now(), used: false }
  wx.save()
  wx.emit('wx.login', 0, openid)
  return { code }
}

/** The user's current session key, creating one as WeChat would on first use. */
export function currentSessionKey(wx: WeChatState, user: TestUser): string {
  return wx.checkSession(user.openid) ? wx.snapshot.sessions[user.openid]!.sessionKey : rotateSession(wx, user)
}

/** Issues a new session key; the previous one stops working. */
export function rotateSession(wx: WeChatState, user: TestUser): string {
  const sessionKey = wx.ids.sessionKey()
  wx.snapshot.sessions[user.openid] = { openid: user.openid, appid: user.appid, sessionKey, issuedAt: wx.clock.now() }
  wx.save()
  return sessionKey
}

/** Ends a user's session, as if WeChat had dropped the key (checkSession fails). */
export function expireSession(wx: WeChatState, openid: string): void {
  delete wx.snapshot.sessions[openid]
  wx.save()
}
