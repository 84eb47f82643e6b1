/**
 * `login` (user upsert, jscode2session, server-side session key) and the legacy
 * `getOpenData {encryptedData, iv}` path, through the emulator with the real wx-server-sdk.
 */
import { encryptOpenData } from '../../core/crypto'
import { expectFail, expectOk, startHarness, type Harness } from './harness'
import { callsSince, dbState, masked, newUser, tapForCode, type Bind, type Login } from './support'

let h: Harness
const numbers: string[] = []
const user = async () => {
  const u = await newUser(h)
  numbers.push(u.number)
  return u
}
/** wx.login + the `login` function with that code: what the mini program does at launch. */
const loginWithCode = async (openid: string) => {
  const { code } = await h.emu.client.login(openid)
  return h.call<Login>(openid, 'login', { code })
}

beforeAll(async () => {
  h = await startHarness()
}, 60_000)
afterAll(async () => {
  await h?.stop()
})

describe('login', () => {
  it('creates the user from the WeChat context on first call, then only records the visit', async () => {
    const { openid } = await user()
    const first = expectOk(await h.call<Login>(openid, 'login'))
    const wxUser = (await h.emu.client.users()).find((u) => u.openid === openid)!
    expect(first).toEqual({ openid, appid: h.emu.appid, unionid: wxUser.unionid, phone: null, legacyReady: false, created: true })
    const created = (await dbState(h, openid)).user!
    const second = expectOk(await h.call<Login>(openid, 'login'))
    expect(second.created).toBe(false)
    const after = (await dbState(h, openid)).user!
    expect(after.createdAt).toEqual(created.createdAt)
    expect(new Date(after.lastLoginAt as string).getTime()).toBeGreaterThanOrEqual(new Date(created.lastLoginAt as string).getTime())
  })

  it('two first logins at once create the user exactly once', async () => {
    const { openid } = await user()
    const results = await Promise.all([h.call<Login>(openid, 'login'), h.call<Login>(openid, 'login'), h.call<Login>(openid, 'login')])
    expect(results.map((r) => expectOk(r).created).filter(Boolean)).toHaveLength(1)
  })

  it('returns the bound phone masked', async () => {
    const { openid, number } = await user()
    expectOk(await h.call(openid, 'getPhoneNumber', { code: await tapForCode(h, openid) }))
    const data = expectOk(await h.call<Login>(openid, 'login'))
    expect(data.phone).toMatchObject({ masked: masked(number), source: 'code', countryCode: '86' })
    expect(data.phone?.e164).toBeUndefined()
  })

  it('exchanges a wx.login code once and keeps the session key server-side only', async () => {
    const { openid } = await user()
    const from = h.wechatCalls.length
    const data = expectOk(await loginWithCode(openid))
    expect(data.legacyReady).toBe(true)
    expect(callsSince(h, from, 'jscode2session')).toBe(1)
    const key = h.emu.wechat.state.sessions[openid]!.sessionKey
    expect(JSON.stringify(data)).not.toContain(key)
    // The raw key only in process: no HTTP route hands one out (F4).
    const sessions = h.emu.store.find('sessions', { _id: openid }) as { _id: string; session_key: string }[]
    expect(sessions[0]?.session_key).toBe(key)
    // a later login without a code still knows the key is there
    expect(expectOk(await h.call<Login>(openid, 'login')).legacyReady).toBe(true)
  })

  it('refuses a reused wx.login code (40163) and a code of another user, storing nothing', async () => {
    const a = await user()
    const b = await user()
    const { code } = await h.emu.client.login(a.openid)
    expectOk(await h.call(a.openid, 'login', { code }))
    expect(expectFail(await h.call(a.openid, 'login', { code }), 'JS_CODE_USED')).toMatchObject({ wechatCode: 40163, retryable: true })
    const other = await h.emu.client.login(a.openid)
    expectFail(await h.call(b.openid, 'login', { code: other.code }), 'JS_CODE_INVALID')
    const sessions = await h.emu.client.db<{ _id: string }>('sessions', 1000)
    expect(sessions.find((s) => s._id === b.openid)).toBeUndefined()
  })

  it('a refused wx.login code changes nothing: users and sessions stay exactly as they were', async () => {
    const a = await user()
    expectOk(await loginWithCode(a.openid))
    const userRow = (await dbState(h, a.openid)).user
    // In process, so the comparison covers the raw session key (HTTP views hide it).
    const sessionsOf = async (openid: string) => h.emu.store.find('sessions', { _id: openid })
    const sessionRow = await sessionsOf(a.openid)
    expect(sessionRow).toHaveLength(1)
    const { code } = await h.emu.client.login(a.openid)
    expectOk(await h.call(a.openid, 'login', { code }))
    const after = { user: (await dbState(h, a.openid)).user, sessions: await sessionsOf(a.openid) }
    // a reused code (40163): not even lastLoginAt moves, the stored key stays the current one
    expectFail(await h.call(a.openid, 'login', { code }), 'JS_CODE_USED')
    expect((await dbState(h, a.openid)).user).toEqual(after.user)
    expect(await sessionsOf(a.openid)).toEqual(after.sessions)
    expect(after.user).not.toEqual(userRow) // the accepted login did record its visit
    // a first login that fails creates no user row at all
    const b = await user()
    const other = await h.emu.client.login(a.openid)
    expectFail(await h.call(b.openid, 'login', { code: other.code }), 'JS_CODE_INVALID')
    await h.emu.client.setFaults('jscode2session', { errcode: -1, next: 1 })
    expectFail(await loginWithCode(b.openid), 'WECHAT_BUSY')
    await h.emu.client.setFaults('jscode2session', null)
    expect((await dbState(h, b.openid)).user).toBeNull()
    expect(await sessionsOf(b.openid)).toEqual([])
  })

  it('reports jscode2session -1 as WECHAT_BUSY after one exchange (no retry of the js code)', async () => {
    const { openid } = await user()
    await h.emu.client.setFaults('jscode2session', { errcode: -1, next: 1 })
    const from = h.wechatCalls.length
    expectFail(await loginWithCode(openid), 'WECHAT_BUSY')
    expect(callsSince(h, from, 'jscode2session')).toBe(1)
    await h.emu.client.setFaults('jscode2session', null)
  })

  it('rejects an invalid login request', async () => {
    const { openid } = await user()
    expect(expectFail(await h.call(openid, 'login', { code: 7 }), 'INVALID_INPUT').field).toBe('code')
    expect(expectFail(await h.call(openid, 'login', { openid: 'someone-else' }), 'INVALID_INPUT').field).toBe('openid')
  })
})

