/**
 * @module emulator/wechat/session — `GET /sns/jscode2session` (code2Session), facts §4.1.
 *
 * Credentials are checked before the code, so a wrong secret never spends it. A js code is single use (reuse →
 * 40163 with a `req_id` hint) and lives 5 minutes (then 40029, like an unknown one). Each
 * successful exchange rotates the user's session key.
 */
import type { SimulatedWeChat } from './wechat'

export interface Jscode2SessionQuery {
  appid?: string
  secret?: string
  js_code?: string
  grant_type?: string
}

export type Jscode2SessionResponse = { openid: string; session_key: string; unionid?: string } | { errcode: number; errmsg: string }

export async function exchangeJsCode(wx: SimulatedWeChat, q: Jscode2SessionQuery): Promise<Jscode2SessionResponse> {
  const fail = (errcode: number, errmsg: string, openid?: string): Jscode2SessionResponse => {
    wx.emit('jscode2session', errcode, openid)
    return { errcode, errmsg: `${errmsg}, rid: ${wx.ids.rid()}` }
  }
  const app = q.appid ? wx.state.apps[q.appid] : undefined
  if (!q.appid) return fail(41002, 'appid missing')
  if (!app) return fail(40013, 'invalid appid')
  if (!q.secret) return fail(41004, 'appsecret missing')
  if (q.secret !== app.secret) return fail(40125, 'invalid appsecret')
  if (q.grant_type !== 'authorization_code') return fail(40002, 'invalid grant_type')
  if (!q.js_code) return fail(41008, 'missing code')
  const fault = await wx.fault('jscode2session')
  const entry = wx.state.jsCodes[q.js_code]
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
  const sessionKey = wx.rotateSession(user)
  wx.emit('jscode2session', 0, user.openid)
  return { openid: user.openid, session_key: sessionKey, ...(user.unionid ? { unionid: user.unionid } : {}) }
}
