/**
 * @module server/functions/phoneQuota — the cost guard: how much phone-verification quota is left
 * (`getUsageDetail`), and an alert when it is below `PHONEBIND_QUOTA_ALERT_BELOW`.
 *
 * Who may call it: the quota is the developer's business, not a mini-program user's.
 * - no client identity (server/handler.ts system mode: no OPENID, no APPID): the timer trigger in
 *   config.json, the CloudBase console or CLI (`tcb fn invoke`), `phonebind dev`'s "fire timer" —
 *   allowed; the appid then comes from `PHONEBIND_APPID` (`phoneQuotaSystem`);
 * - a mini-program user: only an openid listed in `PHONEBIND_QUOTA_ADMINS`, else `QUOTA_ADMIN_ONLY`
 *   (checked before anything else, so a refused caller spends no WeChat call).
 * The timer event (`Type: 'Timer'`, SCF's documented trigger event) always alerts when low; a
 * developer's call alerts only with `{ alert: true }`, so looking does not page anyone.
 */
import type { PhoneQuotaData, Result } from '../../core/contracts'
import { fail, ok } from '../../core/errors'
import { parsePhoneQuotaRequest } from '../../core/validate'
import type { Invocation, SystemInvocation } from '../handler'
import { sendQuotaAlert } from '../quotaAlert'
import { queryUsage } from '../usage'

/** A mini-program user's call: admins only. */
export async function phoneQuota(event: unknown, inv: Invocation): Promise<Result<PhoneQuotaData>> {
  if (!inv.config.costGuard.adminOpenids.includes(inv.openid)) return fail('QUOTA_ADMIN_ONLY')
  return report(event, inv, inv.appid)
}

/** A call with no client identity (timer, console, CLI): the configured appid. */
export async function phoneQuotaSystem(event: unknown, inv: SystemInvocation): Promise<Result<PhoneQuotaData>> {
  return report(event, inv, inv.config.costGuard.appid)
}

async function report(event: unknown, inv: SystemInvocation, appid: string | undefined): Promise<Result<PhoneQuotaData>> {
  const guard = inv.config.costGuard
  const req = parsePhoneQuotaRequest(event)
  if (!req.ok) return req
  const secret = inv.config.appSecret
  if (!appid || !secret) return fail('QUOTA_NOT_CONFIGURED')
  const out = await queryUsage(
    { db: inv.db, appid, secret, baseUrl: inv.config.wechatApiBase, timeoutMs: inv.config.wechatTimeoutMs, now: inv.now, note: (msg, fields) => inv.log.info(msg, fields) },
    guard.spuId,
  )
  if (!out.ok) {
    inv.log.warn('usage query failed', { failure: out.error.code, errcode: out.error.wechatCode })
    return out
  }
  const { left, used, packages } = out.usage
  const low = left < guard.alertBelow
  const wantsAlert = 'Type' in req.data || ('alert' in req.data && req.data.alert === true)
  const alerted = low && wantsAlert
  if (alerted) await sendQuotaAlert({ appid, left, alertBelow: guard.alertBelow }, { webhookUrl: guard.webhookUrl, timeoutMs: inv.config.wechatTimeoutMs, log: inv.log })
  inv.log.info('phone quota', { left, used, low })
  return ok({ left, used, alertBelow: guard.alertBelow, low, alerted, packages })
}