describe('getOpenData {encryptedData, iv} (legacy)', () => {
  it('binds after login stored the session key', async () => {
    const { openid, number } = await user()
    expectOk(await loginWithCode(openid))
    const detail = await h.emu.client.tapPhoneButton(openid)
    const data = expectOk(await h.call<Bind>(openid, 'getOpenData', { encryptedData: detail.encryptedData, iv: detail.iv }))
    expect(data).toMatchObject({ change: 'bound', phone: { masked: masked(number), source: 'legacy' } })
  })

  it('asks to log in first when no session key is stored', async () => {
    const { openid } = await user()
    const detail = await h.emu.client.tapPhoneButton(openid)
    const err = expectFail(await h.call(openid, 'getOpenData', { encryptedData: detail.encryptedData, iv: detail.iv }), 'LOGIN_REQUIRED')
    expect(err.retryable).toBe(true)
  })

  it('detects a rotated session key (wx.login after the tap) and asks to log in again before the next tap', async () => {
    const { openid } = await user()
    expectOk(await loginWithCode(openid))
    const detail = await h.emu.client.tapPhoneButton(openid) // encrypted with the key of that login
    expectOk(await loginWithCode(openid)) // a later wx.login rotates the key
    const err = expectFail(await h.call(openid, 'getOpenData', { encryptedData: detail.encryptedData, iv: detail.iv }), 'DECRYPT_SESSION_KEY_MISMATCH')
    expect(err.retryable).toBe(true)
    expect((await dbState(h, openid)).index).toEqual([])
    // the recipe works: tap again after the login
    const again = await h.emu.client.tapPhoneButton(openid)
    expectOk(await h.call(openid, 'getOpenData', { encryptedData: again.encryptedData, iv: again.iv }))
  })

  it('refuses data whose watermark names another appid', async () => {
    const { openid, number } = await user()
    expectOk(await loginWithCode(openid))
    const sessionKey = h.emu.wechat.state.sessions[openid]!.sessionKey
    const iv = Buffer.alloc(16, 7).toString('base64')
    const data = { phoneNumber: number, purePhoneNumber: number, countryCode: '86', watermark: { appid: 'wx0123456789abcdef', timestamp: Math.floor(Date.now() / 1000) } }
    const encryptedData = encryptOpenData({ sessionKey, iv, data })
    expectFail(await h.call(openid, 'getOpenData', { encryptedData, iv }), 'WATERMARK_APPID_MISMATCH')
    expect((await dbState(h, openid)).index).toEqual([])
  })

  it('refuses replayed old data when the deployment sets PHONEBIND_MAX_DATA_AGE_SECONDS', async () => {
    const { openid, number } = await user()
    h.setEnv({ PHONEBIND_MAX_DATA_AGE_SECONDS: '600' })
    try {
      expectOk(await loginWithCode(openid))
      const sessionKey = h.emu.wechat.state.sessions[openid]!.sessionKey
      const iv = Buffer.alloc(16, 9).toString('base64')
      const old = { phoneNumber: number, purePhoneNumber: number, countryCode: '86', watermark: { appid: h.emu.appid, timestamp: Math.floor(Date.now() / 1000) - 3600 } }
      expectFail(await h.call(openid, 'getOpenData', { encryptedData: encryptOpenData({ sessionKey, iv, data: old }), iv }), 'DATA_STALE')
      const fresh = await h.emu.client.tapPhoneButton(openid)
      expectOk(await h.call(openid, 'getOpenData', { encryptedData: fresh.encryptedData, iv: fresh.iv }))
    } finally {
      h.setEnv()
    }
  })

  it("refuses another user's encrypted data (it does not decrypt with the caller's key)", async () => {
    const a = await user()
    const b = await user()
    expectOk(await loginWithCode(a.openid))
    expectOk(await loginWithCode(b.openid))
    const detail = await h.emu.client.tapPhoneButton(a.openid)
    expectFail(await h.call(b.openid, 'getOpenData', { encryptedData: detail.encryptedData, iv: detail.iv }), 'DECRYPT_SESSION_KEY_MISMATCH')
  })

  it('names form-encoding damage and malformed input without echoing it', async () => {
    const { openid } = await user()
    expectOk(await loginWithCode(openid))
    expectFail(await h.call(openid, 'getOpenData', { encryptedData: 'AAAA', iv: 'short' }), 'DECRYPT_ILLEGAL_IV')
    const res = await h.call(openid, 'getOpenData', { encryptedData: 'not base64!!', iv: Buffer.alloc(16).toString('base64') })
    expectFail(res, 'DECRYPT_ILLEGAL_BUFFER')
    expect(JSON.stringify(res)).not.toContain('not base64')
  })

  it('is disabled without an AppSecret: login ignores the code, getOpenData says LEGACY_NOT_CONFIGURED', async () => {
    const { openid } = await user()
    h.setEnv({}, { withoutSecret: true })
    try {
      const from = h.wechatCalls.length
      const { code } = await h.emu.client.login(openid)
      expect(expectOk(await h.call<Login>(openid, 'login', { code })).legacyReady).toBe(false)
      expect(callsSince(h, from, 'jscode2session')).toBe(0)
      const detail = await h.emu.client.tapPhoneButton(openid)
      expectFail(await h.call(openid, 'getOpenData', { encryptedData: detail.encryptedData, iv: detail.iv }), 'LEGACY_NOT_CONFIGURED')
    } finally {
      h.setEnv()
    }
  })
})

