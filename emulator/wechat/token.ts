/**
 * @module emulator/wechat/token — access tokens: `POST /cgi-bin/stable_token`
 * (getStableAccessToken) and `GET /cgi-bin/token` (getAccessToken), and the check every
 * token-authenticated API makes.
 *
 * Documented behaviour followed (developers.weixin.qq.com …/api_getstableaccesstoken;
 * reference/wechat-phone-facts.md §4.3, §11):
 * - stable tokens are isolated from `cgi-bin/token` ones: neither call invalidates the other's;
 * - normal mode returns the CURRENT token with its REMAINING `expires_in`; "普通模式下平台会提前
 *   5 分钟更新 access_token": in its last 5 minutes a new token is issued and the old one stays
 *   valid until it expires;
 * - `force_refresh: true` invalidates the previous token at once and returns a new one; "强制刷新
 *   模式每天限用 20 次且需间隔 30 秒";
 * - POST JSON only (43002 otherwise); wrong appid 40013, wrong secret 40125, grant_type 40002;
 * - a plain `cgi-bin/token` call issues a new token each time; the previous one stays valid for
 *   5 minutes (getAccessToken: "5 分钟内，新老 access_token 都可用").
 * GUESSES (emulator/README.md): the errcodes for breaking the force_refresh limits (45009 past
 * 20 a day, 45011 within 30 s); the day boundary (UTC+8 midnight); token lifetime 7200 s.
 */
import type { AppTokens, IssuedToken } from './snapshot'
import type { WeChatState } from './state'

export type { AppTokens }

export const TOKEN_TTL_S = 7200
/** The platform renews a stable token this long before it expires; old and new overlap. */
export const EARLY_RENEW_S = 300
export const FORCE_PER_DAY = 20
export const FORCE_MIN_GAP_S = 30

type TokenError = { errcode: number; errmsg: string }
export type TokenReply = { access_token: string; expires_in: number } | TokenError

/** The day in Beijing time (UTC+8): WeChat's daily limits reset at its midnight (a guess). */
const beijingDay = (sec: number) => new Date((sec + 8 * 3600) * 1000).toISOString().slice(0, 10)

function tokensOf(state: WeChatState, appid: string): AppTokens {
  let t = state.snapshot.accessTokens[appid]
  if (!t) {
    t = { force: { day: '', count: 0, lastAt: 0 } }
    state.snapshot.accessTokens[appid] = t
  }
  return t
}

function issue(state: WeChatState, now: number): IssuedToken {
  return { token: state.ids.accessToken(), expiresAt: now + TOKEN_TTL_S }
}

function fail(state: WeChatState, errcode: number, errmsg: string): TokenError {
  return { errcode, errmsg: `${errmsg} rid: ${state.ids.rid()}` }
}

/** Checks grant_type, appid and secret as both token APIs do; returns the error reply or undefined. */
function credentialsProblem(state: WeChatState, q: { grant_type?: unknown; appid?: unknown; secret?: unknown }): TokenError | undefined {
  if (q.grant_type !== 'client_credential') return fail(state, 40002, 'invalid grant_type')
  if (typeof q.appid !== 'string' || q.appid === '') return fail(state, 41002, 'appid missing')
  if (typeof q.secret !== 'string' || q.secret === '') return fail(state, 41004, 'appsecret missing')
  const app = state.getApp(q.appid)
  if (!app) return fail(state, 40013, 'invalid appid')
  if (app.secret !== q.secret) return fail(state, 40125, 'invalid appsecret')
  return undefined
}

/** `POST /cgi-bin/stable_token {grant_type, appid, secret, force_refresh?}`. */
export function stableToken(state: WeChatState, body: Record<string, unknown>): TokenReply {
  const problem = credentialsProblem(state, body)
  const appid = typeof body.appid === 'string' ? body.appid : ''
  if (problem) {
    state.emit('stable_token', problem.errcode)
    return problem
  }
  const t = tokensOf(state, appid)
  const now = state.nowSec()
  let reply: TokenReply
  if (body.force_refresh === true) {
    const today = beijingDay(now)
    if (t.force.day !== today) t.force = { day: today, count: 0, lastAt: t.force.lastAt }
    if (t.force.count >= FORCE_PER_DAY) reply = fail(state, 45009, 'reach max api daily quota limit')
    else if (now - t.force.lastAt < FORCE_MIN_GAP_S) reply = fail(state, 45011, 'api minute-quota reach limit mustslower retry next minute')
    else {
      t.force = { day: today, count: t.force.count + 1, lastAt: now }
      // Force mode invalidates the previous token at once: no overlap.
      t.stable = issue(state, now)
      t.stablePrevious = undefined
      reply = { access_token: t.stable.token, expires_in: TOKEN_TTL_S }
    }
  } else {
    if (!t.stable || t.stable.expiresAt <= now) {
      t.stable = issue(state, now)
      t.stablePrevious = undefined
    } else if (t.stable.expiresAt - now <= EARLY_RENEW_S) {
      t.stablePrevious = t.stable
      t.stable = issue(state, now)
    }
    reply = { access_token: t.stable.token, expires_in: t.stable.expiresAt - now }
  }
  state.emit('stable_token', 'errcode' in reply ? reply.errcode : 0)
  state.save()
  return reply
}

/** `GET /cgi-bin/token?grant_type=client_credential&appid&secret`: a new token every call. */
export function plainToken(state: WeChatState, q: { grant_type?: unknown; appid?: unknown; secret?: unknown }): TokenReply {
  const problem = credentialsProblem(state, q)
  if (problem) {
    state.emit('token', problem.errcode)
    return problem
  }
  const t = tokensOf(state, q.appid as string)
  const now = state.nowSec()
  if (t.plain) t.plainPrevious = { token: t.plain.token, expiresAt: Math.min(t.plain.expiresAt, now + EARLY_RENEW_S) }
  t.plain = issue(state, now)
  state.emit('token', 0)
  state.save()
  return { access_token: t.plain.token, expires_in: TOKEN_TTL_S }
}

/**
 * The app an `access_token` belongs to, or the errcode WeChat answers: 41001 missing, 40001
 * "invalid credential, access_token is invalid or not latest" for an unknown, replaced or
 * expired token (WeChat answers 42001 for some expired tokens; 40001 covers them here).
 */
export function appOfToken(state: WeChatState, token: unknown): { appid: string } | { errcode: number; errmsg: string } {
  if (typeof token !== 'string' || token === '') return { errcode: 41001, errmsg: `access_token missing rid: ${state.ids.rid()}` }
  const now = state.nowSec()
  for (const [appid, t] of Object.entries(state.snapshot.accessTokens)) {
    for (const issued of [t.stable, t.stablePrevious, t.plain, t.plainPrevious]) {
      if (issued && issued.token === token && issued.expiresAt > now) return { appid }
    }
  }
  return { errcode: 40001, errmsg: `invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken rid: ${state.ids.rid()}` }
}
