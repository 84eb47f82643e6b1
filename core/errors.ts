/**
 * @module errors — the error catalog: stable codes, whether a retry can help, and messages in
 * Chinese and English. Codes are part of the public contract: never rename one, only add.
 *
 * `retryable` means "trying again can succeed". For WeChat's single-use codes a retry always
 * means a *fresh* tap / `wx.login` — a spent code is never replayed (40029 / 40163 otherwise).
 *
 * Mapping from WeChat / CloudBase numeric codes to these lives in `./wechatCodes.ts`.
 */
import type { ErrorInfo } from './contracts'

export interface CatalogEntry {
  retryable: boolean
  zh: string
  en: string
}

// A typed identity function rather than `satisfies`: devtools' TypeScript plugin (Babel's
// type stripper) may predate `satisfies`, and this file is copied into the mini program.
function defineCatalog<T extends Record<string, CatalogEntry>>(catalog: T): T {
  return catalog
}

export const CATALOG = defineCatalog({
  // ---- input and identity ----
  INVALID_INPUT: { retryable: false, zh: '请求参数不正确', en: 'The request has an invalid field' },
  UNAUTHENTICATED: { retryable: false, zh: '无法识别微信用户身份，请在小程序内调用', en: 'No WeChat user identity: call from the mini program' },
  LOGIN_REQUIRED: { retryable: true, zh: '登录状态已失效，请重新登录后再点击获取手机号', en: 'Session expired: log in again, then tap the button again' },
  LEGACY_NOT_CONFIGURED: { retryable: false, zh: '服务端未配置 AppSecret，无法使用 encryptedData 方式', en: 'AppSecret is not configured: the encryptedData path is disabled' },

  // ---- open-data decryption (legacy encryptedData + iv) ----
  DECRYPT_ILLEGAL_SESSION_KEY: { retryable: true, zh: '会话密钥无效，请重新登录', en: 'Illegal session key (not 16 bytes): log in again' },
  DECRYPT_ILLEGAL_IV: { retryable: false, zh: 'iv 参数无效（应为 16 字节的 base64）', en: 'Illegal iv (must be base64 of 16 bytes)' },
  DECRYPT_ILLEGAL_BUFFER: { retryable: false, zh: 'encryptedData 无效（base64 或长度错误）', en: 'Illegal encryptedData (bad base64 or length)' },
  DECRYPT_FORM_ENCODED: { retryable: false, zh: 'encryptedData/iv 中的“+”被转成了空格，请以 JSON 发送，勿做表单编码', en: "encryptedData/iv had '+' turned into spaces: send JSON, never form-encode it" },
  DECRYPT_SESSION_KEY_MISMATCH: { retryable: true, zh: '解密失败：数据不是用当前会话密钥加密的（会话已更新），请重新登录后再点击', en: 'Decryption failed: the data was not encrypted with the current session key (it rotated). Log in again, then tap again' },
  DECRYPT_NOT_JSON: { retryable: false, zh: '解密结果不是微信开放数据（不是 JSON）', en: 'Decrypted data is not WeChat open data (not JSON)' },
  WATERMARK_APPID_MISMATCH: { retryable: false, zh: '数据水印的 appid 与当前小程序不一致', en: 'The watermark appid does not match this mini program' },
  DATA_STALE: { retryable: true, zh: '数据已过期，请重新点击获取', en: 'The data is too old: tap again' },
  SIGNATURE_MISMATCH: { retryable: false, zh: '数据签名校验失败', en: 'Signature check failed' },
  // One answer for every failure after decryption starts (padding, UTF-8, JSON, watermark, age,
  // replay, phone fields): telling them apart made the legacy path a decryption oracle.
  DECRYPT_FAILED: { retryable: true, zh: '解密失败，请重新登录后再点击获取手机号', en: 'Decryption failed: log in again, then tap the button again' },

  // ---- WeChat codes and tokens ----
  CODE_INVALID: { retryable: true, zh: '授权码无效、已过期或已使用，请重新点击获取', en: 'The code is invalid, expired or already used: tap again' },
  JS_CODE_INVALID: { retryable: true, zh: '登录凭证无效或已过期，请重新登录', en: 'The wx.login code is invalid or expired: log in again' },
  JS_CODE_USED: { retryable: true, zh: '登录凭证已被使用，请重新登录', en: 'The wx.login code was already used: log in again' },
  JS_CODE_BLOCKED: { retryable: false, zh: '登录凭证被拦截（高风险用户）', en: 'The wx.login code was blocked (high-risk user)' },
  APPID_MISMATCH: { retryable: false, zh: '授权码不属于当前小程序', en: 'The code was issued to another appid' },
  APP_CREDENTIALS_INVALID: { retryable: false, zh: '服务端 AppID 或 AppSecret 配置错误', en: 'The server AppID or AppSecret is wrong' },
  CLOUDID_INVALID: { retryable: true, zh: 'cloudID 无效，请重新点击获取', en: 'Invalid cloudID: tap again' },
  CLOUDID_EXPIRED: { retryable: true, zh: 'cloudID 已过期，请重新点击获取', en: 'The cloudID expired: tap again' },
  CLOUDID_USER_MISMATCH: { retryable: false, zh: 'cloudID 不属于当前用户', en: 'The cloudID belongs to another user' },
  WECHAT_BUSY: { retryable: true, zh: '微信系统繁忙，请稍后重新点击', en: 'WeChat is busy: tap again in a moment' },
  RATE_LIMITED: { retryable: true, zh: '请求过于频繁，请稍后再试', en: 'Too many requests: try again later' },
  DAILY_QUOTA_REACHED: { retryable: false, zh: '今日调用次数已达上限', en: 'The daily API quota is reached' },
  API_PERMISSION_DENIED: { retryable: false, zh: '云函数未声明云调用权限（config.json），请在 permissions.openapi 中添加后重新部署', en: 'The function lacks the openapi permission in config.json: add it and redeploy' },
  MISSING_PHONE: { retryable: false, zh: '该微信账号未绑定手机号', en: 'This WeChat account has no phone number' },

  // ---- the phone button (front end) ----
  USER_DENIED: { retryable: true, zh: '已取消授权，可改用其他方式验证手机号', en: 'Cancelled: you can verify your phone another way' },
  QUOTA_EXHAUSTED: { retryable: false, zh: '手机号验证次数已用完，请联系小程序运营者', en: 'The phone-verification quota is used up: contact the mini program operator' },
  PRIVACY_NOT_AUTHORIZED: { retryable: true, zh: '请先阅读并同意隐私保护指引', en: 'Please read and agree to the privacy guide first' },
  PRIVACY_NOT_DECLARED: { retryable: false, zh: '小程序未在《用户隐私保护指引》中声明手机号（开发者配置问题）', en: 'The privacy guide does not declare the phone number (developer configuration)' },
  APP_NOT_ELIGIBLE: { retryable: false, zh: '当前小程序无权获取手机号（需非个人主体并完成认证）', en: 'This mini program may not use the phone button (needs a verified, non-individual account)' },
  PHONE_NEEDS_SMS_VERIFICATION: { retryable: true, zh: '请先在微信中完成短信验证后再试', en: 'Complete the SMS verification in WeChat, then try again' },
  NOT_SUPPORTED: { retryable: false, zh: '当前微信版本不支持获取手机号，请升级微信', en: 'This WeChat version cannot share the phone number: please update' },

  // ---- binding ----
  PHONE_INVALID: { retryable: false, zh: '手机号格式不正确', en: 'Not a valid phone number' },
  PHONE_ALREADY_BOUND: { retryable: false, zh: '该手机号已绑定其他账号', en: 'This phone number is bound to another account' },
  BINDING_CONFLICT: { retryable: true, zh: '绑定时发生并发冲突，请重试', en: 'A concurrent change interfered: try again' },

  // ---- transport and platform ----
  NETWORK_ERROR: { retryable: true, zh: '网络异常，请检查网络后重试', en: 'Network error: check your connection and retry' },
  CLOUD_FUNCTION_FAILED: { retryable: true, zh: '云函数调用失败，请稍后重试', en: 'The cloud function call failed: retry later' },
  CLOUD_FUNCTION_NOT_FOUND: { retryable: false, zh: '云函数未部署或环境 ID 配置错误', en: 'The cloud function is not deployed or the env id is wrong' },
  CLOUD_NOT_INITIALIZED: { retryable: false, zh: '云开发未初始化（请先调用 wx.cloud.init）', en: 'wx.cloud is not initialised (call wx.cloud.init first)' },
  DATABASE_ERROR: { retryable: true, zh: '数据库暂时不可用，请稍后重试', en: 'The database is temporarily unavailable: retry later' },
  WECHAT_ERROR: { retryable: false, zh: '微信接口返回错误', en: 'WeChat returned an error' },
  INTERNAL_ERROR: { retryable: true, zh: '服务内部错误，请稍后重试', en: 'Internal error: retry later' },
  // The component's cost guard: after repeated cancelled taps the phone button rests for a while.
  PHONE_TAP_COOLDOWN: { retryable: true, zh: '已多次取消授权，请稍后再试或改用其他方式验证', en: 'Cancelled several times: try again later or verify another way' },
  ACCOUNT_MERGE_REFUSED: { retryable: false, zh: '无法证明两个账号属于同一微信用户，未合并', en: 'The accounts could not be proven to belong to the same WeChat user: not merged' },
  ACCOUNT_MERGE_UNAVAILABLE: { retryable: false, zh: '未获得 unionid 或未按 unionid 管理账号，无可合并的账号', en: 'No unionid for this user, or accounts are not keyed by unionid: nothing to merge into' },

  // ---- cost guard (phoneQuota) ----
  ACCESS_TOKEN_UNAVAILABLE: { retryable: true, zh: '暂时无法获取微信接口调用凭证，请稍后重试', en: 'No WeChat access token is available right now: retry later' },
  QUOTA_ADMIN_ONLY: { retryable: false, zh: '仅管理员可以查询手机号验证额度', en: 'Only an administrator may query the phone-verification quota' },
  QUOTA_NOT_CONFIGURED: { retryable: false, zh: '服务端未配置 AppID 或 AppSecret，无法查询手机号验证额度', en: 'The AppID or AppSecret is not configured: the phone-verification quota cannot be queried' },
  // ---- SMS verification (the fallback when the phone button cannot be used) ----
  SMS_NOT_CONFIGURED: { retryable: false, zh: '服务端未配置短信验证，请使用其他方式', en: 'SMS verification is not configured on the server: use another way' },
  SMS_RATE_LIMITED: { retryable: true, zh: '验证码发送过于频繁，请稍后再试', en: 'Codes were sent too often: wait a moment, then try again' },
  SMS_DAILY_LIMIT: { retryable: false, zh: '今日短信验证次数已达上限，请明天再试', en: "Today's SMS limit is reached: try again tomorrow" },
  SMS_SEND_FAILED: { retryable: true, zh: '短信发送失败，请稍后重试', en: 'The SMS could not be sent: retry later' },
  // One answer for wrong, expired, already used or unknown: the server is no oracle about which.
  SMS_CODE_INVALID: { retryable: true, zh: '验证码错误或已失效，请检查后重试或重新获取', en: 'The code is wrong or no longer valid: check it, or request a new one' },
  SMS_TOO_MANY_ATTEMPTS: { retryable: true, zh: '验证码错误次数过多，请重新获取验证码', en: 'Too many wrong codes: request a new code' },
})

