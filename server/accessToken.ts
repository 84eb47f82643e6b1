/**
 * @module server/accessToken — one stable access token per appid, shared by every function
 * through the `access_tokens` collection (`_id` = appid; rules deny all client access).
 *
 * Why this shape (reference/wechat-phone-facts.md §4.3, §11; WeChat's getStableAccessToken page):
 * - `POST /cgi-bin/stable_token`, never `cgi-bin/token`: a plain token fetched by one service
 *   evicts another's (the `40001 … not latest` every peer SDK's users report);
 * - stored in the database, not in a container's memory, so all functions and instances share it;
 * - refreshed ahead of expiry (`refreshAt`, TTL clamped so it is never ≤ 0 when WeChat returns a
 *   small remaining `expires_in`), by ONE refresher at a time: a lease on the row, as
 *   server/sessions.ts does for logins. A caller that finds the lease taken uses the stored token
 *   while it is still valid (old and new overlap 5 minutes), else waits a bounded while;
 * - `force_refresh` only after WeChat rejected the very token we stored (40001/40014/42001) AND
 *   normal mode handed the same token back, and only within WeChat's limits: 20 a day, 30 s apart
 *   ("强制刷新模式每天限用 20 次且需间隔 30 秒"), counted on the row;
 * - the token and the AppSecret never go into a result, an error or a log line (the logger drops
 *   `*token*`/`*secret*` fields; nothing here passes them to it).
 */
import { randomUUID } from 'node:crypto'
import type { ErrorInfo } from '../core/contracts'
import { errorInfo } from '../core/errors'
import { fromWeChatErrcode } from '../core/wechatCodes'
import type { Database } from './cloud'
import { releaseLease, takeLease } from './lease'
import { chinaDay } from './sms/limits'
import { callWeChat } from './wechatHttp'

export const ACCESS_TOKENS = 'access_tokens'

/** WeChat's force_refresh limits (documented). */
export const FORCE_PER_DAY = 20
export const FORCE_MIN_GAP_MS = 30_000
/** How long a refresher may hold the lease: the request timeout plus the write after it. */
const LEASE_MARGIN_MS = 5000
/** A caller that finds another refreshing and no valid token waits at most this many × this long. */
const WAIT_ROUNDS = 10
const WAIT_MS = 200

/** errcodes meaning "this token is not (or no longer) valid": the one case worth a refresh. */
export const TOKEN_REJECTED = new Set([40001, 40014, 42001])

export type TokenOutcome = { ok: true; token: string } | { ok: false; error: ErrorInfo }

export interface TokenDeps {
  db: Database
  appid: string
  secret: string
  baseUrl: string
  timeoutMs: number
  now(): Date
  fetch?: typeof fetch
  /** Reports what happened (never the token). */
  note?(msg: string, fields?: Record<string, unknown>): void
}

/** The TTL to trust: `expires_in − 300` when long, else half of it, never ≤ 0 (facts §11). */
export function trustedTtlSeconds(expiresIn: number): number {
  return expiresIn > 600 ? expiresIn - 300 : Math.max(1, Math.floor(expiresIn / 2))
}

interface TokenRow {
  token?: string
  expiresAt?: Date
  refreshAt?: Date
  forceDay?: string
  forceCount?: number
  forceLastAt?: Date
}

const asDate = (v: unknown): Date | undefined => (v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : undefined)

async function readRow(db: Database, appid: string): Promise<TokenRow> {
  const { data } = await db.collection(ACCESS_TOKENS).doc(appid).get()
  if (!data) return {}
  return {
    token: typeof data.token === 'string' && data.token !== '' ? data.token : undefined,
    expiresAt: asDate(data.expiresAt),
    refreshAt: asDate(data.refreshAt),
    forceDay: typeof data.forceDay === 'string' ? data.forceDay : undefined,
    forceCount: typeof data.forceCount === 'number' ? data.forceCount : 0,
    forceLastAt: asDate(data.forceLastAt),
  }
}

const valid = (row: TokenRow, now: Date) => row.token !== undefined && row.expiresAt !== undefined && now < row.expiresAt

/** Gives the refresh lease back, storing `data` with it (see ./lease.ts). */
const release = (deps: TokenDeps, lease: string, data: Record<string, unknown>) => releaseLease(deps.db, ACCESS_TOKENS, deps.appid, 'refreshing', lease, data)

/** Maps a stable_token errcode: credential problems are configuration, the rest WeChat's usual codes. */
function tokenError(errcode: number): ErrorInfo {
  if (errcode === 40013 || errcode === 40125 || errcode === 41002 || errcode === 41004 || errcode === 40002) return errorInfo('APP_CREDENTIALS_INVALID', { wechatCode: errcode })
  const mapped = fromWeChatErrcode(errcode, 'cloud')
  return mapped.code === 'WECHAT_ERROR' ? errorInfo('ACCESS_TOKEN_UNAVAILABLE', { wechatCode: errcode }) : mapped
}

