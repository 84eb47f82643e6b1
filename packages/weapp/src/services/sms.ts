/**
 * @module services/sms — the SMS fallback's two calls (`sendSmsCode`, `verifySmsCode`), through the
 * package's one door to the functions, so transport failures and malformed results arrive as catalog
 * codes like every other call. Nothing here retries: an SMS code is single use and every send is a
 * paid message counted against the user's limits.
 */
import type { BindData, Result, SendSmsCodeData } from '../../../../core/contracts'
import { errorInfo } from '../../../../core/errors'
import { callFunction } from './cloud'

/** The resend wait when a server answer lacks a usable one. Longer than Tencent Cloud SMS's default
 * "one message per number per 30 s" (https://tencentcloud.com/document/product/382/13303), so a
 * resend the button allows is never one the platform refuses by that rule. */
const FALLBACK_RESEND_SECONDS = 60
/** The code lifetime assumed when the server does not say (phonebind's server default is 5 min). */
const FALLBACK_EXPIRES_SECONDS = 300

function wholeSeconds(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.ceil(value) : fallback
}

/** Sends a code to `phone` (11 national digits). The countdown the UI shows comes from the answer. */
export async function sendSmsCode(phone: string): Promise<Result<SendSmsCodeData>> {
  const res = await callFunction('sendSmsCode', { phone })
  if (!res.ok) return res
  const { maskedPhone, resendAfterSeconds, expiresInSeconds } = res.data
  // The masked number is shown as is: anything else would be a client inventing the number's form.
  if (typeof maskedPhone !== 'string' || !maskedPhone) return { ok: false, error: errorInfo('CLOUD_FUNCTION_FAILED') }
  return {
    ok: true,
    data: {
      maskedPhone,
      resendAfterSeconds: wholeSeconds(resendAfterSeconds, FALLBACK_RESEND_SECONDS),
      expiresInSeconds: wholeSeconds(expiresInSeconds, FALLBACK_EXPIRES_SECONDS),
    },
  }
}

/** Verifies `code` for `phone` and binds it (`source: 'sms'`), exactly like the phone button's paths. */
export function verifySmsCode(phone: string, code: string): Promise<Result<BindData>> {
  return callFunction('verifySmsCode', { phone, code })
}
