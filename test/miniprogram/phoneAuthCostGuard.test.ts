/**
 * phone-auth's cost guard (every successful tap is paid for): no phone button for a user the
 * functions say is bound, unless the page is changing the number; and after repeated cancelled
 * phone sheets, the button rests for a while — remembered in storage, so a reload does not reset it.
 */
import { errorInfo } from '../../core/errors'
import { bindOk, installCloud, loadPhoneAuth, mountPhoneAuth, overrideButton, phoneView, removeCloud, resolved, settle, weapp } from './helpers'

let id: string
beforeAll(() => {
  overrideButton()
  id = loadPhoneAuth()
})

const wxAny = wx as unknown as Record<string, unknown>
const saved = { get: wx.getStorageSync, set: wx.setStorageSync }
/** simulate's storage keeps nothing; the guard's persistence needs a real one. */
let storage: Map<string, unknown>
let now: jest.SpyInstance
let warn: jest.SpyInstance
const mounted: Array<{ detach: () => void }> = []

beforeEach(() => {
  storage = new Map()
  wxAny.getStorageSync = (key: string) => (storage.has(key) ? JSON.parse(JSON.stringify(storage.get(key))) : '')
  wxAny.setStorageSync = (key: string, value: unknown) => { storage.set(key, JSON.parse(JSON.stringify(value))) }
  now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000_000)
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
})
afterEach(() => {
  mounted.splice(0).forEach((c) => c.detach()) // ends cooldown timers
  wxAny.getStorageSync = saved.get
  wxAny.setStorageSync = saved.set
  now.mockRestore()
  warn.mockRestore()
  removeCloud()
})

function mount(props: Record<string, unknown> = {}) {
  const m = mountPhoneAuth(id, { privacyMode: 'sheet', ...props })
  mounted.push(m.comp)
  const button = () => m.comp.querySelector('.phone-btn')
  const tap = async (detail: Record<string, unknown>) => {
    button()!.dispatchEvent('getphonenumber', { detail })
    await settle()
  }
  return { ...m, button, tap, text: () => m.comp.dom!.textContent ?? '' }
}
const DENY = { errMsg: 'getPhoneNumber:fail user deny' }
const cooldownEvent = { name: 'failed', detail: { source: null, error: errorInfo('PHONE_TAP_COOLDOWN'), nextStep: 'other-method' } }

describe('no paid button for a bound user', () => {
  test('the session says bound: the masked number instead of the button', async () => {
    installCloud(jest.fn().mockResolvedValue(resolved({ ok: true, data: { openid: 'o1', appid: 'wx1', phone: phoneView(), legacyReady: false, created: false } })))
    await weapp.startSession({ legacy: false })
    const { button, text, events } = mount()
    expect(button()).toBeUndefined()
    expect(text()).toContain('138****8000')
    expect(events).toEqual([]) // nothing new happened: no bound event
  })

  test('change-number shows the button anyway, also when set after attach', async () => {
    installCloud(jest.fn().mockResolvedValue(resolved({ ok: true, data: { openid: 'o1', appid: 'wx1', phone: phoneView(), legacyReady: false, created: false } })))
    await weapp.startSession({ legacy: false })
    expect(mount({ changeNumber: true }).button()).toBeDefined()
    const later = mount()
    expect(later.button()).toBeUndefined()
    later.comp.setData({ changeNumber: true })
    await settle()
    expect(later.button()).toBeDefined()
  })

  test('bound on one page → a phone-auth on the next page shows no button; after unbindPhone it is back', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue(bindOk()))
    const first = mount()
    await first.tap({ errMsg: 'getPhoneNumber:ok', code: 'C1' })
    expect(first.events.map((e) => e.name)).toEqual(['bound'])
    expect(mount().button()).toBeUndefined()
    cloud.callFunction.mockResolvedValue(resolved({ ok: true, data: { unbound: true } }))
    await weapp.callFunction('unbindPhone', {} as never)
    expect(mount().button()).toBeDefined()
    await settle()
    expect(first.button()).toBeDefined() // the one still showing the number follows too
  })

  test('an unbound session keeps the button', async () => {
    installCloud(jest.fn().mockResolvedValue(resolved({ ok: true, data: { openid: 'o1', appid: 'wx1', phone: null, legacyReady: false, created: true } })))
    await weapp.startSession({ legacy: false })
    expect(mount().button()).toBeDefined()
  })
})

