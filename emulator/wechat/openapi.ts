/**
 * @module emulator/wechat/openapi — the `wx.openApi` action of `/admin` (reference §11).
 *
 * Identity comes from the calling invocation (`ctx.invocation`, resolved from `WX_API_TOKEN`),
 * never from the request. A phone code is redeemable by any function of its appid unless the
 * request names an `openid` (then only by that user, as WeChat documents); a cloudID resolves
 * only for its owner. WeChat errors travel inside `respData`; platform errors
 * (-604101 no permission, -6010xx cloudID) as the whole-call `errorCode`. Replies are binary
 * `CommOpenApiResp` with `application/octet-stream` (§11.3).
 */
import type { ActionTable, AdminBody, AdminContext, AdminReply } from '../types'
import { TcbError } from '../types'
import { ApiType, decodeCommApiData, decodeGetOpenDataReq, encodeCommOpenApiResp, encodeGetOpenDataResp, type CommApiData, type CommOpenApiResp } from './protobuf'
import type { Caller } from './phone'
import type { SimulatedWeChat } from './wechat'

/** Whole-call error codes (wx-server-sdk `ERR_CODE`, facts §4.6). */
export const OPENAPI_ERRORS = {
  API_NOT_FOUND: -604100,
  NO_PERMISSION: -604101,
  ILLEGAL_SOURCE: -604104,
} as const

/** At most this many cloudIDs per call, as the platform allows (facts §2). */
const MAX_CLOUDIDS = 5

function reply(resp: CommOpenApiResp): AdminReply {
  return { binary: encodeCommOpenApiResp(resp), contentType: 'application/octet-stream' }
}

function errorReply(errorCode: number): AdminReply {
  return reply({ errorCode })
}

function jsonReply(value: unknown): AdminReply {
  return reply({ respData: Buffer.from(JSON.stringify(value), 'utf8'), contentType: 'application/json; charset=UTF-8', httpCode: 200 })
}

/** The `requestData` part must arrive as raw bytes; text would have corrupted the protobuf. */
function requestBytes(body: AdminBody): Uint8Array {
  const data = body.requestData
  if (data instanceof Uint8Array) return data
  throw new TcbError('INVALID_PARAM', 'wx.openApi: requestData must be a binary multipart part')
}

/** Open-API data pairs: each value is the JSON text of one top-level argument (§11.2). */
function openApiArgs(request: CommApiData): Record<string, unknown> {
  // Keys come from the request: a `__proto__` pair must stay data, not become the prototype.
  const args = Object.create(null) as Record<string, unknown>
  for (const pair of request.openapiData?.pairs ?? []) {
    const text = Buffer.from(pair.value).toString('utf8')
    try {
      args[pair.key] = JSON.parse(text)
    } catch {
      args[pair.key] = text
    }
  }
  return args
}

type OpenApiHandler = (wechat: SimulatedWeChat, args: Record<string, unknown>, caller: Caller) => Promise<AdminReply>

/** `cloud.openapi.<apiName>` handlers we emulate, keyed by the dotted name. */
const OPEN_APIS: Record<string, OpenApiHandler> = {
  'phonenumber.getPhoneNumber': async (wechat, args, caller) => jsonReply(await wechat.exchangePhoneCode(args.code, caller, args.openid)),
}

type SvrkitHandler = (wechat: SimulatedWeChat, reqData: Uint8Array, caller: Caller) => Promise<AdminReply>

const SVRKIT_APIS: Record<string, SvrkitHandler> = {
  ApiGetOpenDataByCloudId: async (wechat, reqData, caller) => {
    const { cloudidList } = decodeGetOpenDataReq(reqData)
    const fault = await wechat.fault('getOpenData')
    if (fault.errcode !== undefined) {
      wechat.emit('getOpenData', fault.errcode, caller.openid, caller.invocationId)
      return errorReply(fault.errcode)
    }
    if (cloudidList.length === 0 || cloudidList.length > MAX_CLOUDIDS) return errorReply(-601002)
    const results = wechat.resolveCloudIds(cloudidList, caller)
    // Modelled as a whole-call error (reference §15.7): the first failing id decides.
    const failed = results.find((r) => 'errCode' in r)
    if (failed && 'errCode' in failed) return errorReply(failed.errCode)
    const dataList = results.map((r) => ({ cloudId: r.cloudID, json: JSON.stringify(r) }))
    return reply({ respData: encodeGetOpenDataResp({ dataList }), svrkitErrorCode: 0 })
  },
}

export interface WeChatActionsOptions {
  /**
   * Check `config.json` openapi permissions for svrkit calls too. Off by default: whether
   * `cloud.getOpenData` needs a declaration is not established (facts §3).
   */
  checkSvrkitPermissions?: boolean
}

/** The `/admin` actions served by the simulated WeChat: `wx.openApi`. */
export function createWeChatActions(wechat: SimulatedWeChat, options: WeChatActionsOptions = {}): ActionTable {
  return {
    'wx.openApi': async (body: AdminBody, ctx: AdminContext): Promise<AdminReply> => {
      const request = decodeCommApiData(requestBytes(body))
      const invocation = ctx.invocation
      // Only code running in a function may call openapi; a bare token is "illegal source".
      if (!invocation) return errorReply(OPENAPI_ERRORS.ILLEGAL_SOURCE)
      const caller: Caller = { openid: invocation.openid, appid: invocation.appid, invocationId: invocation.invocationId }

      if (request.apiType === ApiType.OPEN_API) {
        const apiName = typeof body.apiName === 'string' ? body.apiName : ''
        if (!invocation.openapiPermissions.includes(apiName)) {
          wechat.emit(apiName || 'wx.openApi', OPENAPI_ERRORS.NO_PERMISSION, caller.openid, caller.invocationId)
          return errorReply(OPENAPI_ERRORS.NO_PERMISSION)
        }
        const handler = Object.hasOwn(OPEN_APIS, apiName) ? OPEN_APIS[apiName] : undefined
        return handler ? handler(wechat, openApiArgs(request), caller) : errorReply(OPENAPI_ERRORS.API_NOT_FOUND)
      }

      if (request.apiType === ApiType.SVRKIT_API && request.svrkitData) {
        const name = request.svrkitData.apiName
        const handler = Object.hasOwn(SVRKIT_APIS, name) ? SVRKIT_APIS[name] : undefined
        if (!handler) return errorReply(OPENAPI_ERRORS.API_NOT_FOUND)
        if (options.checkSvrkitPermissions && !invocation.openapiPermissions.includes(name)) return errorReply(OPENAPI_ERRORS.NO_PERMISSION)
        return handler(wechat, request.svrkitData.reqData, caller)
      }

      return errorReply(OPENAPI_ERRORS.API_NOT_FOUND)
    },
  }
}
