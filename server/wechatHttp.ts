/**
 * @module server/wechatHttp — one HTTP call to WeChat's server API, answered the same way for every
 * endpoint phonebind calls (jscode2session, stable_token, getUsageDetail): bounded by a timeout, a
 * non-2xx status is WECHAT_BUSY (with the status), anything thrown on the wire is NETWORK_ERROR
 * (its message may hold the URL, and so a secret: it is dropped), and the body's `errcode`
 * (0 when absent) is handed back for the caller to map.
 */
import type { ErrorInfo } from '../core/contracts'
import { errorInfo } from '../core/errors'

export type WeChatReply = { ok: true; body: Record<string, unknown>; errcode: number } | { ok: false; error: ErrorInfo }

export async function callWeChat(url: string, init: RequestInit, o: { timeoutMs: number; fetch?: typeof fetch }): Promise<WeChatReply> {
  let body: Record<string, unknown>
  try {
    const res = await (o.fetch ?? fetch)(url, { ...init, signal: AbortSignal.timeout(o.timeoutMs) })
    if (!res.ok) return { ok: false, error: errorInfo('WECHAT_BUSY', { wechatCode: res.status }) }
    body = (await res.json()) as Record<string, unknown>
  } catch {
    return { ok: false, error: errorInfo('NETWORK_ERROR') }
  }
  return { ok: true, body, errcode: typeof body.errcode === 'number' ? body.errcode : 0 }
}
