/**
 * @module sms-verify/outcomes — how each SMS outcome is told to the user (Chinese first, English
 * alongside) and what the next step is, in phone-auth's style: the message itself always comes
 * from the shared catalog (`error.message` / `messageEn`), this adds the next step and, for
 * configuration errors, the developer's fix.
 */
import type { ErrorInfo } from '../../../../core/contracts'
import { CATALOG } from '../../../../core/errors'
import type { ErrorCode } from '../../../../core/errors'
import type { Bilingual } from '../phone-auth/outcomes'
import { developerHint as phoneAuthHint, NEXT_STEP_TEXT } from '../phone-auth/outcomes'
import type { SmsNextStep } from './type'

export const SMS_NEXT_STEP_TEXT: Record<SmsNextStep, Bilingual> = {
  'fix-number': { zh: '请输入正确的 11 位中国大陆手机号', en: 'Enter a valid 11-digit mainland China mobile number' },
  'retype-code': { zh: '请核对短信中的验证码后重新输入，或重新获取', en: 'Check the code in the SMS and type it again, or request a new one' },
  'new-code': { zh: '请重新获取验证码', en: 'Request a new code' },
  wait: { zh: '请在倒计时结束后重新发送', en: 'Wait for the countdown, then send again' },
  'try-tomorrow': { zh: '请明天再试，或联系小程序客服', en: 'Try again tomorrow, or contact the mini program support' },
  retry: { zh: '请稍后重试', en: 'Please try again in a moment' },
  // The same two steps as phone-auth's, in the same words.
  'contact-operator': NEXT_STEP_TEXT['contact-operator'],
  'developer-fix': NEXT_STEP_TEXT['developer-fix'],
}

/** Shown under the number field before any request: the catalog's PHONE_INVALID text, what the
 * functions would answer for the same number. */
export const INVALID_NUMBER_TEXT: Bilingual = { zh: CATALOG.PHONE_INVALID.zh, en: CATALOG.PHONE_INVALID.en }

const SMS_NOT_CONFIGURED_HINT =
  'SMS_NOT_CONFIGURED: set PHONEBIND_SMS_SECRET_ID, PHONEBIND_SMS_SECRET_KEY, PHONEBIND_SMS_SDK_APP_ID, PHONEBIND_SMS_TEMPLATE_ID and PHONEBIND_SMS_SIGN_NAME on the sendSmsCode and verifySmsCode functions (server/README.md, "SMS fallback").'

/** The developer's fix for a configuration failure, or null. */
export function smsDeveloperHint(error: ErrorInfo): string | null {
  if (error.code === 'SMS_NOT_CONFIGURED') return SMS_NOT_CONFIGURED_HINT
  // Transport and deployment faults read the same on every path (not deployed, no wx.cloud.init, …).
  return phoneAuthHint(error)
}

const BY_CODE: Partial<Record<ErrorCode, SmsNextStep>> = {
  PHONE_INVALID: 'fix-number',
  SMS_CODE_INVALID: 'retype-code',
  SMS_TOO_MANY_ATTEMPTS: 'new-code',
  SMS_RATE_LIMITED: 'wait',
  SMS_DAILY_LIMIT: 'try-tomorrow',
  SMS_SEND_FAILED: 'retry',
  SMS_NOT_CONFIGURED: 'developer-fix',
  PHONE_ALREADY_BOUND: 'contact-operator',
}

export function smsNextStepFor(error: ErrorInfo): SmsNextStep {
  const step = BY_CODE[error.code]
  if (step) return step
  // INVALID_INPUT names the field the server refused.
  if (error.code === 'INVALID_INPUT') return error.field === 'code' ? 'retype-code' : 'fix-number'
  if (smsDeveloperHint(error)) return 'developer-fix'
  return error.retryable ? 'retry' : 'contact-operator'
}

/** `验证码已发送至 138****8000` with how long it is valid. */
export function sentMessage(maskedPhone: string, expiresInSeconds: number): Bilingual {
  const minutes = Math.max(1, Math.round(expiresInSeconds / 60))
  return {
    zh: `验证码已发送至 ${maskedPhone}，${minutes} 分钟内有效`,
    en: `Code sent to ${maskedPhone}, valid for ${minutes} min`,
  }
}

/** The send button's label: the countdown while a resend is not allowed yet. */
export function sendLabel(countdown: number, sentBefore: boolean): string {
  if (countdown > 0) return `${countdown} 秒后重发 / Resend in ${countdown}s`
  return sentBefore ? '重新发送 / Resend' : '发送验证码 / Send code'
}
