// GENERATED from core/wechatCodes.ts by scripts/syncMiniprogramShared.ts: do not edit here.
/**
 * @module wechatCodes — maps every WeChat / CloudBase code phonebind meets to a catalog code:
 * server-side errcodes and thrown wx-server-sdk errors, the phone button's `detail`, and what
 * `wx.cloud.callFunction` rejects with. Pure TS (no Node APIs): shared with the mini program.
 *
 * Sources: wechat-phone-facts.md §4 (tables) and §5 (button recipe).
 */
import type { ErrorInfo } from './contracts'
import { errorInfo, type ErrorCode } from './errors'

/** Which API produced the code: the same number means different things per API. */
export type WeChatApi = 'jscode2session' | 'getPhoneNumber' | 'getOpenData' | 'cloud'

type Mapping = ErrorCode | [ErrorCode, boolean /* retryable override */]

/** Codes whose meaning does not depend on the API. */
const COMMON: Record<number, Mapping> = {
  [-1]: 'WECHAT_BUSY', // system busy: a fresh tap / wx.login, never the same code
  40163: 'JS_CODE_USED',
  40226: 'JS_CODE_BLOCKED',
  45011: 'RATE_LIMITED',
  45009: 'DAILY_QUOTA_REACHED',
  40125: 'APP_CREDENTIALS_INVALID',
  41002: 'APP_CREDENTIALS_INVALID', // appid missing
  41004: 'APP_CREDENTIALS_INVALID', // secret missing
  // access_token invalid / illegal / expired / missing: the server refreshes once; a new tap works
  40001: ['WECHAT_ERROR', true],
  40014: ['WECHAT_ERROR', true],
  42001: ['WECHAT_ERROR', true],
  41001: ['WECHAT_ERROR', true],
  87009: 'LOGIN_REQUIRED', // checksession: the stored session_key is no longer valid
  // official WXBizDataCrypt sample codes
  [-41001]: 'DECRYPT_ILLEGAL_SESSION_KEY',
  [-41002]: 'DECRYPT_ILLEGAL_IV',
  [-41003]: 'DECRYPT_ILLEGAL_BUFFER',
  [-41004]: 'DECRYPT_ILLEGAL_BUFFER', // declared, never returned by the sample
  // wx-server-sdk ERR_CODE: WeChat side of cloud calls
  [-601001]: 'WECHAT_BUSY',
  [-601002]: ['WECHAT_ERROR', false], // args error: our bug, a retry cannot help
  [-601003]: 'NETWORK_ERROR',
  [-601004]: 'API_PERMISSION_DENIED',
  [-601005]: 'CLOUDID_INVALID',
  [-601006]: 'CLOUDID_EXPIRED',
  [-601007]: 'CLOUDID_USER_MISMATCH',
  [-601008]: 'WECHAT_BUSY', // server-side timeout
  [-601009]: 'MISSING_PHONE',
  [-602001]: ['DATABASE_ERROR', false], // query result over 1 MB
  [-604001]: ['CLOUD_FUNCTION_FAILED', false], // function result over 1 MB
  [-604100]: ['WECHAT_ERROR', false], // API not found
  [-604101]: 'API_PERMISSION_DENIED', // config.json permissions missing or not yet applied
  [-604102]: 'WECHAT_BUSY', // openapi timeout
  [-604103]: 'WECHAT_BUSY', // openapi system error
  [-604104]: ['WECHAT_ERROR', false], // illegal source of invocation
  // TCB generic / database / functions
  [-501000]: 'CLOUD_FUNCTION_NOT_FOUND',
  [-501001]: 'DATABASE_ERROR', // SYS_ERR, and every unmapped TCB code name (incl. duplicate write)
  [-501002]: 'DATABASE_ERROR', // SERVER_TIMEOUT
  [-501003]: 'RATE_LIMITED',
  [-501004]: 'RATE_LIMITED',
  [-501005]: 'CLOUD_FUNCTION_NOT_FOUND', // INVALIID_ENV: wrong env id
  [-501006]: ['DATABASE_ERROR', false],
  [-501007]: ['DATABASE_ERROR', false],
  [-501008]: ['DATABASE_ERROR', false],
  [-501009]: ['DATABASE_ERROR', false],
  [-502001]: 'DATABASE_ERROR',
  [-502002]: ['DATABASE_ERROR', false],
  [-502003]: ['DATABASE_ERROR', false],
  [-502004]: ['DATABASE_ERROR', false],
  [-502005]: ['DATABASE_ERROR', false], // collection missing: run the provisioning script
  [-504001]: 'CLOUD_FUNCTION_FAILED',
  [-504002]: 'CLOUD_FUNCTION_FAILED',
}

