/**
 * @module server/jscode2session — exchanges a `wx.login` code for `{openid, session_key}`.
 *
 * A js code is single use: a second exchange of the same code fails with 40163, and a retry
 * after -1 / a timeout would spend it for nothing. So this client NEVER retries, and identical
 * codes arriving concurrently (double submit) share one in-flight request: the second caller
 * gets the first caller's outcome instead of a 40163. Once settled the code is forgotten, so a
 * later replay reaches WeChat and gets its honest 40163 (JS_CODE_USED) — nothing secret is
 * kept in memory beyond the request.
 *
 * The request URL carries the AppSecret, so it never goes into an error, a result or a log.
 */
import { createHash } from 'node:crypto'
import type { ErrorInfo } from '../core/contracts'
import { errorInfo } from '../core/errors'
import { fromWeChatErrcode } from '../core/wechatCodes'
import { callWeChat } from './wechatHttp'

export interface Code2Session {
  openid: string
  /** Server only: never returned, logged or put in an error. */
  sessionKey: string
  unionid?: string
}

export type ExchangeOutcome = { ok: true; session: Code2Session } | { ok: false; error: ErrorInfo }

export interface Code2SessionOptions {
  baseUrl: string
  appid: string
  secret: string
  timeoutMs: number
  /** Injected for tests; global fetch by default. */
  fetch?: typeof fetch
}

const inFlight = new Map<string, Promise<ExchangeOutcome>>()

function keyOf(appid: string, code: string): string {
  // Hash so the map never holds the code itself (heap dumps, debug printing).
  return createHash('sha256').update(`${appid}\0${code}`).digest('hex')
}

async function requestOnce(code: string, o: Code2SessionOptions): Promise<ExchangeOutcome> {
  const q = new URLSearchParams({ appid: o.appid, secret: o.secret, js_code: code, grant_type: 'authorization_code' })
  // On NETWORK_ERROR, whatever happened on the wire, the code may be spent: the client must wx.login again.
  const reply = await callWeChat(`${o.baseUrl}/sns/jscode2session?${q.toString()}`, {}, o)
  if (!reply.ok) return reply
  const { body, errcode } = reply
  if (errcode !== 0) return { ok: false, error: fromWeChatErrcode(errcode, 'jscode2session') }
  const { openid, session_key: sessionKey, unionid } = body
  if (typeof openid !== 'string' || typeof sessionKey !== 'string' || openid === '' || sessionKey === '') {
    return { ok: false, error: errorInfo('WECHAT_ERROR') }
  }
  return { ok: true, session: { openid, sessionKey, unionid: typeof unionid === 'string' && unionid !== '' ? unionid : undefined } }
}

/** Exchanges `code` once; concurrent identical calls share that one request. Never throws. */
export function exchangeJsCode(code: string, options: Code2SessionOptions): Promise<ExchangeOutcome> {
  const key = keyOf(options.appid, code)
  const pending = inFlight.get(key)
  if (pending) return pending
  const outcome = requestOnce(code, options).finally(() => inFlight.delete(key))
  inFlight.set(key, outcome)
  return outcome
}

/** For tests: forget remembered exchanges. */
export function resetJsCodeMemory(): void {
  inFlight.clear()
}
