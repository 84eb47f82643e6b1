/**
 * @module server/functions/sendSmsCode — `sendSmsCode {phone}`: texts a one-time code to a
 * mainland number, for binding it when the phone button cannot be used.
 *
 * Limits are reserved BEFORE the text is sent (./sms/store.ts): a request that fails at the
 * provider still counted, so a failing or hostile client cannot loop the paid API. A code whose
 * text was not delivered is discarded at once. Nothing is retried: each send costs money.
 * Neither the code nor the full number appears in the result or the log (masked only).
 */
import type { Result, SendSmsCodeData } from '../../core/contracts'
import { fail, ok } from '../../core/errors'
import { parseSendSmsCodeRequest } from '../../core/validate'
import type { Invocation } from '../handler'
import { hashCode, newCode, newNonce } from '../sms/codes'
import type { SmsProviderConfig } from '../sms/config'
import type { SendOutcome, SmsSender } from '../sms/sender'
import { discardCode, reserveSend } from '../sms/store'
import { TencentSmsSender } from '../sms/tencent'

/** The provider adapter; one place to plug in another `SmsSender`. */
export const createSender = (config: SmsProviderConfig): SmsSender => new TencentSmsSender(config)

export async function sendSmsCode(event: unknown, inv: Invocation): Promise<Result<SendSmsCodeData>> {
  const req = parseSendSmsCodeRequest(event)
  if (!req.ok) return req
  const sms = inv.config.sms
  if (!sms) return fail('SMS_NOT_CONFIGURED')
  const { phone } = req.data
  const now = inv.now()
  const code = newCode()
  const nonce = newNonce()
  const { limits } = sms
  const reserved = await reserveSend(inv.db, {
    openid: inv.openid,
    phone,
    now,
    limits,
    keyMaterial: sms.codeKey,
    code: { nonce, hash: hashCode(code, nonce, { openid: inv.openid, e164: phone.e164 }, sms.codeKey), masked: phone.masked, sentAt: now, expiresAt: new Date(now.getTime() + limits.codeTtlSeconds * 1000) },
  })
  if (!reserved.ok) {
    inv.log.info('sms refused', { failure: reserved.code, masked: phone.masked, which: 'which' in reserved ? reserved.which : undefined })
    if (reserved.code === 'SMS_RATE_LIMITED') return fail('SMS_RATE_LIMITED', { retryAfterSeconds: reserved.retryAfterSeconds })
    if (reserved.code === 'SMS_DAILY_LIMIT') return fail('SMS_DAILY_LIMIT')
    return fail('SMS_SEND_FAILED') // counters kept colliding: nothing was sent, trying again is safe
  }
  const sent = await createSender(sms.provider).send({ e164: phone.e164, code, ttlMinutes: Math.ceil(limits.codeTtlSeconds / 60) })
  if (!sent.ok) {
    await discardCode(inv.db, inv.openid, nonce)
    inv.log.warn('sms not sent', { reason: sent.reason, providerCode: sent.providerCode, masked: phone.masked })
    return failureOf(sent, limits.resendSeconds)
  }
  inv.log.info('sms sent', { masked: phone.masked, serialNo: sent.serialNo })
  return ok({ maskedPhone: phone.masked, resendAfterSeconds: limits.resendSeconds, expiresInSeconds: limits.codeTtlSeconds })
}

/** The provider's refusal as the client sees it. */
function failureOf(sent: Extract<SendOutcome, { ok: false }>, resendSeconds: number): Result<never> {
  switch (sent.reason) {
    case 'rate-limited':
      return fail('SMS_RATE_LIMITED', { retryAfterSeconds: resendSeconds })
    case 'daily-limit':
      return fail('SMS_DAILY_LIMIT')
    case 'invalid-number':
      return fail('PHONE_INVALID', { field: 'phone' })
    default:
      return fail('SMS_SEND_FAILED')
  }
}