function resolveMapping(errcode: number, api: WeChatApi): Mapping | undefined {
  // 40029: for jscode2session the wx.login code is bad; elsewhere the phone code is.
  if (errcode === 40029) return api === 'jscode2session' ? 'JS_CODE_INVALID' : 'CODE_INVALID'
  // 40013: jscode2session says OUR appid is invalid. A phone code of another app comes back as
  // 40029 (WeChat staff answer; CODE_INVALID above: a fresh tap in this app works), so 40013 on
  // getuserphonenumber is about the appid itself; it keeps its old code, APPID_MISMATCH.
  if (errcode === 40013) return api === 'jscode2session' ? 'APP_CREDENTIALS_INVALID' : 'APPID_MISMATCH'
  // 40003 on getuserphonenumber: the `openid` we send is not the user the code was issued to.
  // WeChat does not document this errcode (the emulator's guess, emulator/README.md); either
  // way the caller holds someone else's code, and the answer is a fresh tap of its own.
  if (errcode === 40003 && api === 'getPhoneNumber') return 'CODE_INVALID'
  const exact = COMMON[errcode]
  if (exact !== undefined) return exact
  if (errcode <= -601010 && errcode >= -601017) return ['WECHAT_ERROR', false] // env / auth permissions
  if (errcode <= -501000 && errcode > -503000) return 'DATABASE_ERROR'
  if (errcode <= -503000 && errcode > -504000) return 'INTERNAL_ERROR' // storage: unused by phonebind
  return undefined
}

/** Maps a numeric WeChat / CloudBase code. The original code is always kept as `wechatCode`. */
export function fromWeChatErrcode(errcode: number, api: WeChatApi): ErrorInfo {
  const mapping = resolveMapping(errcode, api)
  if (mapping === undefined) {
    // Unknown: platform (negative) codes are usually transient; positive WeChat errcodes
    // usually describe the request, which a retry does not change.
    return { ...errorInfo('WECHAT_ERROR', { wechatCode: errcode }), retryable: errcode < 0 }
  }
  if (typeof mapping === 'string') return errorInfo(mapping, { wechatCode: errcode })
  return { ...errorInfo(mapping[0], { wechatCode: errcode }), retryable: mapping[1] }
}

// ---- thrown errors (server side) ---------------------------------------------------------

function field(err: unknown, name: string): unknown {
  if (err === null || (typeof err !== 'object' && typeof err !== 'function')) return undefined
  try {
    return (err as Record<string, unknown>)[name]
  } catch {
    return undefined // a hostile getter must not turn error mapping into a crash
  }
}

function messageOf(err: unknown): string {
  if (typeof err === 'string') return err
  const m = field(err, 'errMsg') ?? field(err, 'message')
  return typeof m === 'string' ? m : ''
}

const NETWORK_TEXT = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|EPIPE|socket hang up|network|timed? ?out|request:fail/i

/**
 * The texts CloudBase answers a conflicting or duplicate write with. Through wx-server-sdk a
 * database error keeps only `errCode` (-501001 for both names, which its TCB_ERR_CODE table
 * lacks) and `errMsg` = `<api>:fail -501001 resource system error. <server message>`, so the
 * server's message is all a function can match on; a transaction COMMIT error is not wrapped and
 * still carries the name in `code`.
 * - Conflict: code `DATABASE_TRANSACTION_CONFLICT`, message `[ResourceUnavailable.TransactionConflict]
 *   Transaction is conflict, maybe resource operated by others. …` (Tencent's node-sdk
 *   test/database/unit/transaction.test.ts, run against the real backend; docs.cloudbase.net/
 *   error-code/DATABASE_TRANSACTION_CONFLICT). `transaction conflict` / `write conflict` are the
 *   emulator's and MongoDB's (WriteConflict) wordings, kept so local runs behave the same.
 * - Duplicate: code `DATABASE_DUPLICATE_WRITE`, documented as "index key duplicate, for example
 *   inserting data with same _id" (docs.cloudbase.net/error-code/DATABASE_DUPLICATE_WRITE); the
 *   store underneath is MongoDB, whose text is `E11000 duplicate key error …`.
 */
