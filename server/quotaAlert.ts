/**
 * @module server/quotaAlert — the low-quota alert: one log line, and one POST to a webhook when
 * `PHONEBIND_QUOTA_WEBHOOK` is set.
 *
 * The body is a WeCom (企业微信) group robot text message, `{"msgtype":"text","text":{"content":…}}`
 * with content at most 2048 bytes (WeCom 群机器人配置说明, developer.work.weixin.qq.com/document/path/91770).
 * Other services that take a JSON POST can read `content` too. The webhook URL carries the robot's
 * key, so it is never logged. One attempt, bounded by the WeChat timeout: an alert is not worth
 * holding the function open, and the next timer run alerts again while the quota stays low.
 */
import type { Logger } from './logger'

export interface AlertInput {
  appid: string
  left: number
  alertBelow: number
}

/** The alert's text, Chinese first with English alongside. */
export function alertText(a: AlertInput): string {
  return `【手机号验证额度不足】小程序 ${a.appid} 剩余 ${a.left} 次（阈值 ${a.alertBelow}），请在 MP 后台购买资源包。\n[Phone quota low] mini program ${a.appid}: ${a.left} calls left (threshold ${a.alertBelow}); buy a resource package in the MP admin.`
}

export async function sendQuotaAlert(a: AlertInput, opts: { webhookUrl?: string; timeoutMs: number; log: Logger; fetch?: typeof fetch }): Promise<void> {
  opts.log.warn('phone quota low / 手机号验证额度不足', { left: a.left, alertBelow: a.alertBelow })
  if (!opts.webhookUrl) return
  try {
    const res = await (opts.fetch ?? fetch)(opts.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msgtype: 'text', text: { content: alertText(a) } }),
      signal: AbortSignal.timeout(opts.timeoutMs),
    })
    const body = (await res.json().catch(() => ({}))) as { errcode?: unknown }
    if (res.ok && (body.errcode === undefined || body.errcode === 0)) opts.log.info('quota alert webhook delivered')
    else opts.log.warn('quota alert webhook refused', { status: res.status, errcode: typeof body.errcode === 'number' ? body.errcode : undefined })
  } catch {
    // The error's message may hold the URL (and so the robot's key): only the fact is logged.
    opts.log.warn('quota alert webhook unreachable')
  }
}
