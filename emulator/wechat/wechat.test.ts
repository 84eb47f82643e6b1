import { decryptOpenData } from '../../core/crypto'
import type { Clock } from '../types'
import { SimulatedWeChat } from './wechat'

class FakeClock implements Clock {
  t = Date.UTC(2026, 10, 23, 9, 0, 0)
  now(): number {
    return this.t
  }
  advance(ms: number): void {
    this.t += ms
  }
}

function setup(seed = 'unit') {
  const clock = new FakeClock()
  const wx = new SimulatedWeChat({ clock, seed })
  const app = wx.getApp()!
  const user = wx.createUser({ purePhoneNumber: '13800138000' })
  const exchange = (code: string) => wx.jscode2session({ appid: app.appid, secret: app.secret, js_code: code, grant_type: 'authorization_code' })
  return { clock, wx, app, user, exchange }
}

describe('wx.login and jscode2session', () => {
  it('exchanges a js code once and answers 40163 on reuse', async () => {
    const { wx, user, exchange } = setup()
    const { code } = wx.login(user.openid)
    const first = await exchange(code)
    expect(first).toMatchObject({ openid: user.openid, unionid: user.unionid })
    expect('session_key' in first && first.session_key).toMatch(/^[A-Za-z0-9+/]{22}==$/)
    const again = await exchange(code)
    expect(again).toMatchObject({ errcode: 40163 })
    expect('errmsg' in again && again.errmsg).toMatch(/^code been used, hints: \[ req_id: \w+ \]$/)
  })

  it('rejects an expired or unknown js code with 40029', async () => {
    const { wx, clock, user, exchange } = setup()
    const { code } = wx.login(user.openid)
    clock.advance(5 * 60 * 1000)
    expect(await exchange(code)).toMatchObject({ errcode: 40029 })
    expect(await exchange('0nosuchcode')).toMatchObject({ errcode: 40029 })
  })

  it('accepts a js code just before its five minutes are up', async () => {
    const { wx, clock, user, exchange } = setup()
    const { code } = wx.login(user.openid)
    clock.advance(5 * 60 * 1000 - 1)
    expect(await exchange(code)).toHaveProperty('openid', user.openid)
  })

  it('answers 40125 for a wrong secret and 40013 for an unknown appid, leaving the code usable', async () => {
    const { wx, app, user, exchange } = setup()
    const { code } = wx.login(user.openid)
    expect(await wx.jscode2session({ appid: app.appid, secret: 'f'.repeat(32), js_code: code, grant_type: 'authorization_code' })).toMatchObject({ errcode: 40125 })
    expect(await wx.jscode2session({ appid: 'wx0000000000000000', secret: app.secret, js_code: code, grant_type: 'authorization_code' })).toMatchObject({ errcode: 40013 })
    expect(await exchange(code)).toHaveProperty('openid', user.openid)
  })

  it('rejects a code issued for another app with 40029', async () => {
    const { wx, exchange } = setup()
    const other = wx.createApp({ name: 'other' })
    const stranger = wx.createUser({ appid: other.appid })
    expect(await exchange(wx.login(stranger.openid).code)).toMatchObject({ errcode: 40029 })
  })

  it('rotates the session key on every exchange, so data encrypted under the old key no longer decrypts', async () => {
    const { wx, app, user, exchange } = setup()
    const first = await exchange(wx.login(user.openid).code)
    const key1 = 'session_key' in first ? first.session_key : ''
    const tap = wx.tapPhoneButton(user.openid)
    const input = { appid: app.appid, encryptedData: tap.encryptedData!, iv: tap.iv! }
    expect(decryptOpenData({ ...input, sessionKey: key1 })).toMatchObject({ ok: true, data: { purePhoneNumber: '13800138000' } })

    const second = await exchange(wx.login(user.openid).code)
    const key2 = 'session_key' in second ? second.session_key : ''
    expect(key2).not.toBe(key1)
    expect(decryptOpenData({ ...input, sessionKey: key2 }).ok).toBe(false)
    // A new tap uses the new key.
    const tap2 = wx.tapPhoneButton(user.openid)
    expect(decryptOpenData({ appid: app.appid, encryptedData: tap2.encryptedData!, iv: tap2.iv!, sessionKey: key2 }).ok).toBe(true)
  })

  it('reports checkSession false before any login, true after, false after expiry', async () => {
    const { wx, clock, user, exchange } = setup()
    expect(wx.checkSession(user.openid)).toBe(false)
    await exchange(wx.login(user.openid).code)
    expect(wx.checkSession(user.openid)).toBe(true)
    clock.advance(wx.sessionTtlMs)
    expect(wx.checkSession(user.openid)).toBe(false)
  })

  it('never makes an all-digit openid', () => {
    const { wx } = setup()
    for (let i = 0; i < 50; i++) expect(wx.createUser().openid).toMatch(/^o[A-Za-z0-9_-]{27}$/)
  })
})

