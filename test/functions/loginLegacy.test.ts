/**
 * `login` (user upsert, jscode2session, server-side session key) and the legacy
 * `getOpenData {encryptedData, iv}` path, through the emulator with the real wx-server-sdk.
 */
import { randomBytes } from 'node:crypto'
import { aesCbcEncrypt, encryptOpenData } from '../../core/crypto'
import { errorInfo } from '../../core/errors'
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

const nowSeconds = () => Math.floor(Date.now() / 1000)
/** Encrypts `data` under the caller's current WeChat session key, as a hand-made tap would be. */
const sealed = (openid: string, data: object) => {
  const iv = randomBytes(16).toString('base64')
  return { encryptedData: encryptOpenData({ sessionKey: h.emu.wechat.state.sessions[openid]!.sessionKey, iv, data }), iv }
}
/** The `sessions` row, read in-process (no route hands out raw session keys). */
const storedSession = (openid: string) => h.emu.store.get('sessions', openid) as { session_key?: string; failures?: number } | undefined
/** Whether some function log line names `cause` as the reason of a refused legacy call. */
const loggedCause = (cause: string) => h.logs.some((l) => l.includes(`"cause":"${cause}"`))

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
    expect(storedSession(b.openid)).toBeUndefined()
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
    const err = expectFail(await h.call(openid, 'getOpenData', { encryptedData: detail.encryptedData, iv: detail.iv }), 'DECRYPT_FAILED')
    expect(err.retryable).toBe(true)
    expect(loggedCause('DECRYPT_SESSION_KEY_MISMATCH')).toBe(true) // the developer still sees why
    expect((await dbState(h, openid)).index).toEqual([])
    // the recipe works: tap again after the login
    const again = await h.emu.client.tapPhoneButton(openid)
    expectOk(await h.call(openid, 'getOpenData', { encryptedData: again.encryptedData, iv: again.iv }))
  })

  it('refuses data whose watermark names another appid, telling only the log why', async () => {
    const { openid, number } = await user()
    expectOk(await loginWithCode(openid))
    const data = { phoneNumber: number, purePhoneNumber: number, countryCode: '86', watermark: { appid: 'wx0123456789abcdef', timestamp: nowSeconds() } }
    expectFail(await h.call(openid, 'getOpenData', sealed(openid, data)), 'DECRYPT_FAILED')
    expect(loggedCause('WATERMARK_APPID_MISMATCH')).toBe(true)
    expect((await dbState(h, openid)).index).toEqual([])
  })

  it('refuses old and future data by default (5 minutes back, 1 minute ahead), and the bound can be changed', async () => {
    const { openid, number } = await user()
    const at = (offset: number) => ({ phoneNumber: number, purePhoneNumber: number, countryCode: '86', watermark: { appid: h.emu.appid, timestamp: nowSeconds() + offset } })
    expectOk(await loginWithCode(openid))
    expectFail(await h.call(openid, 'getOpenData', sealed(openid, at(-3600))), 'DECRYPT_FAILED')
    expectFail(await h.call(openid, 'getOpenData', sealed(openid, at(+600))), 'DECRYPT_FAILED')
    expect(loggedCause('DATA_STALE')).toBe(true)
    expectOk(await loginWithCode(openid)) // two failures spent: a fresh key for the rest
    expectOk(await h.call(openid, 'getOpenData', sealed(openid, at(+30)))) // within the clock-skew allowance
    h.setEnv({ PHONEBIND_MAX_DATA_AGE_SECONDS: '7200' })
    try {
      expectOk(await h.call(openid, 'getOpenData', sealed(openid, at(-3600))))
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
    expectFail(await h.call(b.openid, 'getOpenData', { encryptedData: detail.encryptedData, iv: detail.iv }), 'DECRYPT_FAILED')
  })

  it('answers every failure after decryption starts with the one DECRYPT_FAILED, the precise cause only in the log', async () => {
    const { openid, number } = await user()
    const wm = () => ({ appid: h.emu.appid, timestamp: nowSeconds() })
    const cases: { cause: string; plaintext: Buffer | string | object }[] = [
      { cause: 'DECRYPT_SESSION_KEY_MISMATCH', plaintext: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }, // padded fine, not UTF-8
      { cause: 'DECRYPT_NOT_JSON', plaintext: 'not json at all' },
      { cause: 'DECRYPT_NOT_JSON', plaintext: [1, 2, 3] },
      { cause: 'DECRYPT_NOT_JSON', plaintext: { purePhoneNumber: number, countryCode: '86', watermark: { appid: h.emu.appid } } },
      { cause: 'WATERMARK_APPID_MISMATCH', plaintext: { purePhoneNumber: number, countryCode: '86' } },
      { cause: 'PHONE_INVALID', plaintext: { purePhoneNumber: '１３９００１３９０００', countryCode: '86', watermark: wm() } },
      { cause: 'PHONE_INVALID', plaintext: { phoneNumber: '13900000000', purePhoneNumber: number, countryCode: '86', watermark: wm() } },
    ]
    const answers = new Set<string>()
    for (const c of cases) {
      expectOk(await loginWithCode(openid)) // a fresh key each time: the failure budget is tested below
      const key = h.emu.wechat.state.sessions[openid]!.sessionKey
      const iv = Buffer.alloc(16, 3).toString('base64')
      const bytes = Buffer.isBuffer(c.plaintext) ? c.plaintext : Buffer.from(typeof c.plaintext === 'string' ? c.plaintext : JSON.stringify(c.plaintext))
      const encryptedData = aesCbcEncrypt(Buffer.from(key, 'base64'), Buffer.from(iv, 'base64'), bytes).toString('base64')
      const res = await h.call(openid, 'getOpenData', { encryptedData, iv })
      if (res.ok) throw new Error(`${c.cause}: bound`)
      answers.add(JSON.stringify(res.error))
      expect(loggedCause(c.cause)).toBe(true)
    }
    // bad padding: a ciphertext of random blocks
    expectOk(await loginWithCode(openid))
    const res = await h.call(openid, 'getOpenData', { encryptedData: randomBytes(64).toString('base64'), iv: randomBytes(16).toString('base64') })
    if (!res.ok) answers.add(JSON.stringify(res.error))
    expect([...answers]).toEqual([JSON.stringify(errorInfo('DECRYPT_FAILED'))])
    expect((await dbState(h, openid)).index).toEqual([])
  })

  it('discards the stored key after 3 failed decryptions: then LOGIN_REQUIRED until the user logs in again', async () => {
    const { openid, number } = await user()
    expectOk(await loginWithCode(openid))
    const garbage = () => ({ encryptedData: randomBytes(48).toString('base64'), iv: randomBytes(16).toString('base64') })
    // failures decided by the input's shape alone are not decryptions: they spend nothing
    for (let i = 0; i < 4; i++) expectFail(await h.call(openid, 'getOpenData', { encryptedData: 'not base64!!', iv: garbage().iv }), 'DECRYPT_ILLEGAL_BUFFER')
    expectFail(await h.call(openid, 'getOpenData', garbage()), 'DECRYPT_FAILED')
    expectFail(await h.call(openid, 'getOpenData', garbage()), 'DECRYPT_FAILED')
    expect(storedSession(openid)?.failures).toBe(2)
    expectFail(await h.call(openid, 'getOpenData', garbage()), 'DECRYPT_FAILED')
    expect(storedSession(openid)).toBeUndefined() // the key is gone, not just flagged
    // even the user's own genuine data now needs a new login: the key that encrypted it is gone
    const tap = await h.emu.client.tapPhoneButton(openid)
    expectFail(await h.call(openid, 'getOpenData', { encryptedData: tap.encryptedData, iv: tap.iv }), 'LOGIN_REQUIRED')
    expect(expectOk(await h.call<Login>(openid, 'login')).legacyReady).toBe(false)
    expect(expectOk(await loginWithCode(openid)).legacyReady).toBe(true)
    expect(storedSession(openid)?.failures).toBe(0)
    const again = await h.emu.client.tapPhoneButton(openid)
    expect(expectOk(await h.call<Bind>(openid, 'getOpenData', { encryptedData: again.encryptedData, iv: again.iv })).phone.masked).toBe(masked(number))
  })

  it('a concurrent burst of failures gets only DECRYPT_FAILED / LOGIN_REQUIRED, and leaves the key discarded', async () => {
    const { openid } = await user()
    expectOk(await loginWithCode(openid))
    const burst = await Promise.all(Array.from({ length: 16 }, () => h.call(openid, 'getOpenData', { encryptedData: randomBytes(48).toString('base64'), iv: randomBytes(16).toString('base64') })))
    const codes = burst.map((r) => (r.ok ? 'OK' : r.error.code))
    expect(codes.filter((c) => c !== 'DECRYPT_FAILED' && c !== 'LOGIN_REQUIRED')).toEqual([])
    expect(codes).toContain('DECRYPT_FAILED')
    // every failure was counted atomically: the key is gone, whatever the interleaving
    expect(storedSession(openid)).toBeUndefined()
    const tap = await h.emu.client.tapPhoneButton(openid)
    expectFail(await h.call(openid, 'getOpenData', { encryptedData: tap.encryptedData, iv: tap.iv }), 'LOGIN_REQUIRED')
  })

  it('refuses a consumed ciphertext: a replay binds nothing and writes no audit row, even with another iv', async () => {
    const owner = await user()
    const other = await newUser(h, owner.number) // the same number on another account
    expectOk(await h.call(owner.openid, 'getPhoneNumber', { code: await tapForCode(h, owner.openid) }))
    expectOk(await loginWithCode(other.openid))
    const tap = await h.emu.client.tapPhoneButton(other.openid)
    expectFail(await h.call(other.openid, 'getOpenData', { encryptedData: tap.encryptedData, iv: tap.iv }), 'PHONE_ALREADY_BOUND')
    const conflicts = (await dbState(h, other.openid)).events.length
    expect(conflicts).toBe(1)
    // The same ciphertext, and a variant whose iv turns `{"phoneNumber":"` into `{"phoneNumbez":"`
    // (still valid data, as CBC lets anyone flip first-block bits), are both replays.
    const iv = Buffer.from(tap.iv!, 'base64')
    iv[13] ^= 'r'.charCodeAt(0) ^ 'z'.charCodeAt(0)
    expectFail(await h.call(other.openid, 'getOpenData', { encryptedData: tap.encryptedData, iv: iv.toString('base64') }), 'DECRYPT_FAILED')
    expectFail(await h.call(other.openid, 'getOpenData', { encryptedData: tap.encryptedData, iv: tap.iv }), 'DECRYPT_FAILED')
    expect(loggedCause('REPLAYED_OR_KEY_CHANGED')).toBe(true)
    expect((await dbState(h, other.openid)).events).toHaveLength(conflicts)
  })

  it('of concurrent calls with one ciphertext exactly one binds', async () => {
    const { openid } = await user()
    expectOk(await loginWithCode(openid))
    const tap = await h.emu.client.tapPhoneButton(openid)
    const results = await Promise.all(Array.from({ length: 6 }, () => h.call<Bind>(openid, 'getOpenData', { encryptedData: tap.encryptedData, iv: tap.iv })))
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error.code)).every((c) => c === 'DECRYPT_FAILED' || c === 'LOGIN_REQUIRED')).toBe(true)
    expect((await dbState(h, openid)).events.map((e) => e.type)).toEqual(['bind'])
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
