/**
 * @module server/jscode2session — exchanges a `wx.login` code for `{openid, session_key}`.
 *
 * A js code is single use: a second exchange of the same code fails with 40163, and a retry
 * after -1 / a timeout would spend it for nothing. So this client NEVER retries, and identical
 * codes arriving concurrently (double submit) share one request: the second caller gets the
 * first caller's outcome instead of a 40163. Settled outcomes are remembered for the code's
 * lifetime for the same reason.
 *
 * The request URL carries the AppSecret, so it never goes into an error, a result or a log.
 */
import { createHash } from 'node:crypto'
import type { ErrorCode } from '../core/errors'

export interface Code2Session {
  openid: string
  /** Server only: never returned, logged or put in an error. */
  sessionKey: string
  unionid?: string
}

/** A failure with a catalog code; `wechatCode` is WeChat's errcode when there was one. */
export interface ExchangeFailure {
  code: ErrorCode
  wechatCode?: number
}

export type ExchangeOutcome = { ok: true; session: Code2Session } | { ok: false; failure: ExchangeFailure }

export interface Code2SessionOptions {
  baseUrl: string
  appid: string
  secret: string
  timeoutMs: number
  /** Injected for tests; global fetch by default. */
  fetch?: typeof fetch
  now?: () => number
}

/** jscode2session errcodes → catalog codes (reference §4.1). */
export function jsCodeFailure(errcode: number): ExchangeFailure {
  const table: Record<number, ErrorCode> = {
    [-1]: 'WECHAT_BUSY',
    40029: 'JS_CODE_INVALID',
    40163: 'JS_CODE_USED',
    40226: 'JS_CODE_BLOCKED',
    45011: 'RATE_LIMITED',
    45009: 'DAILY_QUOTA_REACHED',
    40013: 'APP_CREDENTIALS_INVALID',
    40125: 'APP_CREDENTIALS_INVALID',
    41002: 'APP_CREDENTIALS_INVALID',
    41004: 'APP_CREDENTIALS_INVALID',
  }
  return { code: table[errcode] ?? 'WECHAT_ERROR', wechatCode: errcode }
}

// A js code lives 5 minutes; remembering an outcome longer serves no one.
const REMEMBER_MS = 5 * 60 * 1000
const inFlight = new Map<string, { at: number; outcome: Promise<ExchangeOutcome> }>()

function keyOf(appid: string, code: string): string {
  // Hash so the map never holds the code itself (heap dumps, debug printing).
  return createHash('sha256').update(`${appid}\0${code}`).digest('hex')
}

function forget(now: number): void {
  for (const [k, v] of inFlight) if (now - v.at > REMEMBER_MS) inFlight.delete(k)
}

async function requestOnce(code: string, o: Code2SessionOptions): Promise<ExchangeOutcome> {
  const q = new URLSearchParams({ appid: o.appid, secret: o.secret, js_code: code, grant_type: 'authorization_code' })
  const doFetch = o.fetch ?? fetch
  let body: Record<string, unknown>
  try {
    const res = await doFetch(`${o.baseUrl}/sns/jscode2session?${q.toString()}`, { signal: AbortSignal.timeout(o.timeoutMs) })
    if (!res.ok) return { ok: false, failure: { code: 'WECHAT_BUSY' } }
    body = (await res.json()) as Record<string, unknown>
  } catch {
    // Whatever happened on the wire, the code may be spent: the client must wx.login again.
    return { ok: false, failure: { code: 'NETWORK_ERROR' } }
  }
  const errcode = typeof body.errcode === 'number' ? body.errcode : 0
  if (errcode !== 0) return { ok: false, failure: jsCodeFailure(errcode) }
  const { openid, session_key: sessionKey, unionid } = body
  if (typeof openid !== 'string' || typeof sessionKey !== 'string' || openid === '' || sessionKey === '') {
    return { ok: false, failure: { code: 'WECHAT_ERROR' } }
  }
  return { ok: true, session: { openid, sessionKey, unionid: typeof unionid === 'string' && unionid !== '' ? unionid : undefined } }
}

/** Exchanges `code` exactly once per process, however many times it is asked. Never throws. */
export function exchangeJsCode(code: string, options: Code2SessionOptions): Promise<ExchangeOutcome> {
  const now = (options.now ?? Date.now)()
  forget(now)
  const key = keyOf(options.appid, code)
  const known = inFlight.get(key)
  if (known) return known.outcome
  const outcome = requestOnce(code, options)
  inFlight.set(key, { at: now, outcome })
  return outcome
}

/** For tests: forget remembered exchanges. */
export function resetJsCodeMemory(): void {
  inFlight.clear()
}