describe('the phone button', () => {
  it('delivers code, cloudID, encryptedData and iv on a current base library and charges one unit', () => {
    const { wx, app, user } = setup()
    const before = app.quota
    const detail = wx.tapPhoneButton(user.openid)
    expect(detail).toEqual({ errMsg: 'getPhoneNumber:ok', code: expect.any(String), cloudID: expect.any(String), encryptedData: expect.any(String), iv: expect.any(String) })
    expect(wx.getApp()!.quota).toBe(before - 1)
  })

  it('delivers what the base library supports', () => {
    const { wx } = setup()
    const old = wx.createUser({ baseLibrary: '2.19.0' })
    const older = wx.createUser({ baseLibrary: '2.7.9' })
    expect(Object.keys(wx.tapPhoneButton(old.openid)).sort()).toEqual(['cloudID', 'encryptedData', 'errMsg', 'iv'])
    expect(Object.keys(wx.tapPhoneButton(older.openid)).sort()).toEqual(['encryptedData', 'errMsg', 'iv'])
    // '2.29.1' > '2.3.0' numerically, not as strings.
    expect(wx.tapPhoneButton(wx.createUser({ baseLibrary: '2.29.1' }).openid).code).toBeDefined()
  })

  it('answers 1400001 once the quota is spent, and failed taps are free', () => {
    const { wx, user } = setup()
    wx.setQuota(1)
    expect(wx.tapPhoneButton(user.openid, { outcome: 'deny' }).errMsg).toBe('getPhoneNumber:fail user deny')
    expect(wx.tapPhoneButton(user.openid).errMsg).toBe('getPhoneNumber:ok')
    expect(wx.tapPhoneButton(user.openid)).toMatchObject({ errno: 1400001 })
    expect(wx.getApp()!.quota).toBe(0)
  })

  it('models privacy, declaration, permission and platform deny texts', () => {
    const { wx, user } = setup()
    expect(wx.tapPhoneButton(user.openid, { outcome: 'deny', platform: 'android' }).errMsg).toBe('getPhoneNumber:fail:user deny')
    expect(wx.tapPhoneButton(user.openid, { outcome: 'privacy' })).toMatchObject({ errno: 104 })
    wx.updateUser(user.openid, { privacyAuthorized: false })
    expect(wx.tapPhoneButton(user.openid)).toMatchObject({ errno: 104, errMsg: 'getPhoneNumber:fail privacy permission is not authorized' })
    wx.updateApp(wx.defaultAppid, { privacyDeclared: false })
    expect(wx.tapPhoneButton(user.openid)).toMatchObject({ errno: 112 })
    wx.updateApp(wx.defaultAppid, { phonePermission: false })
    expect(wx.tapPhoneButton(user.openid).errMsg).toBe('getPhoneNumber:fail no permission')
  })

  // PrivacyAuthorize.html: "低于 2.32.3 版本的基础库未集成隐私相关功能，也不会拦截隐私接口调用".
  it('stops an unconsented tap with 104 only from base library 2.32.3, where the privacy APIs start', () => {
    const { wx } = setup()
    const older = wx.createUser({ baseLibrary: '2.32.2', privacyAuthorized: false })
    expect(wx.tapPhoneButton(older.openid)).toMatchObject({ errMsg: 'getPhoneNumber:ok', code: expect.any(String) })
    const current = wx.createUser({ baseLibrary: '2.32.3', privacyAuthorized: false })
    expect(wx.tapPhoneButton(current.openid)).toMatchObject({ errno: 104 })
    // A refusal the test forces is not the consent rule: it still answers 104.
    expect(wx.tapPhoneButton(older.openid, { outcome: 'privacy' })).toMatchObject({ errno: 104 })
  })

  it('gives a realtime tap a code only', () => {
    const { wx, user } = setup()
    expect(wx.tapPhoneButton(user.openid, { realtime: true })).toEqual({ errMsg: 'getRealtimePhoneNumber:ok', code: expect.any(String) })
  })
})

