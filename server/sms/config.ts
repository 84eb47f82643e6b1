/**
 * @module server/sms/config — the SMS fallback's settings, from the function's environment
 * (云函数 → 配置 → 环境变量), read per invocation like server/config.ts.
 *
 * Without all five provider settings (secret id and key, SdkAppId, template id, sign name) SMS is
 * off and both functions answer SMS_NOT_CONFIGURED: a half-configured sender would fail at
 * Tencent Cloud after the limits were already charged. The secret key never leaves this object
 * except to sign requests and to derive the code-hashing key; the handler hands it to the logger
 * as a secret to scrub.
 */

/** Where and as whom `SendSms` is called (Tencent Cloud SMS, API 2021-01-11). */
export interface SmsProviderConfig {
  secretId: string
  secretKey: string
  /** 短信 SdkAppId, e.g. `1400006666`. */
  sdkAppId: string
  /** An approved verification-code template, e.g. 「您的验证码为{1}，{2}分钟内有效」. */
  templateId: string
  /** An approved sign (签名), e.g. 腾讯云. */
  signName: string
  /** API region (default `ap-guangzhou`). */
  region: string
  /** Host[:port][/path] of the API (default `sms.tencentcloudapi.com`); the emulator points it at itself. */
  endpoint: string
  /** `https://` (default) or `http://` (only the local emulator speaks plain HTTP). */
  protocol: 'https://' | 'http://'
  /** What the template's parameters are, in order: `code` and `minutes` (default both). */
  templateParams: Array<'code' | 'minutes'>
  /** Timeout of one SendSms request, seconds. */
  timeoutSeconds: number
}

/** phonebind's own limits, checked before Tencent Cloud's (which stay in force behind them). */
export interface SmsLimits {
  /** How long a code is valid (default 300 s: the 5 minutes WeChat gives its own phone codes). */
  codeTtlSeconds: number
  /** Seconds between two codes to one number (default 60; Tencent Cloud's own default is 30). */
  resendSeconds: number
  /** Codes to one number per rolling hour (default 5). */
  perPhonePerHour: number
  /** Codes to one number per day, China time (default 10, Tencent Cloud's own default per number and 自然日). */
  perPhonePerDay: number
  /** Codes one WeChat user may request per day, whatever the numbers (default 10). */
  perUserPerDay: number
  /** Codes the whole mini program may send per day (default 1000): the bill's ceiling. */
  appPerDay: number
  /** Wrong codes before a code is dead (default 5). */
  maxAttempts: number
}

export interface SmsConfig {
  provider: SmsProviderConfig
  limits: SmsLimits
  /** What the codes' HMAC key is derived from (see ./codes.ts): `PHONEBIND_SMS_CODE_KEY`, else the secret key. */
  codeKey: string
}

export const DEFAULT_SMS_ENDPOINT = 'sms.tencentcloudapi.com'
export const DEFAULT_SMS_REGION = 'ap-guangzhou'

export const DEFAULT_SMS_LIMITS: SmsLimits = {
  codeTtlSeconds: 300,
  resendSeconds: 60,
  perPhonePerHour: 5,
  perPhonePerDay: 10,
  perUserPerDay: 10,
  appPerDay: 1000,
  maxAttempts: 5,
}

const LIMIT_ENV: Record<keyof SmsLimits, string> = {
  codeTtlSeconds: 'PHONEBIND_SMS_CODE_TTL_SECONDS',
  resendSeconds: 'PHONEBIND_SMS_RESEND_SECONDS',
  perPhonePerHour: 'PHONEBIND_SMS_PER_PHONE_HOURLY',
  perPhonePerDay: 'PHONEBIND_SMS_PER_PHONE_DAILY',
  perUserPerDay: 'PHONEBIND_SMS_PER_USER_DAILY',
  appPerDay: 'PHONEBIND_SMS_APP_DAILY',
  maxAttempts: 'PHONEBIND_SMS_MAX_ATTEMPTS',
}

/** A positive integer setting, or the default: no value switches a limit off. */
function positive(value: string | undefined, fallback: number): number {
  const n = Number((value ?? '').trim())
  return Number.isInteger(n) && n > 0 ? n : fallback
}

const text = (v: string | undefined) => (v ?? '').trim()

/** The settings, or undefined when SMS is not configured. */
export function loadSmsConfig(env: NodeJS.ProcessEnv = process.env): SmsConfig | undefined {
  const secretId = text(env.PHONEBIND_SMS_SECRET_ID)
  const secretKey = text(env.PHONEBIND_SMS_SECRET_KEY)
  const sdkAppId = text(env.PHONEBIND_SMS_SDK_APP_ID)
  const templateId = text(env.PHONEBIND_SMS_TEMPLATE_ID)
  const signName = text(env.PHONEBIND_SMS_SIGN_NAME)
  if (!secretId || !secretKey || !sdkAppId || !templateId || !signName) return undefined
  let endpoint = text(env.PHONEBIND_SMS_ENDPOINT) || DEFAULT_SMS_ENDPOINT
  let protocol: SmsProviderConfig['protocol'] = 'https://'
  const scheme = /^(https?):\/\//i.exec(endpoint)
  if (scheme) {
    protocol = scheme[1]!.toLowerCase() === 'http' ? 'http://' : 'https://'
    endpoint = endpoint.slice(scheme[0].length)
  }
  const params = text(env.PHONEBIND_SMS_TEMPLATE_PARAMS).toLowerCase()
  const limits = { ...DEFAULT_SMS_LIMITS }
  for (const key of Object.keys(LIMIT_ENV) as Array<keyof SmsLimits>) limits[key] = positive(env[LIMIT_ENV[key]], DEFAULT_SMS_LIMITS[key])
  return {
    provider: {
      secretId,
      secretKey,
      sdkAppId,
      templateId,
      signName,
      region: text(env.PHONEBIND_SMS_REGION) || DEFAULT_SMS_REGION,
      endpoint: endpoint.replace(/\/+$/, ''),
      protocol,
      templateParams: params === 'code' ? ['code'] : ['code', 'minutes'],
      timeoutSeconds: positive(env.PHONEBIND_SMS_TIMEOUT_SECONDS, 5),
    },
    limits,
    codeKey: text(env.PHONEBIND_SMS_CODE_KEY) || secretKey,
  }
}
