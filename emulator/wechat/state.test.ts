import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seedDemoUsers } from './demo-users'
import { SimulatedWeChat } from './wechat'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'phonebind-wechat-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('wechat persistence', () => {
  it('keeps apps, users, quota, session keys and live codes across a restart', async () => {
    const a = new SimulatedWeChat({ dataDir: dir, onFreshState: seedDemoUsers })
    expect(a.startedFresh).toBe(true)
    expect(a.listUsers()).toHaveLength(4)
    const user = a.createUser({ purePhoneNumber: '13511112222' })
    a.setQuota(7)
    const app = a.getApp()!
    const s = await a.jscode2session({ appid: app.appid, secret: app.secret, js_code: a.login(user.openid).code, grant_type: 'authorization_code' })
    const pending = a.tapPhoneButton(user.openid)
    await a.flush()

    const b = new SimulatedWeChat({ dataDir: dir, onFreshState: seedDemoUsers })
    expect(b.startedFresh).toBe(false)
    expect(b.getApp()).toEqual({ ...app, quota: 6 })
    expect(b.getUser(user.openid)).toEqual(user)
    expect(b.listUsers()).toHaveLength(5)
    expect(b.checkSession(user.openid)).toBe(true)
    expect(b.state.sessions[user.openid]!.sessionKey).toBe('session_key' in s ? s.session_key : '')
    expect(await b.exchangePhoneCode(pending.code, { openid: user.openid, appid: app.appid })).toMatchObject({ errcode: 0 })
    // New ids after a restart never repeat the ones already issued.
    expect(b.createUser().openid).not.toBe(user.openid)
    expect(readdirSync(dir)).toEqual(['wechat.json'])
  })

  it('starts empty with fresh, re-seeding the demo users', async () => {
    const a = new SimulatedWeChat({ dataDir: dir, onFreshState: seedDemoUsers })
    a.createUser()
    await a.flush()
    const b = new SimulatedWeChat({ dataDir: dir, fresh: true, onFreshState: seedDemoUsers })
    expect(b.startedFresh).toBe(true)
    expect(b.listUsers()).toHaveLength(4)
  })

  it('coalesces a burst of changes into few writes, and the file always parses', async () => {
    const a = new SimulatedWeChat({ dataDir: dir })
    const user = a.createUser()
    for (let i = 0; i < 50; i++) a.tapPhoneButton(user.openid)
    // Nothing is written synchronously for the burst; a reader meanwhile sees a whole snapshot.
    expect(() => JSON.parse(readFileSync(join(dir, 'wechat.json'), 'utf8'))).not.toThrow()
    await a.flush()
    expect(new SimulatedWeChat({ dataDir: dir }).getApp()!.quota).toBe(1000 - 50)
  })

  it('flush resolves during a steady stream of changes, once the changes before it are written', async () => {
    const a = new SimulatedWeChat({ dataDir: dir })
    const user = a.createUser({ nickname: 'before the flush' })
    // A change on every turn of the event loop, so a write is never the last one for long. The
    // change is small (quota), so every write stays as fast as the first.
    const LIMIT = 200_000
    let ticks = 0
    let flushed = false
    const stream = new Promise<void>((resolve) => {
      const tick = () => {
        a.setQuota(ticks % 1000)
        if (++ticks < LIMIT && !flushed) setImmediate(tick)
        else resolve()
      }
      tick()
    })
    await a.flush()
    flushed = true
    const flushedAt = ticks
    await stream
    // Not starved: the flush did not wait for the stream to stop.
    expect(flushedAt).toBeLessThan(LIMIT)
    expect(JSON.parse(readFileSync(join(dir, 'wechat.json'), 'utf8')).users[user.openid].nickname).toBe('before the flush')
  })

  it('makes the same demo ids under the same seed', () => {
    const a = new SimulatedWeChat({ seed: 's1', onFreshState: seedDemoUsers })
    const b = new SimulatedWeChat({ seed: 's1', onFreshState: seedDemoUsers })
    expect(b.listUsers().map((u) => u.openid)).toEqual(a.listUsers().map((u) => u.openid))
    expect(b.defaultAppid).toBe(a.defaultAppid)
    expect(b.defaultAppid).toMatch(/^wx[0-9a-f]{16}$/)
  })
})

describe('prototype-named ids', () => {
  const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty']

  it('are plain unknown keys in a state loaded from disk, even when the file holds them', async () => {
    const a = new SimulatedWeChat({ dataDir: dir })
    const user = a.createUser()
    await a.flush()
    // A snapshot written by an older emulator could hold such keys; JSON keeps them as data.
    const file = join(dir, 'wechat.json')
    const text = readFileSync(file, 'utf8').replace('"users":{', `"users":{"__proto__":${JSON.stringify({ ...user, openid: '__proto__' })},`)
    writeFileSync(file, text)

    const b = new SimulatedWeChat({ dataDir: dir })
    for (const table of [b.state.apps, b.state.users, b.state.sessions, b.state.jsCodes, b.state.phoneCodes, b.state.cloudIds]) expect(Object.getPrototypeOf(table)).toBeNull()
    for (const name of NAMES.slice(1)) {
      expect(b.getApp(name)).toBeUndefined()
      expect(b.getUser(name)).toBeUndefined()
      expect(b.checkSession(name)).toBe(false)
    }
    expect(b.getUser('__proto__')).toMatchObject({ openid: '__proto__' })
    expect(b.getUser(user.openid)).toEqual(user)
    expect(({} as Record<string, unknown>).openid).toBeUndefined()
  })

  it('stay unknown after a reset', () => {
    const wx = new SimulatedWeChat({ seed: 'p' })
    wx.reset()
    for (const name of NAMES) expect(() => wx.requireApp(name)).toThrow(`unknown appid ${name}`)
  })
})
