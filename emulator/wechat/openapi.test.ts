import type { AdminContext, AdminReply, Invocation } from '../types'
import { createWeChatActions } from './openapi'
import { decodeCommApiData, decodeCommOpenApiResp, decodeGetOpenDataResp, encodeCommApiData, encodeGetOpenDataReq } from './protobuf'
import { SimulatedWeChat } from './wechat'

function setup() {
  const wechat = new SimulatedWeChat({ seed: 'openapi' })
  const user = wechat.createUser({ purePhoneNumber: '13900139000' })
  const action = createWeChatActions(wechat)['wx.openApi']!
  const invocation = (over: Partial<Invocation> = {}): Invocation => ({
    token: 't1',
    invocationId: 'inv-1',
    functionName: 'getPhoneNumber',
    openid: user.openid,
    appid: user.appid,
    openapiPermissions: ['phonenumber.getPhoneNumber'],
    ...over,
  })
  const ctx = (inv?: Invocation): AdminContext => ({ requestId: 'r1', env: 'test', invocation: inv })
  return { wechat, user, action, invocation, ctx }
}

function phoneRequest(code: string, extra: Record<string, unknown> = {}): Uint8Array {
  const pairs = Object.entries({ code, ...extra }).map(([key, v]) => ({ key, value: Buffer.from(JSON.stringify(v)) }))
  return encodeCommApiData({ apiType: 0, openapiData: { pairs }, appid: '' })
}

function cloudIdRequest(ids: string[]): Uint8Array {
  return encodeCommApiData({ apiType: 2, svrkitData: { apiName: 'ApiGetOpenDataByCloudId', reqData: encodeGetOpenDataReq({ cloudidList: ids }) }, appid: '' })
}

function decode(reply: AdminReply) {
  if (!('binary' in reply)) throw new Error('expected a binary reply')
  expect(reply.contentType).toBe('application/octet-stream')
  return decodeCommOpenApiResp(reply.binary)
}

describe('protobuf schema', () => {
  it('decodes the request bytes the SDK sends (reference §11.2 and §11.4 captures)', () => {
    const phone = decodeCommApiData(Buffer.from('CAASDQoLCgRjb2RlEgMieCI=', 'base64'))
    expect(phone.apiType).toBe(0)
    expect(phone.openapiData!.pairs).toHaveLength(1)
    expect(phone.openapiData!.pairs[0]!.key).toBe('code')
    expect(Buffer.from(phone.openapiData!.pairs[0]!.value).toString()).toBe('"x"')
    const open = decodeCommApiData(Buffer.from('CAIiLAoXQXBpR2V0T3BlbkRhdGFCeUNsb3VkSWQSERIPY2xvdWRpZC1waG9uZS0x', 'base64'))
    expect(open.svrkitData!.apiName).toBe('ApiGetOpenDataByCloudId')
    expect(Buffer.from(encodeGetOpenDataReq({ cloudidList: ['cloudid-phone-1'] })).equals(Buffer.from(open.svrkitData!.reqData))).toBe(true)
  })
})