const DUPLICATE_TEXT = /E11000|duplicate key|index key duplicate|DATABASE_DUPLICATE_WRITE/i
const CONFLICT_TEXT = /DATABASE_TRANSACTION_CONFLICT|TransactionConflict|Transaction is conflict|transaction conflict|write ?conflict/i

/** True when a thrown database error is a unique-key violation (see DUPLICATE_TEXT). */
export function isDuplicateWriteError(err: unknown): boolean {
  return DUPLICATE_TEXT.test(allText(err))
}

/** True when a thrown database error is a transaction conflict: run the transaction again. */
export function isTransactionConflictError(err: unknown): boolean {
  return CONFLICT_TEXT.test(allText(err))
}

/** `code`, `errMsg` and `message` together: which one survives depends on the SDK layer. */
function allText(err: unknown): string {
  if (typeof err === 'string') return err
  return ['code', 'errMsg', 'message'].map((k) => field(err, k)).filter((v) => typeof v === 'string').join(' ')
}

/** An integer code, also from its string form (some SDK paths stringify it). */
function numericCode(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v
  if (typeof v === 'string' && /^-?\d{1,9}$/.test(v)) return Number(v)
  return undefined
}

/** Maps what a wx-server-sdk call throws (`{ errCode, errMsg }`, or a plain Error). `api`
 * matters only for codes whose meaning differs per API (40029, 40013, -1). */
export function fromCloudSdkError(err: unknown, api: WeChatApi = 'cloud'): ErrorInfo {
  const msg = messageOf(err)
  const code = numericCode(field(err, 'errCode') ?? field(err, 'errcode')) ?? numericCode(/error code:? (-?\d+)/i.exec(msg)?.[1])
  if (code !== undefined && code !== 0) {
    // errCode -1 is also wx-server-sdk's catch-all for database and callFunction failures.
    if (code === -1 && api === 'cloud') {
      if (/^(collection|document)\./.test(msg)) return errorInfo('DATABASE_ERROR', { wechatCode: -1 })
      if (/callFunction/.test(msg)) return errorInfo('CLOUD_FUNCTION_FAILED', { wechatCode: -1 })
    }
    return fromWeChatErrcode(code, api)
  }
  const svrkit = /internal svrkit error, code (-?\d+)/.exec(msg)
  if (svrkit) return { ...errorInfo('WECHAT_ERROR', { wechatCode: Number(svrkit[1]) }), retryable: true }
  const nodeCode = field(err, 'code')
  if ((typeof nodeCode === 'string' && /^E[A-Z_]+$/.test(nodeCode)) || NETWORK_TEXT.test(msg)) return errorInfo('NETWORK_ERROR')
  return errorInfo('INTERNAL_ERROR')
}

// ---- the phone button (client side) ----------------------------------------------------

/** `e.detail` of `bindgetphonenumber` / `bindgetrealtimephonenumber`; `errno` is untyped upstream. */
export interface PhoneButtonDetail {
  errMsg: string
  errno?: number
  code?: string
  cloudID?: string
  encryptedData?: string
  iv?: string
}

/**
 * What to do with a tap. `denied`: the user chose not to share (cancel, deny, privacy not
 * agreed) — say so gently and offer another route. `failed`: anything else.
 */
export type PhoneButtonOutcome =
  | { kind: 'code'; code: string }
  | { kind: 'cloudID'; cloudID: string }
  | { kind: 'legacy'; encryptedData: string; iv: string }
  | { kind: 'denied'; error: ErrorInfo }
  | { kind: 'failed'; error: ErrorInfo }

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0