describe('phone codes', () => {
  it('exchange once for the user who tapped, then 40029', async () => {
    const { wx, app, user } = setup()
    const { code } = wx.tapPhoneButton(user.openid)
    const caller = { openid: user.openid, appid: app.appid }
    const ok = await wx.exchangePhoneCode(code, caller)
    expect(ok).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86', watermark: { appid: app.appid, timestamp: expect.any(Number) } },
    })
    expect(await wx.exchangePhoneCode(code, caller)).toMatchObject({ errcode: 40029 })
  })

  // Another app's code: 40029, as WeChat staff answer (community thread 000642fc5605a040d2b2c599f6b400).
  it('refuse another app and an expired code, both with 40029', async () => {
    const { wx, clock, app, user } = setup()
    const { code } = wx.tapPhoneButton(user.openid)
    expect(await wx.exchangePhoneCode(code, { openid: user.openid, appid: 'wx0000000000000000' })).toMatchObject({ errcode: 40029, errmsg: expect.stringMatching(/^invalid code hint/) })
    clock.advance(5 * 60 * 1000)
    expect(await wx.exchangePhoneCode(code, { openid: user.openid, appid: app.appid })).toMatchObject({ errcode: 40029 })
  })

  it('with an openid, refuse a code issued to another user (40003, our guess) without spending it', async () => {
    const { wx, app, user } = setup()
    const other = wx.createUser()
    const { code } = wx.tapPhoneButton(user.openid)
    const otherCaller = { openid: other.openid, appid: app.appid }
    const refused = await wx.exchangePhoneCode(code, otherCaller, other.openid)
    expect(refused).toMatchObject({ errcode: 40003, errmsg: expect.stringMatching(/^invalid openid rid: /) })
    expect(JSON.stringify(refused)).not.toContain(code)
    // The owner, naming itself, still gets its number: the refusal did not burn the code.
    expect(await wx.exchangePhoneCode(code, { openid: user.openid, appid: app.appid }, user.openid)).toMatchObject({ errcode: 0, phone_info: { purePhoneNumber: '13800138000' } })
    expect(await wx.exchangePhoneCode(code, { openid: user.openid, appid: app.appid }, user.openid)).toMatchObject({ errcode: 40029 })
  })

  it('without an openid, let any caller of the same app redeem a code, as WeChat documents', async () => {
    const { wx, app, user } = setup()
    const other = wx.createUser()
    const { code } = wx.tapPhoneButton(user.openid)
    expect(await wx.exchangePhoneCode(code, { openid: other.openid, appid: app.appid })).toMatchObject({ errcode: 0, phone_info: { purePhoneNumber: '13800138000' } })
  })

  it('become expired (not unknown) with expireCodes', async () => {
    const { wx, app, user } = setup()
    const { code, cloudID } = wx.tapPhoneButton(user.openid)
    wx.expireCodes()
    expect(await wx.exchangePhoneCode(code, { openid: user.openid, appid: app.appid })).toMatchObject({ errcode: 40029 })
    expect(wx.resolveCloudIds([cloudID!], { openid: user.openid, appid: app.appid })[0]).toMatchObject({ errCode: -601006 })
  })
})

describe('cloudIDs', () => {
  it('resolve for their owner and fail for others, when expired and when unknown', () => {
    const { wx, clock, app, user } = setup()
    const other = wx.createUser()
    const { cloudID } = wx.tapPhoneButton(user.openid)
    const mine = { openid: user.openid, appid: app.appid }
    expect(wx.resolveCloudIds([cloudID!], mine)).toEqual([{ cloudID, data: expect.objectContaining({ purePhoneNumber: '13800138000', countryCode: '86' }) }])
    expect(wx.resolveCloudIds([cloudID!], { openid: other.openid, appid: app.appid })[0]).toMatchObject({ errCode: -601007 })
    expect(wx.resolveCloudIds(['12_nope'], mine)[0]).toMatchObject({ errCode: -601005 })
    clock.advance(5 * 60 * 1000)
    expect(wx.resolveCloudIds([cloudID!], mine)[0]).toEqual({ cloudID, errCode: -601006, errMsg: 'cloudID expired.' })
  })
})

describe('fault injection', () => {
  async function run(seed: string): Promise<number[]> {
    const { wx, app, user } = setup(seed)
    wx.setFault('getPhoneNumber', { errcode: -1, rate: 0.4 })
    const out: number[] = []
    for (let i = 0; i < 30; i++) {
      const { code } = wx.tapPhoneButton(user.openid)
      out.push((await wx.exchangePhoneCode(code, { openid: user.openid, appid: app.appid })).errcode)
    }
    return out
  }

  it('repeats exactly under the same seed and differs under another', async () => {
    const a = await run('seed-a')
    expect(await run('seed-a')).toEqual(a)
    expect(a.filter((c) => c === -1).length).toBeGreaterThan(3)
    expect(a.filter((c) => c === 0).length).toBeGreaterThan(3)
    expect(await run('seed-b')).not.toEqual(a)
  })

  it('fails exactly the next N calls, and a -1 burns the code', async () => {
    const { wx, app, user } = setup()
    wx.setFault('getPhoneNumber', { errcode: -1, next: 2 })
    const caller = { openid: user.openid, appid: app.appid }
    const { code } = wx.tapPhoneButton(user.openid)
    expect(await wx.exchangePhoneCode(code, caller)).toMatchObject({ errcode: -1 })
    expect(await wx.exchangePhoneCode(wx.tapPhoneButton(user.openid).code, caller)).toMatchObject({ errcode: -1 })
    expect(await wx.exchangePhoneCode(code, caller)).toMatchObject({ errcode: 40029 })
    expect(await wx.exchangePhoneCode(wx.tapPhoneButton(user.openid).code, caller)).toMatchObject({ errcode: 0 })
  })

  it('rate-limits jscode2session with 45011 without spending the code, and adds latency', async () => {
    const { wx, user, exchange } = setup()
    wx.setFault('jscode2session', { errcode: 45011, next: 1, latencyMs: 30 })
    const { code } = wx.login(user.openid)
    const started = Date.now()
    expect(await exchange(code)).toMatchObject({ errcode: 45011 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(25)
    expect(await exchange(code)).toHaveProperty('openid', user.openid)
  })
})