describe('wx.openApi phonenumber.getPhoneNumber', () => {
  it('exchanges a code for the user who tapped and answers WeChat JSON inside respData', async () => {
    const { wechat, user, action, invocation, ctx } = setup()
    const { code } = wechat.tapPhoneButton(user.openid)
    const resp = decode(await action({ action: 'wx.openApi', apiName: 'phonenumber.getPhoneNumber', requestData: Buffer.from(phoneRequest(code!)) }, ctx(invocation())))
    expect(resp.errorCode).toBe(0)
    expect(resp.contentType).toBe('application/json; charset=UTF-8')
    expect(JSON.parse(Buffer.from(resp.respData).toString())).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: { phoneNumber: '13900139000', purePhoneNumber: '13900139000', countryCode: '86', watermark: { appid: user.appid, timestamp: expect.any(Number) } },
    })
    const again = decode(await action({ apiName: 'phonenumber.getPhoneNumber', requestData: phoneRequest(code!) }, ctx(invocation())))
    expect(JSON.parse(Buffer.from(again.respData).toString())).toMatchObject({ errcode: 40029, errmsg: expect.stringMatching(/^invalid code/) })
  })

  it('reads the `openid` pair: a code tapped by another user is refused with 40003 and stays usable', async () => {
    const { wechat, action, invocation, ctx } = setup()
    const thief = wechat.createUser()
    const victim = wechat.createUser()
    const { code } = wechat.tapPhoneButton(victim.openid)
    const asThief = ctx(invocation({ openid: thief.openid }))
    const resp = decode(await action({ apiName: 'phonenumber.getPhoneNumber', requestData: phoneRequest(code!, { openid: thief.openid }) }, asThief))
    expect(JSON.parse(Buffer.from(resp.respData).toString())).toMatchObject({ errcode: 40003 })
    // Without the pair WeChat does not check the owner (documented): the code still works.
    const unchecked = decode(await action({ apiName: 'phonenumber.getPhoneNumber', requestData: phoneRequest(code!) }, asThief))
    expect(JSON.parse(Buffer.from(unchecked.respData).toString())).toMatchObject({ errcode: 0 })
  })

  it('keeps a `__proto__` pair as data: it neither sets the arguments’ prototype nor supplies the code', async () => {
    const { wechat, user, action, invocation, ctx } = setup()
    const { code } = wechat.tapPhoneButton(user.openid)
    const pairs = [{ key: '__proto__', value: Buffer.from(JSON.stringify({ code, openid: user.openid })) }]
    const resp = decode(await action({ apiName: 'phonenumber.getPhoneNumber', requestData: encodeCommApiData({ apiType: 0, openapiData: { pairs }, appid: '' }) }, ctx(invocation())))
    expect(JSON.parse(Buffer.from(resp.respData).toString())).toMatchObject({ errcode: 41001 })
  })

  it('answers -604101 when the function did not declare the API, without spending the code', async () => {
    const { wechat, user, action, invocation, ctx } = setup()
    const { code } = wechat.tapPhoneButton(user.openid)
    const denied = decode(await action({ apiName: 'phonenumber.getPhoneNumber', requestData: phoneRequest(code!) }, ctx(invocation({ openapiPermissions: [] }))))
    expect(denied.errorCode).toBe(-604101)
    expect(denied.respData).toHaveLength(0)
    const ok = decode(await action({ apiName: 'phonenumber.getPhoneNumber', requestData: phoneRequest(code!) }, ctx(invocation())))
    expect(JSON.parse(Buffer.from(ok.respData).toString())).toMatchObject({ errcode: 0 })
  })

  it('answers -604104 for a caller that is not a known invocation', async () => {
    const { action, ctx } = setup()
    expect(decode(await action({ apiName: 'phonenumber.getPhoneNumber', requestData: phoneRequest('x') }, ctx(undefined))).errorCode).toBe(-604104)
  })

  it('can send countryCode as a number', async () => {
    const { wechat, user, action, invocation, ctx } = setup()
    wechat.countryCodeAsNumber = true
    const { code } = wechat.tapPhoneButton(user.openid)
    const resp = decode(await action({ apiName: 'phonenumber.getPhoneNumber', requestData: phoneRequest(code!) }, ctx(invocation())))
    expect(JSON.parse(Buffer.from(resp.respData).toString()).phone_info.countryCode).toBe(86)
  })
})

describe('wx.openApi ApiGetOpenDataByCloudId', () => {
  it('resolves the caller’s cloudID into the item json', async () => {
    const { wechat, user, action, invocation, ctx } = setup()
    const { cloudID } = wechat.tapPhoneButton(user.openid)
    const resp = decode(await action({ apiName: 'ApiGetOpenDataByCloudId', requestData: cloudIdRequest([cloudID!]) }, ctx(invocation({ openapiPermissions: [] }))))
    expect(resp.errorCode).toBe(0)
    const { dataList } = decodeGetOpenDataResp(resp.respData)
    expect(dataList).toHaveLength(1)
    expect(dataList[0]!.cloudId).toBe(cloudID)
    expect(JSON.parse(dataList[0]!.json)).toEqual({ cloudID, data: expect.objectContaining({ purePhoneNumber: '13900139000', countryCode: '86' }) })
  })

  it('answers whole-call -601007 for another user’s cloudID and -601005 for an unknown one', async () => {
    const { wechat, user, action, invocation, ctx } = setup()
    const { cloudID } = wechat.tapPhoneButton(wechat.createUser().openid)
    const other = decode(await action({ requestData: cloudIdRequest([cloudID!]) }, ctx(invocation({ openid: user.openid }))))
    expect(other.errorCode).toBe(-601007)
    expect(decode(await action({ requestData: cloudIdRequest(['1_bogus']) }, ctx(invocation()))).errorCode).toBe(-601005)
  })

  it('rejects a text requestData with a TCB error', async () => {
    const { action, invocation, ctx } = setup()
    await expect(action({ requestData: 'CAIi' }, ctx(invocation()))).rejects.toMatchObject({ code: 'INVALID_PARAM' })
  })
})
