/**
 * @module contracts — request and result types of every phonebind cloud function.
 *
 * Shared by `cloudfunctions/*` (server) and `miniprogram/` (client, type-only import), so this
 * file must stay free of Node APIs and of runtime imports other than `./errors` types.
 */
import type { ErrorCode } from './errors'

/** What every cloud function resolves to. Business failures are results, never throws. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorInfo }

/** A failure as the client sees it: a stable code plus messages in Chinese and English. */
export interface ErrorInfo {
  /** Stable catalog code from `core/errors.ts`. */
  code: ErrorCode
  /** User-facing message, Chinese. */
  message: string
  /** The same message in English. */
  messageEn: string
  /** Whether trying again can succeed. For single-use codes "again" always means a fresh tap. */
  retryable: boolean
  /** The original WeChat / CloudBase code when the failure came from there, for diagnosis. */
  wechatCode?: number
  /** Which request field was wrong, for INVALID_INPUT. */
  field?: string
  /** Seconds until trying again can succeed, for SMS_RATE_LIMITED. */
  retryAfterSeconds?: number
}

/** How the number reached us. `code` is verified by WeChat at exchange time; `sms` by a code
 * phonebind texted to the number (sendSmsCode → verifySmsCode). */
export type PhoneSource = 'code' | 'cloudID' | 'legacy' | 'sms'

/** A bound phone as the client may see it. The full number only when the deployment opts in. */
export interface PhoneView {
  /** e.g. `138****0000` */
  masked: string
  /** Country calling code, digits only, e.g. `86`. */
  countryCode: string
  source: PhoneSource
  /** ISO-8601 time the number was verified/bound. */
  verifiedAt: string
  /** E.164, present only when `PHONEBIND_RETURN_FULL_PHONE=1` is set on the function. */
  e164?: string
}

/** What happened to the caller's binding. */
export type BindChange =
  /** First binding for this user. */
  | 'bound'
  /** The same number again: nothing changed (idempotent). */
  | 'unchanged'
  /** The user had another number, which was released. */
  | 'rebound'
  /** The number belonged to another account and the `transfer` policy moved it. */
  | 'transferred'

// ---- login ----------------------------------------------------------------------------

export interface LoginRequest {
  /** A `wx.login` code; only needed for the legacy `encryptedData` path. Single use. */
  code?: string
}

export interface LoginData {
  openid: string
  appid: string
  unionid?: string
  phone: PhoneView | null
  /** True when a server-side session key is stored, so `encryptedData` can be decrypted. */
  legacyReady: boolean
  /** True when this call created the user. */
  created: boolean
}

// ---- getPhoneNumber (code path) -------------------------------------------------------

export interface GetPhoneNumberRequest {
  /** `e.detail.code` from the phone button. Single use, 5 minutes. */
  code: string
}

export interface BindData {
  phone: PhoneView
  change: BindChange
}

// ---- getOpenData (cloudID and legacy paths) -------------------------------------------

/** What the platform puts in place of a top-level `wx.cloud.CloudID(...)` before `main` runs. */
export type ResolvedCloudID =
  | { cloudID: string; data: Record<string, unknown> }
  | { cloudID: string; errCode: number; errMsg: string }

export type GetOpenDataRequest =
  | { cloudID: string | ResolvedCloudID }
  | { encryptedData: string; iv: string }

// ---- unbindPhone ----------------------------------------------------------------------

export type UnbindPhoneRequest = Record<string, never>

export interface UnbindData {
  /** False when the user had no number bound (unbinding is idempotent). */
  released: boolean
}

// ---- phoneQuota (cost guard) ------------------------------------------------------------

/**
 * `{}` (or `{ alert: true }` to send the low-quota alert now if it applies) from the developer;
 * CloudBase's timer trigger sends `{Type:'Timer', TriggerName, Time, Message}` and always alerts.
 */
export type PhoneQuotaRequest = { alert?: boolean } | { Type: 'Timer'; TriggerName?: string; Time?: string; Message?: string }

/** One resource package as getUsageDetail lists it (counts as numbers, times in seconds). */
export interface QuotaPackage {
  pkgId: string
  /** 1 in effect, 2 not yet, 3 expired (WeChat's PackageStatus). */
  status: number
  startTime: number
  endTime: number
  all: number
  used: number
}

export interface PhoneQuotaData {
  /** Calls left in packages in effect now (the free trial included). */
  left: number
  /** WeChat's `effectiveUse`: calls used so far. */
  used: number
  /** The configured alert threshold, and whether `left` is below it. */
  alertBelow: number
  low: boolean
  /** True when this call sent the alert (log line, and the webhook when configured). */
  alerted: boolean
  packages: QuotaPackage[]
}

// ---- sendSmsCode / verifySmsCode (the SMS fallback) -----------------------------------

export interface SendSmsCodeRequest {
  /** A mainland mobile number: 11 digits, optionally prefixed `+86` or `86` (spaces and dashes allowed). */
  phone: string
}

export interface SendSmsCodeData {
  /** The number the code went to, masked, e.g. `138****0000`. */
  maskedPhone: string
  /** Seconds before another code may be requested for this number. */
  resendAfterSeconds: number
  /** Seconds the code stays valid. */
  expiresInSeconds: number
}

export interface VerifySmsCodeRequest {
  /** The same number `sendSmsCode` was called with (any accepted spelling). */
  phone: string
  /** The 6 digits from the SMS. Single use. */
  code: string
}

/** Every function by name: request and data types, for typed `callFunction` wrappers. */
export interface FunctionContracts {
  login: { request: LoginRequest; data: LoginData }
  getPhoneNumber: { request: GetPhoneNumberRequest; data: BindData }
  getOpenData: { request: GetOpenDataRequest; data: BindData }
  unbindPhone: { request: UnbindPhoneRequest; data: UnbindData }
  mergeAccounts: { request: MergeAccountsRequest; data: MergeAccountsData }
  phoneQuota: { request: PhoneQuotaRequest; data: PhoneQuotaData }
  sendSmsCode: { request: SendSmsCodeRequest; data: SendSmsCodeData }
  verifySmsCode: { request: VerifySmsCodeRequest; data: BindData }
}

// ---- mergeAccounts (server/accounts.ts) -------------------------------------------------

/**
 * From the mini program: `{}` — fold the caller's own openid accounts into their unionid account.
 * Without a client identity (console, `tcb fn invoke`, a timer): one page of the migration,
 * `after` = the previous page's `next`, `limit` ≤ 50 (default 20).
 */
export interface MergeAccountsRequest {
  after?: string
  limit?: number
}

export type MergeAccountsData =
  /** A client's merge: how many of its accounts were folded, and the number the account holds now. */
  | { merged: number; phone: PhoneView | null }
  /** A migration page: rows looked at, folded, already folded earlier, refused; `next` null = done. */
  | { scanned: number; merged: number; already: number; refused: number; next: string | null }

export type FunctionName = keyof FunctionContracts
