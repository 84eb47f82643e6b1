/**
 * The code path (`getPhoneNumber`) and the cloudID path (`getOpenData {cloudID}`), through the
 * emulator with the real wx-server-sdk running the built bundles.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cloudID } from '../../emulator/client'
import { expectFail, expectOk, startHarness, type Harness } from './harness'
import { callsSince, dbState, masked, newUser, tapForCode, type Bind } from './support'

let h: Harness
const numbers: string[] = []
const user = async () => {
  const u = await newUser(h)
  numbers.push(u.number)
  return u
}

beforeAll(async () => {
  h = await startHarness()
}, 60_000)
afterAll(async () => {
  await h?.stop()
})

describe('getPhoneNumber (code path)', () => {
  it('binds on the first tap: masked view, one index document, a bind event with the masked number only', async () => {
    const { openid, number } = await user()
    const code = await tapForCode(h, openid)
    const data = expectOk(await h.call<Bind>(openid, 'getPhoneNumber', { code }))
    expect(data.change).toBe('bound')
    expect(data.phone).toMatchObject({ masked: masked(number), countryCode: '86', source: 'code' })
    expect(data.phone.e164).toBeUndefined()
    expect(new Date(data.phone.verifiedAt).toISOString()).toBe(data.phone.verifiedAt)
    const db = await dbState(h, openid)
    expect(db.user?.phone?.e164).toBe(`+86${number}`)
    expect(db.index.map((i) => i._id)).toEqual([`p86${number}`])
    expect(db.events.map((e) => [e.type, e.masked])).toEqual([['bind', masked(number)]])
    expect(JSON.stringify(db.events)).not.toContain(number)
  })

  it('rejects a reused code (40029) without touching the binding, and asks for a new tap', async () => {
    const { openid } = await user()
    const code = await tapForCode(h, openid)
    expectOk(await h.call(openid, 'getPhoneNumber', { code }))
    const before = await dbState(h, openid)
    const err = expectFail(await h.call(openid, 'getPhoneNumber', { code }), 'CODE_INVALID')
    expect(err).toMatchObject({ retryable: true, wechatCode: 40029 })
    expect(await dbState(h, openid)).toEqual(before)
  })

  it('rejects an expired code and binds nothing', async () => {
    const { openid } = await user()
    const code = await tapForCode(h, openid)
    await h.emu.client.expireCodes()
    expectFail(await h.call(openid, 'getPhoneNumber', { code }), 'CODE_INVALID')
    expect((await dbState(h, openid)).index).toEqual([])
  })

  it("rejects another user's code (codes are bound to the user who tapped)", async () => {
    const a = await user()
    const b = await user()
    const code = await tapForCode(h, a.openid)
    expectFail(await h.call(b.openid, 'getPhoneNumber', { code }), 'CODE_INVALID')
    expect((await dbState(h, b.openid)).index).toEqual([])
  })

  // WeChat answers 40029 for another app's code (staff answer, community thread
  // 000642fc5605a040d2b2c599f6b400): to the user it is an invalid code, and a fresh tap in
  // this mini program gives a valid one.
  it('rejects a code issued to another mini program (40029) as CODE_INVALID', async () => {
    const other = await h.emu.client.createApp({ name: 'other app' })
    const foreigner = await h.emu.client.createUser({ appid: other.appid })
    const { openid } = await user()
    const code = await tapForCode(h, foreigner.openid)
    expect(expectFail(await h.call(openid, 'getPhoneNumber', { code }), 'CODE_INVALID').wechatCode).toBe(40029)
    expect((await dbState(h, openid)).user).toBeNull()
  })

  it('names a missing config.json permission (-604101) so the developer can fix the deploy', async () => {
    const { openid } = await user()
    const file = join(h.functionsDir, 'getPhoneNumber', 'config.json')
    const shipped = await readFile(file, 'utf8')
    expect(JSON.parse(shipped).permissions.openapi).toEqual(['phonenumber.getPhoneNumber'])
    await writeFile(file, JSON.stringify({ permissions: { openapi: [] } }))
    try {
      const code = await tapForCode(h, openid)
      const from = h.wechatCalls.length
      const err = expectFail(await h.call(openid, 'getPhoneNumber', { code }), 'API_PERMISSION_DENIED')
      expect(err.wechatCode).toBe(-604101)
      expect(callsSince(h, from, 'getPhoneNumber')).toBe(0) // refused before WeChat saw the code
    } finally {
      await writeFile(file, shipped)
    }
  })

  it('turns WeChat -1 into a retryable WECHAT_BUSY after exactly ONE exchange: the spent code is never replayed', async () => {
    const { openid } = await user()
    const code = await tapForCode(h, openid)
    await h.emu.client.setFaults('getPhoneNumber', { errcode: -1, next: 1 })
    const from = h.wechatCalls.length
    const err = expectFail(await h.call(openid, 'getPhoneNumber', { code }), 'WECHAT_BUSY')
    expect(err).toMatchObject({ retryable: true, wechatCode: -1 })
    expect(callsSince(h, from, 'getPhoneNumber')).toBe(1)
    // The code was burned by WeChat; a new tap is what works.
    const fresh = await tapForCode(h, openid)
    expect(expectOk(await h.call<Bind>(openid, 'getPhoneNumber', { code: fresh })).change).toBe('bound')
    await h.emu.client.setFaults('getPhoneNumber', null)
  })

  it('reports the minute quota (45011) as RATE_LIMITED', async () => {
    const { openid } = await user()
    const code = await tapForCode(h, openid)
    await h.emu.client.setFaults('getPhoneNumber', { errcode: 45011, next: 1 })
    expectFail(await h.call(openid, 'getPhoneNumber', { code }), 'RATE_LIMITED')
    await h.emu.client.setFaults('getPhoneNumber', null)
  })

  it('when the paid quota is spent the button gives no code, and a call without one changes nothing', async () => {
    const { openid } = await user()
    const app = (await h.emu.client.apps()).apps[0]
    await h.emu.client.setQuota(0)
    const detail = await h.emu.client.tapPhoneButton(openid)
    await h.emu.client.setQuota(app.quota)
    expect(detail).toMatchObject({ errno: 1400001 })
    expect(detail.code).toBeUndefined()
    expect(expectFail(await h.call(openid, 'getPhoneNumber', { code: detail.code }), 'INVALID_INPUT').field).toBe('code')
    expect((await dbState(h, openid)).user).toBeNull()
  })

  it('binds once on a double tap (two codes, concurrently): one bound, one unchanged, one index document', async () => {
    const { openid, number } = await user()
    const [c1, c2] = [await tapForCode(h, openid), await tapForCode(h, openid)]
    const results = await Promise.all([h.call<Bind>(openid, 'getPhoneNumber', { code: c1 }), h.call<Bind>(openid, 'getPhoneNumber', { code: c2 })])
    expect(results.map((r) => expectOk(r).change).sort()).toEqual(['bound', 'unchanged'])
    const db = await dbState(h, openid)
    expect(db.allIndex.filter((i) => i._id === `p86${number}`)).toHaveLength(1)
    expect(db.events.filter((e) => e.type === 'bind')).toHaveLength(1)
  })

  it('one code submitted twice at once: one succeeds, the other is CODE_INVALID, one binding', async () => {
    const { openid } = await user()
    const code = await tapForCode(h, openid)
    const results = await Promise.all([h.call(openid, 'getPhoneNumber', { code }), h.call(openid, 'getPhoneNumber', { code })])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.filter((r) => !r.ok && r.error.code === 'CODE_INVALID')).toHaveLength(1)
    expect((await dbState(h, openid)).index).toHaveLength(1)
  })

  it('ignores identity in the request body: openid/OPENID are refused, a spoofed userInfo binds to the real caller', async () => {
    const victim = await user()
    const attacker = await user()
    const code = await tapForCode(h, attacker.openid)
    expect(expectFail(await h.call(attacker.openid, 'getPhoneNumber', { code, openid: victim.openid }), 'INVALID_INPUT').field).toBe('openid')
    expect(expectFail(await h.call(attacker.openid, 'getPhoneNumber', { code, OPENID: victim.openid }), 'INVALID_INPUT').field).toBe('OPENID')
    const res = await h.call<Bind>(attacker.openid, 'getPhoneNumber', { code, userInfo: { openId: victim.openid, appId: h.emu.appid } })
    expect(expectOk(res).phone.masked).toBe(masked(attacker.number))
    expect((await dbState(h, victim.openid)).user).toBeNull()
    expect((await dbState(h, attacker.openid)).index).toHaveLength(1)
  })

  it.each([
    [{}, 'code'],
    [{ code: 42 }, 'code'],
    [{ code: '' }, 'code'],
    [{ code: 'x'.repeat(200) }, 'code'],
    [{ code: 'abc', phone: '13800138000' }, 'phone'],
  ])('validates input %j → INVALID_INPUT on %s, and calls no WeChat API', async (data, field) => {
    const { openid } = await user()
    const from = h.wechatCalls.length
    expect(expectFail(await h.call(openid, 'getPhoneNumber', data as Record<string, unknown>), 'INVALID_INPUT').field).toBe(field)
    expect(callsSince(h, from, 'getPhoneNumber')).toBe(0)
  })

  it('keeps the country code: a Hong Kong number binds as +852, and a numeric countryCode is accepted', async () => {
    const hk = await h.emu.client.createUser({ purePhoneNumber: '61234567', countryCode: '852' })
    numbers.push('61234567')
    await h.emu.client.setCountryCodeAsNumber(true)
    try {
      const data = expectOk(await h.call<Bind>(hk.openid, 'getPhoneNumber', { code: await tapForCode(h, hk.openid) }))
      expect(data.phone).toMatchObject({ countryCode: '852', source: 'code' })
      expect(data.phone.masked).not.toContain('61234567')
      expect((await dbState(h, hk.openid)).index.map((i) => i._id)).toEqual(['p85261234567'])
    } finally {
      await h.emu.client.setCountryCodeAsNumber(false)
    }
  })

  it('returns the full E.164 number only when the deployment opts in', async () => {
    const { openid, number } = await user()
    h.setEnv({ PHONEBIND_RETURN_FULL_PHONE: '1' })
    try {
      const code = await tapForCode(h, openid)
      expect(expectOk(await h.call<Bind>(openid, 'getPhoneNumber', { code })).phone.e164).toBe(`+86${number}`)
    } finally {
      h.setEnv()
    }
  })
})

describe('getOpenData {cloudID}', () => {
  it('binds with a raw cloudID string', async () => {
    const { openid, number } = await user()
    const detail = await h.emu.client.tapPhoneButton(openid)
    const data = expectOk(await h.call<Bind>(openid, 'getOpenData', { cloudID: detail.cloudID }))
    expect(data).toMatchObject({ change: 'bound', phone: { masked: masked(number), source: 'cloudID' } })
  })

  it('binds with a platform-resolved wx.cloud.CloudID (re-resolved server-side)', async () => {
    const { openid, number } = await user()
    const detail = await h.emu.client.tapPhoneButton(openid)
    const from = h.wechatCalls.length
    const data = expectOk(await h.call<Bind>(openid, 'getOpenData', { cloudID: cloudID(detail.cloudID!) }))
    expect(data.phone.masked).toBe(masked(number))
    // once by the platform's substitution, once by the function: the event's data is not trusted
    expect(callsSince(h, from, 'getOpenData')).toBe(2)
  })

  it("refuses someone else's cloudID (-601007) and binds nothing", async () => {
    const a = await user()
    const b = await user()
    const detail = await h.emu.client.tapPhoneButton(a.openid)
    expect(expectFail(await h.call(b.openid, 'getOpenData', { cloudID: detail.cloudID }), 'CLOUDID_USER_MISMATCH').wechatCode).toBe(-601007)
    expect((await dbState(h, b.openid)).user).toBeNull()
  })

  it('never trusts the data of a resolved object sent by the client: a forged one is re-resolved and refused', async () => {
    const victim = await user()
    const attacker = await user()
    const detail = await h.emu.client.tapPhoneButton(victim.openid)
    const forgedData = { phoneNumber: victim.number, purePhoneNumber: victim.number, countryCode: '86', watermark: { appid: h.emu.appid, timestamp: 1 } }
    // the victim's cloudID with its (genuine-looking) data, and a made-up id with the same data
    expectFail(await h.call(attacker.openid, 'getOpenData', { cloudID: { cloudID: detail.cloudID, data: forgedData } }), 'CLOUDID_USER_MISMATCH')
    expectFail(await h.call(attacker.openid, 'getOpenData', { cloudID: { cloudID: 'forged-cloud-id', data: forgedData } }), 'CLOUDID_INVALID')
    expect((await dbState(h, attacker.openid)).user).toBeNull()
    expect((await dbState(h, victim.openid)).user).toBeNull()
  })

  it('reports an expired cloudID, as a string and as the platform-resolved error object', async () => {
    const { openid } = await user()
    const detail = await h.emu.client.tapPhoneButton(openid)
    await h.emu.client.expireCodes()
    expectFail(await h.call(openid, 'getOpenData', { cloudID: detail.cloudID }), 'CLOUDID_EXPIRED')
    expectFail(await h.call(openid, 'getOpenData', { cloudID: cloudID(detail.cloudID!) }), 'CLOUDID_EXPIRED')
  })

  it('refuses a request that mixes the cloudID and legacy paths', async () => {
    const { openid } = await user()
    expectFail(await h.call(openid, 'getOpenData', { cloudID: 'x', encryptedData: 'y', iv: 'z' }), 'INVALID_INPUT')
  })
})

describe('secrets', () => {
  it('no response or log line of this suite holds a session key, the AppSecret or a full number', () => {
    expect(h.responses.length).toBeGreaterThan(20)
    expect(h.logs.length).toBeGreaterThan(20)
    expect(h.findLeaks(numbers)).toEqual([])
  })

  it('the scan is not vacuous: a planted number or session key is found', () => {
    const key = [...h.sessionKeys][0]
    h.responses.push({ planted: `+86${numbers[0]}` }, { planted: key })
    try {
      expect(h.findLeaks(numbers)).toHaveLength(2)
    } finally {
      h.responses.splice(-2)
    }
  })
})