export type ErrorCode = keyof typeof CATALOG

export const ERROR_CODES = Object.keys(CATALOG) as ErrorCode[]

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CATALOG, value)
}

// ---- building failures (pure: shared with the mini program) ---------------------------


/** The client-facing shape of a catalog code. Messages come only from the catalog, so no
 * caller can leak a secret or a phone number into them. */
export function errorInfo(code: ErrorCode, extra?: FailureExtra): ErrorInfo {
  const entry: CatalogEntry = CATALOG[code]
  const info: ErrorInfo = { code, message: entry.zh, messageEn: entry.en, retryable: entry.retryable }
  if (extra && typeof extra.wechatCode === 'number') info.wechatCode = extra.wechatCode
  if (extra && typeof extra.field === 'string') info.field = extra.field
  if (extra && typeof extra.retryAfterSeconds === 'number') info.retryAfterSeconds = extra.retryAfterSeconds
  return info
}

/** What a failure may carry besides its code (see `ErrorInfo`). */
export interface FailureExtra {
  wechatCode?: number
  field?: string
  retryAfterSeconds?: number
}

/** A failed `Result`. */
export function fail(code: ErrorCode, extra?: FailureExtra): { ok: false; error: ErrorInfo } {
  return { ok: false, error: errorInfo(code, extra) }
}

/** A successful `Result`. */
export function ok<T>(data: T): { ok: true; data: T } {
  return { ok: true, data }
}