/** The reference §5 recipe. Deny texts differ per platform: match loosely, never exactly. */
export function classifyPhoneButtonDetail(detail: PhoneButtonDetail): PhoneButtonOutcome {
  const d = (detail ?? {}) as Partial<PhoneButtonDetail>
  const errMsg = typeof d.errMsg === 'string' ? d.errMsg : ''
  const errno = typeof d.errno === 'number' ? d.errno : undefined
  const extra = errno !== undefined ? { wechatCode: errno } : undefined

  if (/:ok$/.test(errMsg)) {
    // Newer clients send several; the code path is verified by WeChat and needs no session.
    if (nonEmpty(d.code)) return { kind: 'code', code: d.code }
    if (nonEmpty(d.cloudID)) return { kind: 'cloudID', cloudID: d.cloudID }
    if (nonEmpty(d.encryptedData) && nonEmpty(d.iv)) return { kind: 'legacy', encryptedData: d.encryptedData, iv: d.iv }
    return { kind: 'failed', error: { ...errorInfo('WECHAT_ERROR'), retryable: true } }
  }
  if (errno === 1400001) return { kind: 'failed', error: errorInfo('QUOTA_EXHAUSTED', extra) }
  if (errno === 112 || /not declared in the privacy/i.test(errMsg)) return { kind: 'failed', error: errorInfo('PRIVACY_NOT_DECLARED', extra) }
  if (errno === 104 || errno === 103 || /privacy permission is not authorized/i.test(errMsg)) {
    return { kind: 'denied', error: errorInfo('PRIVACY_NOT_AUTHORIZED', extra) }
  }
  if (/deny|cancel/i.test(errMsg)) return { kind: 'denied', error: errorInfo('USER_DENIED', extra) }
  if (/no permission|没有权限/i.test(errMsg)) return { kind: 'failed', error: errorInfo('APP_NOT_ELIGIBLE', extra) }
  if (/短信验证|需要进行验证|sms/i.test(errMsg)) return { kind: 'failed', error: errorInfo('PHONE_NEEDS_SMS_VERIFICATION', extra) }
  if (/not supported|no openid/i.test(errMsg) || errno === 10100005) return { kind: 'failed', error: errorInfo('NOT_SUPPORTED', extra) }
  return { kind: 'failed', error: { ...errorInfo('WECHAT_ERROR', extra), retryable: true } }
}

// ---- wx.cloud.callFunction rejections (client side) -------------------------------------

/**
 * Maps a `wx.cloud.callFunction` rejection. The generic -404011 wrapper hides the real
 * cause inside `errMsg` ("… cloud function service error code -501000, error message
 * FunctionName parameter could not be found."), so the inner code wins when present.
 */
export function fromCallFunctionError(err: unknown): ErrorInfo {
  const msg = messageOf(err)
  const outer = field(err, 'errCode')
  const inner = /error code:? (-?\d+)/i.exec(msg)
  const code = inner ? Number(inner[1]) : typeof outer === 'number' ? outer : undefined
  const extra = code !== undefined ? { wechatCode: code } : undefined

  if (/call init first|Cloud API isn't enabled/i.test(msg)) return errorInfo('CLOUD_NOT_INITIALIZED', extra)
  if (code === -501000 || code === -501005 || /FunctionName parameter could not be found|Environment not found|env.*not ?found/i.test(msg)) {
    return errorInfo('CLOUD_FUNCTION_NOT_FOUND', extra)
  }
  if (code !== undefined && code <= -601000 && code > -605000) return fromWeChatErrcode(code, 'cloud')
  if (code === -504001 || code === -504002 || code === -404011) return errorInfo('CLOUD_FUNCTION_FAILED', extra)
  if (NETWORK_TEXT.test(msg) || (code !== undefined && code <= -404001 && code >= -404009)) return errorInfo('NETWORK_ERROR', extra)
  return errorInfo('CLOUD_FUNCTION_FAILED', extra)
}

// ---- base library ----------------------------------------------------------------------

/** Numeric, part-by-part comparison (`'2.29.1' > '2.3.0'`), missing parts count as 0. */
export function compareVersion(a: string, b: string): -1 | 0 | 1 {
  const pa = String(a).split('.')
  const pb = String(b).split('.')
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = parseInt(pa[i] ?? '0', 10) || 0
    const y = parseInt(pb[i] ?? '0', 10) || 0
    if (x !== y) return x > y ? 1 : -1
  }
  return 0
}
