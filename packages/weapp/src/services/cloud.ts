/**
 * @module services/cloud — the one door to the cloud functions: a typed `callFunction` that never
 * throws. Transport failures (`-404011`, `-504002`, no init, …) and malformed results all become
 * `{ ok:false, error }` with a catalog code, so callers handle one shape.
 */
import type { ErrorInfo, FunctionContracts, FunctionName, Result } from '../../../../core/contracts'
import { errorInfo, isErrorCode } from '../../../../core/errors'
import { fromCallFunctionError } from '../../../../core/wechatCodes'
import { noteFunctionAnswer } from './knownPhone'

export type RequestOf<N extends FunctionName> = FunctionContracts[N]['request']
export type DataOf<N extends FunctionName> = FunctionContracts[N]['data']

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Rebuilds the error from our own catalog: the code is the contract, so the messages shown are
 * always the client's catalog text, whatever the function put in the message fields. */
function errorFromResult(value: unknown): ErrorInfo {
  if (!isObject(value) || !isErrorCode(value.code)) return errorInfo('CLOUD_FUNCTION_FAILED')
  const extra: { wechatCode?: number; field?: string } = {}
  if (typeof value.wechatCode === 'number') extra.wechatCode = value.wechatCode
  if (typeof value.field === 'string') extra.field = value.field
  const info = errorInfo(value.code, extra)
  // The server may know better whether a retry helps (e.g. an unknown transient WeChat code).
  if (typeof value.retryable === 'boolean') info.retryable = value.retryable
  // How long to wait (SMS_RATE_LIMITED): the SMS form counts it down on its resend button.
  if (typeof value.retryAfterSeconds === 'number' && Number.isFinite(value.retryAfterSeconds) && value.retryAfterSeconds >= 0) {
    info.retryAfterSeconds = value.retryAfterSeconds
  }
  return info
}

/** Validates `CallFunctionResult.result` (typed `AnyObject | string | undefined`) as a `Result`. */
export function parseResult<T>(result: unknown): Result<T> {
  if (!isObject(result) || typeof result.ok !== 'boolean') return { ok: false, error: errorInfo('CLOUD_FUNCTION_FAILED') }
  if (result.ok) {
    if (!isObject(result.data)) return { ok: false, error: errorInfo('CLOUD_FUNCTION_FAILED') }
    return { ok: true, data: result.data as T }
  }
  return { ok: false, error: errorFromResult(result.error) }
}

/** Calls a phonebind cloud function. Never retries: a request may carry a single-use code. */
export async function callFunction<N extends FunctionName>(name: N, data: RequestOf<N>): Promise<Result<DataOf<N>>> {
  // `wx.cloud` is missing below base library 2.2.3 and in hosts without cloud development.
  if (!wx.cloud) return { ok: false, error: errorInfo('CLOUD_NOT_INITIALIZED') }
  try {
    const res = await wx.cloud.callFunction({ name, data: data as WechatMiniprogram.IAnyObject })
    const parsed = parseResult<DataOf<N>>(res.result)
    // The answers are the truth about the binding (phone-auth hides its paid button once bound).
    if (parsed.ok) noteFunctionAnswer(name, parsed.data)
    return parsed
  } catch (err) {
    return { ok: false, error: fromCallFunctionError(err) }
  }
}
