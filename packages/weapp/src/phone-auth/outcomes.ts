/**
 * @module phone-auth/outcomes — how each outcome is told to the user (Chinese first, English
 * alongside) and what the next step is. Messages come from the shared catalog; this adds only the
 * next step and, for configuration errors, a hint that only the developer can act on.
 */
import { MIN_BASE_LIBRARY } from '../../../../core/baseLibrary'
import type { BindChange, ErrorInfo } from '../../../../core/contracts'
import type { ErrorCode } from '../../../../core/errors'
import type { NextStep } from './type'

export interface Bilingual {
  zh: string
  en: string
}

export const NEXT_STEP_TEXT: Record<NextStep, Bilingual> = {
  'tap-again': { zh: '请再次点击按钮重新获取', en: 'Tap the button again to retry' },
  'agree-privacy': { zh: '请同意隐私保护指引后再次点击', en: 'Agree to the privacy guide, then tap again' },
  'other-method': { zh: '也可以稍后再试或改用其他方式验证', en: 'You can try later or verify another way' },
  'contact-operator': { zh: '如需帮助，请联系小程序客服', en: 'Contact the mini program support if you need help' },
  'update-wechat': { zh: '请将微信升级到最新版本后重试', en: 'Update WeChat to the latest version, then retry' },
  'developer-fix': { zh: '请联系小程序开发者处理', en: 'Please tell the mini program developer' },
}

/** Configuration problems: the user cannot fix them, the developer needs the exact fix. */
export const DEVELOPER_HINTS: Partial<Record<ErrorCode, string>> = {
  APP_NOT_ELIGIBLE: 'getPhoneNumber "no permission": the phone button needs a WeChat-verified, non-individual mini program (MP admin → 设置 → 微信认证).',
  PRIVACY_NOT_DECLARED: 'errno 112: declare 手机号 in MP admin → 设置 → 服务内容声明 → 用户隐私保护指引 (takes effect in about 30–60 min).',
  API_PERMISSION_DENIED: 'Add "phonenumber.getPhoneNumber" to permissions.openapi in cloudfunctions/getPhoneNumber/config.json and redeploy (permissions are cached ~10 min).',
  CLOUD_FUNCTION_NOT_FOUND: 'Deploy the cloud functions (右键 → 上传并部署：云端安装依赖) and pass your env id to initCloud / wx.cloud.init in App.onLaunch.',
  CLOUD_NOT_INITIALIZED: 'wx.cloud.init (or initCloud from phonebind-weapp) must run in App.onLaunch, and the appid must have cloud development enabled.',
  LEGACY_NOT_CONFIGURED: `The event carried only encryptedData: set legacy="{{true}}" on <phone-auth> (and startSession({ legacy: true })) with the AppSecret on the login function, or require base library ≥ ${MIN_BASE_LIBRARY.code} for the code path.`,
  APP_CREDENTIALS_INVALID: 'The AppID / AppSecret configured on the cloud functions is wrong.',
  APPID_MISMATCH: 'The code was issued to another appid: the functions run in an environment of a different mini program.',
  WATERMARK_APPID_MISMATCH: 'The decrypted watermark belongs to another appid: check the appid configured on the functions.',
  DAILY_QUOTA_REACHED: 'The daily WeChat API quota is used up: see MP admin → 开发 → 接口设置.',
}

/** errno 104 is the user's choice, but developers often cause it with a plain tap handler. */
const PRIVACY_104_HINT =
  'errno 104: the user has not agreed to the privacy guide. Agreement must come from an open-type="agreePrivacyAuthorization" button (this component shows one).'

export function developerHint(error: ErrorInfo): string | null {
  if (error.code === 'PRIVACY_NOT_AUTHORIZED') return PRIVACY_104_HINT
  return DEVELOPER_HINTS[error.code] ?? null
}

const CONTACT_OPERATOR: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['QUOTA_EXHAUSTED', 'PHONE_ALREADY_BOUND', 'MISSING_PHONE', 'CLOUDID_USER_MISMATCH', 'JS_CODE_BLOCKED'])

export function nextStepFor(error: ErrorInfo): NextStep {
  if (error.code === 'PRIVACY_NOT_AUTHORIZED') return 'agree-privacy'
  if (error.code === 'USER_DENIED' || error.code === 'PHONE_TAP_COOLDOWN') return 'other-method'
  if (error.code === 'NOT_SUPPORTED') return 'update-wechat'
  if (DEVELOPER_HINTS[error.code]) return 'developer-fix'
  if (CONTACT_OPERATOR.has(error.code)) return 'contact-operator'
  return error.retryable ? 'tap-again' : 'contact-operator'
}

export function boundMessage(masked: string, change: BindChange): Bilingual {
  switch (change) {
    case 'unchanged':
      return { zh: `手机号 ${masked} 已绑定，无需更改`, en: `${masked} is already bound: nothing changed` }
    case 'rebound':
      return { zh: `已更换为手机号 ${masked}`, en: `Changed to ${masked}` }
    case 'transferred':
      return { zh: `手机号 ${masked} 已转移到当前账号`, en: `${masked} was moved to this account` }
    default:
      return { zh: `已绑定手机号 ${masked}`, en: `Bound ${masked}` }
  }
}

/**
 * Taps the cost guard counts: the user opened WeChat's phone sheet and walked away from it. A
 * refused privacy guide is not counted (it never opened the sheet), nor are the platform's own
 * refusals (quota, eligibility), which another tap cannot change anyway.
 */
const ABANDONED: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['USER_DENIED'])

export function isAbandonedTap(error: ErrorInfo): boolean {
  return ABANDONED.has(error.code)
}

/** The message that replaces the button during a cooldown, rounded up to whole minutes. */
export function cooldownMessage(remainingMs: number): Bilingual {
  const minutes = Math.max(1, Math.ceil(remainingMs / 60_000))
  return {
    zh: `已多次取消授权，请 ${minutes} 分钟后再试，或改用其他方式验证`,
    en: `Cancelled several times: try again in ${minutes} min, or verify another way`,
  }
}