describe('unbindPhone', () => {
  it('releases the number idempotently, lets another account bind it, and the user can rebind', async () => {
    const a = await user()
    const b = await newUser(h, a.number) // the same number on another WeChat account
    expectOk(await h.call(a.openid, 'getPhoneNumber', { code: await tapForCode(h, a.openid) }))
    expect(expectOk(await h.call(a.openid, 'unbindPhone'))).toEqual({ released: true })
    expect(expectOk(await h.call(a.openid, 'unbindPhone'))).toEqual({ released: false })
    const db = await dbState(h, a.openid)
    expect(db.user?.phone ?? null).toBeNull()
    expect(db.index).toEqual([])
    expect(db.events.map((e) => e.type)).toEqual(['bind', 'unbind'])
    expect(expectOk(await h.call<Login>(a.openid, 'login')).phone).toBeNull()
    // released: another account may take it, and then A cannot
    expect(expectOk(await h.call<Bind>(b.openid, 'getPhoneNumber', { code: await tapForCode(h, b.openid) })).change).toBe('bound')
    expectFail(await h.call(a.openid, 'getPhoneNumber', { code: await tapForCode(h, a.openid) }), 'PHONE_ALREADY_BOUND')
    expectOk(await h.call(b.openid, 'unbindPhone'))
    expect(expectOk(await h.call<Bind>(a.openid, 'getPhoneNumber', { code: await tapForCode(h, a.openid) })).change).toBe('bound')
  })

  it('is a no-op for a user who never logged in, and refuses unknown fields', async () => {
    const { openid } = await user()
    expect(expectOk(await h.call(openid, 'unbindPhone'))).toEqual({ released: false })
    expect(expectFail(await h.call(openid, 'unbindPhone', { openid }), 'INVALID_INPUT').field).toBe('openid')
  })
})

describe('secrets', () => {
  it('no response or log line of this suite holds a session key, the AppSecret or a full number', () => {
    expect(h.sessionKeys.size).toBeGreaterThan(5)
    expect(h.findLeaks(numbers)).toEqual([])
  })
})