describe('cooldown after repeated cancels', () => {
  test('the third cancel within the window replaces the button by a message and emits PHONE_TAP_COOLDOWN', async () => {
    installCloud()
    const { tap, button, text, events } = mount()
    await tap(DENY)
    now.mockReturnValue(1_000_060_000)
    await tap({ errMsg: 'getPhoneNumber:fail:user cancel' })
    expect(button()).toBeDefined()
    now.mockReturnValue(1_000_120_000)
    await tap(DENY)
    expect(button()).toBeUndefined()
    expect(text()).toContain('已多次取消授权，请 5 分钟后再试')
    expect(text()).toContain('try again in 5 min')
    expect(events.map((e) => e.name)).toEqual(['denied', 'denied', 'denied', 'failed'])
    expect(events[3]).toEqual(cooldownEvent)
  })

  test('cancels spread beyond the window do not add up', async () => {
    installCloud()
    const { tap, button } = mount({ cooldownWindow: 60 })
    for (let i = 0; i < 5; i++) {
      now.mockReturnValue(1_000_000_000 + i * 61_000)
      await tap(DENY)
    }
    expect(button()).toBeDefined()
  })

  test('a reload keeps resting (storage), and the button returns when the time is up', async () => {
    installCloud()
    const first = mount({ cooldownAfter: 2, cooldownSeconds: 120 })
    await first.tap(DENY)
    await first.tap(DENY)
    expect(first.button()).toBeUndefined()
    first.comp.detach()
    now.mockReturnValue(1_000_000_000 + 119_000)
    const reloaded = mount({ cooldownAfter: 2, cooldownSeconds: 120 })
    expect(reloaded.button()).toBeUndefined()
    expect(reloaded.text()).toContain('请 1 分钟后再试')
    expect(reloaded.events).toEqual([cooldownEvent])
    now.mockReturnValue(1_000_000_000 + 120_000)
    const after = mount({ cooldownAfter: 2, cooldownSeconds: 120 })
    expect(after.button()).toBeDefined()
  })

  test('clearTapCooldown() (exported for the app, e.g. after another way of verifying) ends a cooldown', async () => {
    installCloud()
    const first = mount({ cooldownAfter: 1 })
    await first.tap(DENY)
    expect(first.button()).toBeUndefined()
    expect(mount({ cooldownAfter: 1 }).button()).toBeUndefined()
    weapp.clearTapCooldown()
    expect(mount({ cooldownAfter: 1 }).button()).toBeDefined()
  })

  test('cooldown-after 0 turns the guard off', async () => {
    installCloud()
    const { tap, button } = mount({ cooldownAfter: 0 })
    for (let i = 0; i < 6; i++) await tap(DENY)
    expect(button()).toBeDefined()
  })

  test('a success forgives earlier cancels', async () => {
    installCloud(jest.fn().mockResolvedValue(bindOk()))
    const first = mount({ changeNumber: true })
    await first.tap(DENY)
    await first.tap(DENY)
    await first.tap({ errMsg: 'getPhoneNumber:ok', code: 'C1' })
    const next = mount({ changeNumber: true })
    await next.tap(DENY)
    expect(next.button()).toBeDefined()
  })

  test('a declined privacy guide and platform refusals are not counted as cancels', async () => {
    installCloud()
    const { tap, button } = mount()
    for (const detail of [
      { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 },
      { errMsg: 'getPhoneNumber:fail', errno: 1400001 },
      { errMsg: 'getPhoneNumber:fail no permission' },
      { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 },
    ]) await tap(detail)
    expect(button()).toBeDefined()
  })
})

describe('every button outcome already emits a stable code (the SMS offer hooks into these)', () => {
  test.each([
    ['deny', { errMsg: 'getPhoneNumber:fail user deny' }, 'denied', 'USER_DENIED'],
    ['quota (1400001)', { errMsg: 'getPhoneNumber:fail', errno: 1400001 }, 'failed', 'QUOTA_EXHAUSTED'],
    ['too old (no code, cloudID or data)', { errMsg: 'getPhoneNumber:fail not supported' }, 'failed', 'NOT_SUPPORTED'],
    ['privacy not agreed (104)', { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 }, 'denied', 'PRIVACY_NOT_AUTHORIZED'],
    ['any other fail', { errMsg: 'getPhoneNumber:fail system error' }, 'failed', 'WECHAT_ERROR'],
  ])('%s: %j → %s %s', async (_name, detail, event, code) => {
    installCloud()
    const { tap, events } = mount()
    await tap(detail)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ name: event, detail: { error: { code } } })
  })
})
