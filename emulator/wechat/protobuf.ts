/**
 * @module emulator/wechat/protobuf — the `wx.openApi` messages (reference/cloudbase-wire-protocol.md §12).
 *
 * The schema was reconstructed from wx-server-sdk's generated encoders and checked byte-identical
 * against them; it is parsed from proto text with protobufjs so it reads like the reference.
 * `keepCase` keeps the SDK's field names (`cloudidList`, `contenttype`) as they are.
 */
import protobuf from 'protobufjs'

const PROTO = `
syntax = "proto3";
message KeyValuePair  { string key = 1; bytes value = 2; string contenttype = 3; string filename = 4; }
message OpenApiData   { repeated KeyValuePair pairs = 1; }
message InnerApiData  { uint32 modid = 1; uint32 cmdid = 2; string url = 3; bool useHttps = 4;
                        int32 method = 5; repeated string headers = 6; bytes body = 7; }
message SvrkitApiData { string apiName = 1; bytes reqData = 2; }
message TokenApiData  { string resourceAppid = 1; string resourceEnv = 2; }
message CommApiData {
  enum ApiType { OPEN_API = 0; INNER_API = 1; SVRKIT_API = 2; TOKEN_API = 3; }
  ApiType apiType = 1; OpenApiData openapiData = 2; InnerApiData innerData = 3;
  SvrkitApiData svrkitData = 4; TokenApiData tokenData = 5; string appid = 6;
}
message HttpHeader      { string key = 1; string value = 2; }
message CommOpenApiResp { bytes respData = 1; string contentType = 2; int32 errorCode = 3;
                          uint32 httpCode = 4; repeated HttpHeader headers = 5; int32 svrkitErrorCode = 6; }
message ApiGetOpenDataByCloudIdReq  { repeated string cloudidList = 2; string appid = 3; }
message ApiGetOpenDataByCloudIdResp {
  message OpDataItem { string cloudId = 1; string json = 2; }
  repeated OpDataItem dataList = 1;
}
`

const root = protobuf.parse(PROTO, { keepCase: true }).root

export const ApiType = { OPEN_API: 0, INNER_API: 1, SVRKIT_API: 2, TOKEN_API: 3 } as const

export interface KeyValuePair {
  key: string
  value: Uint8Array
  contenttype?: string
  filename?: string
}

/** The request of every `wx.openApi` call. */
export interface CommApiData {
  apiType: number
  openapiData?: { pairs: KeyValuePair[] }
  svrkitData?: { apiName: string; reqData: Uint8Array }
  appid: string
}

/** The reply of every `wx.openApi` call. */
export interface CommOpenApiResp {
  respData?: Uint8Array
  contentType?: string
  errorCode?: number
  httpCode?: number
  svrkitErrorCode?: number
}

const types = {
  CommApiData: root.lookupType('CommApiData'),
  CommOpenApiResp: root.lookupType('CommOpenApiResp'),
  ApiGetOpenDataByCloudIdReq: root.lookupType('ApiGetOpenDataByCloudIdReq'),
  ApiGetOpenDataByCloudIdResp: root.lookupType('ApiGetOpenDataByCloudIdResp'),
}

const plain = { enums: Number, longs: Number, bytes: Buffer, defaults: true, arrays: true } as const

export function decodeCommApiData(bytes: Uint8Array): CommApiData {
  return types.CommApiData.toObject(types.CommApiData.decode(bytes), plain) as CommApiData
}

export function encodeCommApiData(value: Partial<CommApiData>): Uint8Array {
  return types.CommApiData.encode(types.CommApiData.fromObject(value)).finish()
}

export function encodeCommOpenApiResp(value: CommOpenApiResp): Uint8Array {
  return types.CommOpenApiResp.encode(types.CommOpenApiResp.fromObject(value)).finish()
}

export function decodeCommOpenApiResp(bytes: Uint8Array): Required<CommOpenApiResp> {
  return types.CommOpenApiResp.toObject(types.CommOpenApiResp.decode(bytes), plain) as Required<CommOpenApiResp>
}

export function decodeGetOpenDataReq(bytes: Uint8Array): { cloudidList: string[]; appid: string } {
  return types.ApiGetOpenDataByCloudIdReq.toObject(types.ApiGetOpenDataByCloudIdReq.decode(bytes), plain) as { cloudidList: string[]; appid: string }
}

export function encodeGetOpenDataReq(value: { cloudidList: string[]; appid?: string }): Uint8Array {
  return types.ApiGetOpenDataByCloudIdReq.encode(types.ApiGetOpenDataByCloudIdReq.fromObject(value)).finish()
}

export function encodeGetOpenDataResp(value: { dataList: { cloudId: string; json: string }[] }): Uint8Array {
  return types.ApiGetOpenDataByCloudIdResp.encode(types.ApiGetOpenDataByCloudIdResp.fromObject(value)).finish()
}

export function decodeGetOpenDataResp(bytes: Uint8Array): { dataList: { cloudId: string; json: string }[] } {
  return types.ApiGetOpenDataByCloudIdResp.toObject(types.ApiGetOpenDataByCloudIdResp.decode(bytes), plain) as { dataList: { cloudId: string; json: string }[] }
}
