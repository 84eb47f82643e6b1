/**
 * The cost guard's WeChat, operation by operation on a manual clock: stable and plain tokens
 * (./token.ts), the quota meter and getUsageDetail (./meter.ts), and that both persist in
 * wechat.json. The same behaviour through the real SDK and HTTP: test/functions/phoneQuota.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addPackage, charge, expirePackage, meterView, usageDetail } from './meter'
import { appOfToken, FORCE_PER_DAY, plainToken, stableToken, TOKEN_TTL_S } from './token'
import { SimulatedWeChat } from './wechat'

let now = Date.UTC(2026, 11, 4, 2, 0, 0) // 10:00 in Beijing
const clock = { now: () => now }
const advance = (s: number) => (now += s * 1000)
let wx: SimulatedWeChat
const creds = () => ({ grant_type: 'client_credential', appid: wx.defaultAppid, secret: wx.getApp()!.secret })
const token = (r: unknown) => (r as { access_token: string }).access_token

beforeEach(() => {
  wx = new SimulatedWeChat({ clock, seed: 'charge' })
})

describe('stable_token', () => {
  it('normal mode returns the current token with its remaining expires_in', () => {
    const a = stableToken(wx.live, creds())
    expect(a).toEqual({ access_token: expect.any(String), expires_in: TOKEN_TTL_S })
    advance(1000)
    expect(stableToken(wx.live, creds())).toEqual({ access_token: token(a), expires_in: TOKEN_TTL_S - 1000 })
  })

  it('renews in the last 5 minutes, and the old token stays valid until it expires', () => {
    const a = token(stableToken(wx.live, creds()))
    advance(TOKEN_TTL_S - 200)
    const b = token(stableToken(wx.live, creds()))
    expect(b).not.toBe(a)
    expect(appOfToken(wx.live, a)).toEqual({ appid: wx.defaultAppid })
    advance(200)
    expect(appOfToken(wx.live, a)).toMatchObject({ errcode: 40001 })
    expect(appOfToken(wx.live, b)).toEqual({ appid: wx.defaultAppid })
  })

  it('force_refresh invalidates the previous token at once, at most 20 a day and 30 s apart', () => {
    const a = token(stableToken(wx.live, creds()))
    const b = token(stableToken(wx.live, { ...creds(), force_refresh: true }))
    expect(b).not.toBe(a)
    expect(appOfToken(wx.live, a)).toMatchObject({ errcode: 40001 })
    expect(stableToken(wx.live, { ...creds(), force_refresh: true })).toMatchObject({ errcode: 45011 })
    for (let i = 1; i < FORCE_PER_DAY; i++) {
      advance(30)
      expect(stableToken(wx.live, { ...creds(), force_refresh: true })).toHaveProperty('access_token')
    }
    advance(30)
    expect(stableToken(wx.live, { ...creds(), force_refresh: true })).toMatchObject({ errcode: 45009 })
    advance(24 * 3600) // the next Beijing day
    expect(stableToken(wx.live, { ...creds(), force_refresh: true })).toHaveProperty('access_token')
  })

  it('refuses bad credentials with WeChat\'s errcodes', () => {
    expect(stableToken(wx.live, { ...creds(), grant_type: 'x' })).toMatchObject({ errcode: 40002 })
    expect(stableToken(wx.live, { ...creds(), appid: 'wxnope' })).toMatchObject({ errcode: 40013 })
    expect(stableToken(wx.live, { ...creds(), secret: 'nope' })).toMatchObject({ errcode: 40125 })
    expect(stableToken(wx.live, { ...creds(), secret: undefined })).toMatchObject({ errcode: 41004 })
  })

  it('is isolated from cgi-bin/token: a plain token does not evict the stable one, and a new plain token leaves the old one 5 minutes', () => {
    const stable = token(stableToken(wx.live, creds()))
    const p1 = token(plainToken(wx.live, creds()))
    const p2 = token(plainToken(wx.live, creds()))
    expect(appOfToken(wx.live, stable)).toEqual({ appid: wx.defaultAppid })
    expect(appOfToken(wx.live, p1)).toEqual({ appid: wx.defaultAppid })
    advance(301)
    expect(appOfToken(wx.live, p1)).toMatchObject({ errcode: 40001 })
    expect(appOfToken(wx.live, p2)).toEqual({ appid: wx.defaultAppid })
    expect(appOfToken(wx.live, '')).toMatchObject({ errcode: 41001 })
  })
})

describe('quota meter', () => {
  it('gives a new app 1,000 free calls; only successful taps are charged, trial first, then packages by expiry', () => {
    const user = wx.createUser()
    expect(meterView(wx.live, wx.defaultAppid)).toMatchObject({ quotaLeft: 1000, spentFen: 0 })
    wx.tapPhoneButton(user.openid, { outcome: 'deny' })
    wx.tapPhoneButton(user.openid)
    expect(meterView(wx.live, wx.defaultAppid)).toMatchObject({ quotaLeft: 999, calls: { quick: 1, realtime: 0, total: 1 }, spentFen: 0 })
    wx.setQuota(0)
    const late = addPackage(wx.live, wx.defaultAppid, { calls: 5, days: 60 })
    const soon = addPackage(wx.live, wx.defaultAppid, { calls: 5, days: 10 })
    expect(charge(wx.live, wx.defaultAppid, 'realtime')).toBe(true)
    const m = meterView(wx.live, wx.defaultAppid)
    expect(m.packages.find((p) => p.pkgId === soon.pkgId)?.used).toBe(1)
    expect(m.packages.find((p) => p.pkgId === late.pkgId)?.used).toBe(0)
    expect(m.spentFen).toBe(4)
    expect(wx.getApp()!.quota).toBe(9)
  })

  it('a package counts only between its start and end; with none left the tap is 1400001 and costs nothing', () => {
    const user = wx.createUser()
    wx.setQuota(0)
    const future = addPackage(wx.live, wx.defaultAppid, { calls: 3, days: 30, startsInDays: 1 })
    expect(meterView(wx.live, wx.defaultAppid).quotaLeft).toBe(0)
    expect(wx.tapPhoneButton(user.openid)).toMatchObject({ errno: 1400001 })
    advance(86400)
    expect(meterView(wx.live, wx.defaultAppid).quotaLeft).toBe(3)
    expirePackage(wx.live, wx.defaultAppid, future.pkgId)
    expect(meterView(wx.live, wx.defaultAppid).quotaLeft).toBe(0)
    expect(meterView(wx.live, wx.defaultAppid).spentFen).toBe(0)
  })

  it('reports the no-quota toast as its own event unless phone-number-no-quota-toast is false', () => {
    const events: string[] = []
    const w = new SimulatedWeChat({ clock, seed: 'toast', events: { emit: (_n: string, p: { api: string }) => events.push(p.api) } as never })
    const user = w.createUser()
    w.setQuota(0)
    w.tapPhoneButton(user.openid)
    w.tapPhoneButton(user.openid, { phoneNumberNoQuotaToast: false })
    expect(events.filter((e) => e === 'toast.noQuota')).toHaveLength(1)
    expect(events.filter((e) => e === 'tap.getPhoneNumber')).toHaveLength(2)
  })

  it('getUsageDetail: documented field names, counts as strings, pages of at most 20', () => {
    for (let i = 0; i < 24; i++) addPackage(wx.live, wx.defaultAppid, { calls: 10, days: 30 })
    const first = usageDetail(wx.live, wx.defaultAppid, '10000077', 0, 20)
    expect(first).toMatchObject({ errcode: 0, errmsg: 'ok', effectiveUse: '0', all: String(1000 + 240), total: 25 })
    expect(first.detailList).toHaveLength(20)
    expect(Object.keys(first.detailList[0]!).sort()).toEqual(['all', 'endTime', 'pkgId', 'skuId', 'source', 'spuId', 'startTime', 'status', 'used'])
    expect(first.detailList[0]).toMatchObject({ all: '1000', used: '0', status: 1, spuId: '10000077' })
    expect(usageDetail(wx.live, wx.defaultAppid, '10000077', 20, 20).detailList).toHaveLength(5)
  })
})

describe('persistence', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'phonebind-charge-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps meters and tokens across a restart; a wechat.json from before meters starts from its quota', async () => {
    const a = new SimulatedWeChat({ dataDir: dir, clock })
    const t = token(stableToken(a.live, { grant_type: 'client_credential', appid: a.defaultAppid, secret: a.getApp()!.secret }))
    addPackage(a.live, a.defaultAppid, { calls: 7, days: 5 })
    await a.flush()
    const b = new SimulatedWeChat({ dataDir: dir, clock })
    expect(appOfToken(b.live, t)).toEqual({ appid: b.defaultAppid })
    expect(meterView(b.live, b.defaultAppid).quotaLeft).toBe(1007)

    const file = join(dir, 'wechat.json')
    const old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    delete old.meters
    delete old.accessTokens
    ;(old.apps as Record<string, { quota: number }>)[b.defaultAppid]!.quota = 42
    writeFileSync(file, JSON.stringify(old))
    const c = new SimulatedWeChat({ dataDir: dir, clock })
    expect(meterView(c.live, c.defaultAppid).quotaLeft).toBe(42)
  })
})
