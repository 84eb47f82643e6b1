/**
 * @module emulator/wechat/call-function — `wx.cloud.callFunction` as the mini program sees it.
 *
 * The platform does two things before `main()` runs (reference wire protocol §11.4):
 * - a top-level `wx.cloud.CloudID(id)` value in `data` is replaced by `{cloudID, data}` (or
 *   `{cloudID, errCode, errMsg}`); at most 5 per call. A nested one is not resolved and arrives as
 *   the plain id string (WX reference-sdk-api/open/Cloud.CloudID: "非顶层字段的 CloudID 不会被替换，
 *   会原样字符串展示", its example `obj: {shareInfo: 'yyy'}`). Over our JSON transport a CloudID is
 *   written `{"$cloudID": "<id>"}` (exactly that one key).
 * - `event.userInfo = {appId, openId}` is added (deprecated, but still delivered; functions must
 *   take identity from `getWXContext()` instead).
 * Failures reach the client as `-404011` with the service error inside `errMsg` (facts §4.7).
 *
 * Data nested past `MAX_EVENT_DEPTH` is refused with HTTP 400 `CALL_DATA_TOO_DEEP` before any
 * worker is involved: no real client can send it (its own JSON.stringify overflows first), so
 * this is the emulator refusing impossible input, not a simulated platform answer.
 */
import { randomUUID } from 'node:crypto'
import { MAX_EVENT_DEPTH, nestsDeeperThan } from '../runner/eventDepth'
import type { TestUser } from './state'
import { BadRequest } from './http'
import type { SimulatedWeChat } from './wechat'

/** The slice of the runner the client needs. */
export interface FunctionInvoker {
  invoke(
    name: string,
    event: unknown,
    identity: { openid: string; appid: string; unionid?: string; clientIp?: string },
  ): Promise<{ ok: true; result: unknown; invocationId: string } | { ok: false; errCode: number; errMsg: string; invocationId: string }>
}

/** What `wx.cloud.callFunction` resolves with. */
export interface CallFunctionSuccess<T = unknown> {
  errMsg: 'cloud.callFunction:ok'
  result: T
  requestID: string
}

/** A resolved call, or the failure `wx.cloud.callFunction` rejects with. */
export type CallFunctionReply<T = unknown> = CallFunctionSuccess<T> | { errCode: number; errMsg: string }

export const MAX_CLOUDIDS_PER_CALL = 5
/** The wrapper code the mini program gets for any failure inside the function service. */
export const CLIENT_EXECUTION_ERROR = -404011
/** The stable code at the start of the 400's `error` text for over-deep `data`. */
export const CALL_DATA_TOO_DEEP = 'CALL_DATA_TOO_DEEP'
const TOO_DEEP_TEXT = `${CALL_DATA_TOO_DEEP}: callFunction data is nested deeper than ${MAX_EVENT_DEPTH} levels; no function was run / 云函数参数 data 的嵌套超过 ${MAX_EVENT_DEPTH} 层，未调用云函数`

/** `{"$cloudID": "<id>"}` → the id, else undefined. */
export function cloudIdMarker(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const keys = Object.keys(value)
  const id = (value as { $cloudID?: unknown }).$cloudID
  return keys.length === 1 && typeof id === 'string' ? id : undefined
}

/**
 * Every CloudID marker inside `value` (at any depth, in objects and arrays) becomes its plain id
 * string, as a nested `wx.cloud.CloudID` reaches the function. Unchanged parts are shared, not
 * copied. Depth is bounded by the caller (`nestsDeeperThan` runs first).
 */
export function unmarkNestedCloudIds(value: unknown): unknown {
  const id = cloudIdMarker(value)
  if (id !== undefined) return id
  if (Array.isArray(value)) {
    let out: unknown[] | undefined
    value.forEach((v, i) => {
      const w = unmarkNestedCloudIds(v)
      if (w !== v) (out ??= [...value])[i] = w
    })
    return out ?? value
  }
  if (typeof value !== 'object' || value === null) return value
  let out: Record<string, unknown> | undefined
  for (const [k, v] of Object.entries(value)) {
    const w = unmarkNestedCloudIds(v)
    if (w !== v) (out ??= { ...value })[k] = w
  }
  return out ?? value
}

/** Replaces top-level CloudID markers as the platform does (nested ones become id strings); throws BadRequest past 5. */
export function substituteCloudIds(wechat: SimulatedWeChat, user: TestUser, data: Record<string, unknown>): Record<string, unknown> {
  const marked = Object.entries(data).filter(([, v]) => cloudIdMarker(v) !== undefined)
  const out = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, cloudIdMarker(v) === undefined ? unmarkNestedCloudIds(v) : v]))
  if (marked.length === 0) return out
  if (marked.length > MAX_CLOUDIDS_PER_CALL) throw new BadRequest(`at most ${MAX_CLOUDIDS_PER_CALL} wx.cloud.CloudID values per call`)
  const results = wechat.resolveCloudIds(
    marked.map(([, v]) => cloudIdMarker(v)!),
    { openid: user.openid, appid: user.appid },
  )
  marked.forEach(([key], i) => {
    out[key] = results[i]
  })
  return out
}

export async function callFunctionAsClient(
  deps: { wechat: SimulatedWeChat; functions: FunctionInvoker },
  user: TestUser,
  name: string,
  data: unknown,
): Promise<CallFunctionReply> {
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) {
    // wx.cloud.callFunction itself rejects a non-object `data` before sending anything.
    return { errCode: -401002, errMsg: 'cloud.callFunction:fail parameter.data should be Object' }
  }
  if (data !== undefined && nestsDeeperThan(data)) throw new BadRequest(TOO_DEEP_TEXT, 400)
  let event: Record<string, unknown>
  try {
    event = substituteCloudIds(deps.wechat, user, (data ?? {}) as Record<string, unknown>)
  } catch (e) {
    if (e instanceof BadRequest) return { errCode: -401002, errMsg: `cloud.callFunction:fail ${e.message}` }
    throw e
  }
  event = { ...event, userInfo: { appId: user.appid, openId: user.openid } }
  const outcome = await deps.functions.invoke(name, event, { openid: user.openid, appid: user.appid, unionid: user.unionid, clientIp: '127.0.0.1' })
  if (outcome.ok) return { errMsg: 'cloud.callFunction:ok', result: outcome.result, requestID: outcome.invocationId }
  const requestID = outcome.invocationId || randomUUID()
  return {
    errCode: CLIENT_EXECUTION_ERROR,
    errMsg: `cloud.callFunction:fail requestID ${requestID}, cloud function service error code ${outcome.errCode}, error message ${outcome.errMsg}`,
  }
}
