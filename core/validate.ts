/**
 * @module validate — parse the `event` of every cloud function into its contract type.
 *
 * Rules:
 * - The event is a plain object. The platform adds `userInfo` (appId/openId) and `tcbContext`;
 *   those are ignored — identity comes only from `cloud.getWXContext()`.
 * - Any other unknown key is rejected (INVALID_INPUT with `field`). That catches a client that
 *   sends `openid`/`phone` believing the server trusts it, and keys such as `__proto__`.
 * - Only types and lengths are checked here; base64 shape is crypto's job, so it can say
 *   *which* base64 problem (form encoding, length…) it is.
 * - Results are fresh objects built from known keys: nothing from the event is merged, so
 *   prototype keys cannot pollute anything. Parsers never throw.
 */
import type { GetOpenDataRequest, GetPhoneNumberRequest, LoginRequest, MergeAccountsRequest, PhoneQuotaRequest, ResolvedCloudID, Result, UnbindPhoneRequest } from './contracts'
import { fail, ok } from './errors'
import { parseMainlandMobile, type PhoneRecord } from './phone'

export const LIMITS = {
  /** `wx.login` code and phone-button code (real ones are 32–64 characters). */
  code: 128,
  cloudID: 512,
  encryptedData: 8 * 1024,
  /** Real ivs are 24 characters; a little slack so crypto can name the exact problem. */
  iv: 64,
  errMsg: 1024,
} as const

const PLATFORM_KEYS = new Set(['userInfo', 'tcbContext'])

type Fields = Record<string, unknown>
type Check<T> = (fields: Fields) => Result<T>

const invalid = (field?: string) => fail('INVALID_INPUT', field === undefined ? undefined : { field: field.slice(0, 64) })
const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k)
const isPlainObject = (v: unknown): v is Fields => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Own, non-platform keys of the event, or null if the event is not an object. */
function businessFields(event: unknown): Fields | null {
  if (!isPlainObject(event)) return null
  const out: Fields = Object.create(null)
  for (const key of Object.keys(event)) {
    if (!PLATFORM_KEYS.has(key)) out[key] = (event as Fields)[key]
  }
  return out
}

/** Runs `check` over the business fields, allowing only `allowed` keys; never throws. */
function parse<T>(event: unknown, allowed: readonly string[], check: Check<T>): Result<T> {
  try {
    const fields = businessFields(event)
    if (fields === null) return invalid()
    for (const key of Object.keys(fields)) if (!allowed.includes(key)) return invalid(key)
    return check(fields)
  } catch {
    return invalid() // e.g. a Proxy or a throwing getter: not a JSON event
  }
}

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max

export function parseLoginRequest(event: unknown): Result<LoginRequest> {
  return parse(event, ['code'], (f) => {
    if (!has(f, 'code') || f.code === undefined) return ok({})
    return isText(f.code, LIMITS.code) ? ok({ code: f.code }) : invalid('code')
  })
}

export function parseGetPhoneNumberRequest(event: unknown): Result<GetPhoneNumberRequest> {
  return parse(event, ['code'], (f) => (isText(f.code, LIMITS.code) ? ok({ code: f.code }) : invalid('code')))
}

export function parseGetOpenDataRequest(event: unknown): Result<GetOpenDataRequest> {
  return parse<GetOpenDataRequest>(event, ['cloudID', 'encryptedData', 'iv'], (f) => {
    const hasCloudID = has(f, 'cloudID') && f.cloudID !== undefined
    const hasLegacy = (has(f, 'encryptedData') && f.encryptedData !== undefined) || (has(f, 'iv') && f.iv !== undefined)
    // Exactly one path per call: guessing which one the client meant would hide its bug.
    if (hasCloudID && hasLegacy) return invalid(has(f, 'encryptedData') ? 'encryptedData' : 'iv')
    if (hasCloudID) {
      const cloudID = parseCloudID(f.cloudID)
      return cloudID === null ? invalid('cloudID') : ok({ cloudID })
    }
    if (!hasLegacy) return invalid('cloudID')
    if (!isText(f.encryptedData, LIMITS.encryptedData)) return invalid('encryptedData')
    if (!isText(f.iv, LIMITS.iv)) return invalid('iv')
    return ok({ encryptedData: f.encryptedData, iv: f.iv })
  })
}