type Fetched = { ok: true; token: string; expiresIn: number } | { ok: false; error: ErrorInfo }

async function requestStableToken(deps: TokenDeps, force: boolean): Promise<Fetched> {
  const reply = await callWeChat(
    `${deps.baseUrl}/cgi-bin/stable_token`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: deps.appid, secret: deps.secret, force_refresh: force }),
    },
    deps,
  )
  if (!reply.ok) return reply
  const { body, errcode } = reply
  if (errcode !== 0) return { ok: false, error: tokenError(errcode) }
  const token = body.access_token
  const expiresIn = body.expires_in
  if (typeof token !== 'string' || token === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) return { ok: false, error: errorInfo('WECHAT_ERROR') }
  return { ok: true, token, expiresIn }
}

/**
 * Refreshes under the lease. `rejected`: the token WeChat just refused, so normal mode returning
 * it again means force mode is needed (within the limits). Resolves to the token to use.
 */
async function refreshUnderLease(deps: TokenDeps, lease: string, rejected?: string): Promise<TokenOutcome> {
  const now = deps.now()
  const row = await readRow(deps.db, deps.appid)
  // Read again under the lease: a refresher that finished between our first read and our lease
  // left a fresh token (or one past the rejected token). Using it keeps one request per expiry
  // (concurrent callers that all saw an empty row used to refresh one after another).
  const fresh = rejected === undefined && row.refreshAt !== undefined && now < row.refreshAt
  if (valid(row, now) && (fresh || (rejected !== undefined && row.token !== rejected))) {
    await release(deps, lease, {})
    return { ok: true, token: row.token! }
  }
  let got = await requestStableToken(deps, false)
  const extra: Record<string, unknown> = {}
  if (got.ok && rejected !== undefined && got.token === rejected) {
    // The Beijing calendar day: WeChat's daily limits count in it (a guess at the boundary).
    const day = chinaDay(now)
    const count = row.forceDay === day ? (row.forceCount ?? 0) : 0
    const gapOk = !row.forceLastAt || now.getTime() - row.forceLastAt.getTime() >= FORCE_MIN_GAP_MS
    if (count >= FORCE_PER_DAY || !gapOk) {
      deps.note?.('access token rejected, but force_refresh is over its limit: not forced', { forcedToday: count })
      await release(deps, lease, {})
      return { ok: false, error: errorInfo('ACCESS_TOKEN_UNAVAILABLE') }
    }
    // Counted before the call: an attempt spends WeChat's allowance whatever its answer.
    Object.assign(extra, { forceDay: day, forceCount: count + 1, forceLastAt: now })
    deps.note?.('access token rejected and unchanged: force_refresh', { forcedToday: count + 1 })
    got = await requestStableToken(deps, true)
  }
  if (!got.ok) {
    await release(deps, lease, extra)
    return got
  }
  const at = deps.now()
  const stored = await release(deps, lease, {
    ...extra,
    token: got.token,
    expiresAt: new Date(at.getTime() + got.expiresIn * 1000),
    refreshAt: new Date(at.getTime() + trustedTtlSeconds(got.expiresIn) * 1000),
    updatedAt: at,
  })
  if (!stored) deps.note?.('token lease expired before the token was stored')
  return { ok: true, token: got.token }
}

/**
 * The shared token: the stored one while it is fresh, else a refreshed one. `rejected` names a
 * token WeChat just refused (40001/40014/42001): it is replaced, never returned again. Never throws
 * for WeChat's answers (database errors do throw, as everywhere in server/).
 */
export async function getAccessToken(deps: TokenDeps, rejected?: string): Promise<TokenOutcome> {
  for (let round = 0; round <= WAIT_ROUNDS; round++) {
    const now = deps.now()
    const row = await readRow(deps.db, deps.appid)
    const usable = valid(row, now) && row.token !== rejected
    if (usable && row.refreshAt && now < row.refreshAt) return { ok: true, token: row.token! }
    const lease = randomUUID()
    const until = new Date(now.getTime() + deps.timeoutMs * 2 + LEASE_MARGIN_MS)
    if (await takeLease(deps.db, ACCESS_TOKENS, deps.appid, 'refreshing', lease, now, until)) return refreshUnderLease(deps, lease, rejected)
    // Another function is refreshing: the stored token is still valid until it expires.
    if (usable) return { ok: true, token: row.token! }
    if (round < WAIT_ROUNDS) await new Promise((r) => setTimeout(r, WAIT_MS))
  }
  return { ok: false, error: errorInfo('ACCESS_TOKEN_UNAVAILABLE') }
}
