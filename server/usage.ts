/**
 * @module server/usage — `getUsageDetail` (`GET /wxa/charge/usage/get`): the phone-verification
 * resource packages and what is left of them.
 *
 * "本接口不支持云调用" (developers.weixin.qq.com/miniprogram/dev/server/API/charge/api_getusagedetail),
 * so it needs the stable access token (./accessToken.ts). The page lists `spuId`, `offset` and
 * `limit` (max 20) as the request; the service-provider variant's example sends them in the query
 * string of the GET, which is what this client does. Counts arrive as strings ("64位数字").
 * A read, so one retry after WeChat rejects the token is safe (facts §11: refresh and retry once).
 */
import type { ErrorInfo, QuotaPackage } from '../core/contracts'
import { fromWeChatErrcode } from '../core/wechatCodes'
import { getAccessToken, TOKEN_REJECTED, type TokenDeps } from './accessToken'
import { callWeChat } from './wechatHttp'

/** WeChat's page limit ("每页个数，最大20"). */
export const USAGE_PAGE_LIMIT = 20
/** At most this many pages (100 packages): bounded even if `total` is absurd. */
export const USAGE_MAX_PAGES = 5

export interface UsageSummary {
  left: number
  used: number
  packages: QuotaPackage[]
}

export type UsageOutcome = { ok: true; usage: UsageSummary } | { ok: false; error: ErrorInfo }

type Page = { ok: true; body: Record<string, unknown> } | { ok: false; error: ErrorInfo; errcode?: number }

const count = (v: unknown): number => {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN
  return Number.isSafeInteger(n) && n >= 0 ? n : 0
}

async function fetchPage(deps: TokenDeps, token: string, spuId: string, offset: number): Promise<Page> {
  const q = new URLSearchParams({ access_token: token, spuId, offset: String(offset), limit: String(USAGE_PAGE_LIMIT) })
  const reply = await callWeChat(`${deps.baseUrl}/wxa/charge/usage/get?${q.toString()}`, {}, deps)
  if (!reply.ok) return reply
  const { body, errcode } = reply
  if (errcode !== 0) return { ok: false, error: fromWeChatErrcode(errcode, 'cloud'), errcode }
  return { ok: true, body }
}

function packagesOf(body: Record<string, unknown>): QuotaPackage[] {
  const list = Array.isArray(body.detailList) ? body.detailList : []
  return list
    .filter((p): p is Record<string, unknown> => typeof p === 'object' && p !== null)
    .map((p) => ({
      pkgId: typeof p.pkgId === 'string' ? p.pkgId.slice(0, 64) : '',
      status: typeof p.status === 'number' ? p.status : 0,
      startTime: count(p.startTime),
      endTime: count(p.endTime),
      all: count(p.all),
      used: count(p.used),
    }))
}

/** Every package of `spuId` and the calls left in those in effect (status 1). */
export async function queryUsage(deps: TokenDeps, spuId: string): Promise<UsageOutcome> {
  let tok = await getAccessToken(deps)
  if (!tok.ok) return tok
  const packages: QuotaPackage[] = []
  let used = 0
  let retried = false
  for (let page = 0; page < USAGE_MAX_PAGES; page++) {
    const got = await fetchPage(deps, tok.token, spuId, page * USAGE_PAGE_LIMIT)
    if (!got.ok) {
      if (got.errcode !== undefined && TOKEN_REJECTED.has(got.errcode) && !retried) {
        retried = true
        deps.note?.('WeChat rejected the stored access token: refreshing once', { errcode: got.errcode })
        tok = await getAccessToken(deps, tok.token)
        if (!tok.ok) return tok
        page -= 1
        continue
      }
      return got
    }
    if (page === 0) used = count(got.body.effectiveUse)
    const items = packagesOf(got.body)
    packages.push(...items)
    const total = count(got.body.total)
    if (items.length < USAGE_PAGE_LIMIT || packages.length >= total) break
  }
  const left = packages.filter((p) => p.status === 1).reduce((s, p) => s + Math.max(0, p.all - p.used), 0)
  return { ok: true, usage: { left, used, packages } }
}