/** A raw cloudID string, or what the platform substituted for `wx.cloud.CloudID(...)`. */
function parseCloudID(v: unknown): string | ResolvedCloudID | null {
  if (typeof v === 'string') return isText(v, LIMITS.cloudID) ? v : null
  if (!isPlainObject(v) || !isText(v.cloudID, LIMITS.cloudID)) return null
  if (has(v, 'data')) return isPlainObject(v.data) ? { cloudID: v.cloudID, data: v.data } : null
  if (typeof v.errCode === 'number' && Number.isInteger(v.errCode) && v.errCode !== 0) {
    const errMsg = typeof v.errMsg === 'string' ? v.errMsg.slice(0, LIMITS.errMsg) : ''
    return { cloudID: v.cloudID, errCode: v.errCode, errMsg }
  }
  return null
}

export function parseUnbindPhoneRequest(event: unknown): Result<UnbindPhoneRequest> {
  return parse(event, [], () => ok({}))
}

/** The migration's page size bound: one call must finish well within the function timeout. */
export const MAX_MIGRATION_PAGE = 50

export function parseMergeAccountsRequest(event: unknown): Result<MergeAccountsRequest> {
  return parse<MergeAccountsRequest>(event, ['after', 'limit'], (f) => {
    const out: MergeAccountsRequest = {}
    if (has(f, 'after') && f.after !== undefined) {
      if (!isText(f.after, 128)) return invalid('after')
      out.after = f.after
    }
    if (has(f, 'limit') && f.limit !== undefined) {
      if (typeof f.limit !== 'number' || !Number.isInteger(f.limit) || f.limit < 1 || f.limit > MAX_MIGRATION_PAGE) return invalid('limit')
      out.limit = f.limit
    }
    return ok(out)
  })
}

/** `{alert?: boolean}`, or a timer trigger's event (`Type: 'Timer'`, SCF's documented shape). */
export function parsePhoneQuotaRequest(event: unknown): Result<PhoneQuotaRequest> {
  if (isPlainObject(event) && (event as Fields).Type === 'Timer') {
    return parse(event, ['Type', 'TriggerName', 'Time', 'Message'], (f) => {
      for (const k of ['TriggerName', 'Time', 'Message']) if (f[k] !== undefined && typeof f[k] !== 'string') return invalid(k)
      return ok({ Type: 'Timer' as const })
    })
  }
  return parse(event, ['alert'], (f) => {
    if (f.alert !== undefined && typeof f.alert !== 'boolean') return invalid('alert')
    return ok(f.alert === true ? { alert: true } : {})
  })
}

// ---- the SMS fallback ----

/** The number of an SMS request: not text → INVALID_INPUT; text that is no mainland mobile → PHONE_INVALID. */
function smsPhone(v: unknown): Result<PhoneRecord> {
  if (!isText(v, 32)) return invalid('phone')
  const phone = parseMainlandMobile(v)
  return phone ? ok(phone) : fail('PHONE_INVALID', { field: 'phone' })
}

export function parseSendSmsCodeRequest(event: unknown): Result<{ phone: PhoneRecord }> {
  return parse(event, ['phone'], (f) => {
    const phone = smsPhone(f.phone)
    return phone.ok ? ok({ phone: phone.data }) : phone
  })
}

/** `code` must be exactly 6 digits: anything else is a client bug, caught before any attempt is counted. */
export function parseVerifySmsCodeRequest(event: unknown): Result<{ phone: PhoneRecord; code: string }> {
  return parse(event, ['phone', 'code'], (f) => {
    const phone = smsPhone(f.phone)
    if (!phone.ok) return phone
    if (typeof f.code !== 'string' || !/^[0-9]{6}$/.test(f.code)) return invalid('code')
    return ok({ phone: phone.data, code: f.code })
  })
}
