/**
 * End to end: the real phone-auth component, with a `wx` whose `login`, `checkSession`, button
 * `detail` and `cloud.callFunction` come from the emulator's simulated client, binds demo users'
 * phones through the real, built cloud functions; the test then reads the emulator's database.
 * It runs inside the demo page (loaded once: simulate cannot load the component twice per file).
 */
import simulate from 'miniprogram-simulate'
import type { EmulatorUser, TapOptions } from '../../emulator/client'
import { e2eHarness, openPage as open, waitFor } from './e2eHarness'

const wxAny = wx as unknown as Record<string, unknown>
const e2e = e2eHarness()
const openPage = (user: EmulatorUser, opts: { legacy?: boolean } = {}) => open(e2e, user, opts)

/** The user taps the phone button: WeChat (the emulator) produces the detail, the component handles it. */
async function tapPhone(page: ReturnType<typeof simulate.render>, user: EmulatorUser, tap: TapOptions) {
  const phoneAuth = page.querySelector('.phone-auth')!
  const events: Array<{ name: string; detail: any }> = []
  for (const name of ['bound', 'failed', 'denied']) phoneAuth.addEventListener(name, (e: { detail: unknown }) => events.push({ name, detail: e.detail }))
  const detail = await e2e.client().tapPhoneButton(user.openid, tap)
  phoneAuth.querySelector('.phone-btn')!.dispatchEvent('getphonenumber', { detail })
  await waitFor(() => events.length > 0)
  await simulate.sleep(0)
  return { events, detail }
}

const userDoc = async (openid: string) => (await e2e.client().db<{ _id: string; phone?: { masked: string; source: string } }>('users')).find((u) => u._id === openid)
const phoneOwners = async () => (await e2e.client().db<{ openid: string }>('phone_index')).map((d) => d.openid)

async function demoUser(match: (u: EmulatorUser) => boolean): Promise<EmulatorUser> {
  const user = (await e2e.client().users()).find(match)
  if (!user) throw new Error('demo user missing')
  return user
}

test('code path: launch login, one tap, the binding is in the database', async () => {
  const user = await demoUser((u) => u.purePhoneNumber === '13800138000')
  const { page, session, text } = await openPage(user)
  expect(session.ok).toBe(true)
  expect(text()).toContain('已登录 / Signed in')
  const { events, detail } = await tapPhone(page, user, { outcome: 'allow' })
  expect(detail.code).toBeTruthy()
  expect(events).toEqual([{ name: 'bound', detail: expect.objectContaining({ source: 'code', change: 'bound' }) }])
  expect(events[0].detail.phone.masked).toBe('138****8000')
  expect(text()).toContain('138****8000')
  expect(text()).not.toContain('13800138000')
  expect((await userDoc(user.openid))?.phone).toMatchObject({ masked: '138****8000', source: 'code' })
  expect(await phoneOwners()).toContain(user.openid)
}, 30_000)

test('a deny leaves the database untouched', async () => {
  const user = await demoUser((u) => u.purePhoneNumber === '13900139000')
  const { page } = await openPage(user)
  const before = { user: await userDoc(user.openid), owners: await phoneOwners() }
  const { events } = await tapPhone(page, user, { outcome: 'deny', platform: 'android' })
  expect(events).toEqual([{ name: 'denied', detail: expect.objectContaining({ source: 'phone-button', error: expect.objectContaining({ code: 'USER_DENIED' }) }) }])
  expect(before.user?.phone ?? null).toBeNull()
  expect(await userDoc(user.openid)).toEqual(before.user)
  expect(await phoneOwners()).toEqual(before.owners)
}, 30_000)

test('cloudID path: an old base library (no code) binds through getOpenData', async () => {
  const user = await demoUser((u) => u.baseLibrary === '2.19.0')
  const { page } = await openPage(user)
  const { events, detail } = await tapPhone(page, user, { outcome: 'allow' })
  expect(detail.code).toBeUndefined()
  expect(events[0]).toMatchObject({ name: 'bound', detail: { source: 'cloudID', phone: { masked: '137****7000' } } })
  expect((await userDoc(user.openid))?.phone).toMatchObject({ masked: '137****7000', source: 'cloudID' })
}, 30_000)

test('legacy path: launch stores a session key, the tap decrypts with it', async () => {
  const user = await e2e.client().createUser({ purePhoneNumber: '13600136000', countryCode: '86', baseLibrary: '2.7.0' })
  const { page, session } = await openPage(user, { legacy: true })
  expect(session.ok && session.data.legacyReady).toBe(true)
  const { events, detail } = await tapPhone(page, user, { outcome: 'allow' })
  expect(detail.cloudID).toBeUndefined()
  expect(events[0]).toMatchObject({ name: 'bound', detail: { source: 'legacy', phone: { masked: '136****6000' } } })
  expect((await userDoc(user.openid))?.phone).toMatchObject({ source: 'legacy' })
}, 30_000)

test('binds on the page, then unbinds through unbindPhone: the database lets the number go', async () => {
  const user = await demoUser((u) => u.countryCode === '852')
  const { page, text } = await openPage(user)
  const { events } = await tapPhone(page, user, { outcome: 'allow' })
  const masked: string = events[0].detail.phone.masked
  expect(text()).toContain(masked)
  expect(await phoneOwners()).toContain(user.openid)
  const savedModal = wx.showModal
  wxAny.showModal = (o: { success: (r: { confirm: boolean }) => void }) => o.success({ confirm: true })
  try {
    page.querySelector('.unbind')!.dispatchEvent('tap')
    await waitFor(() => text().includes('已解绑手机号'))
  } finally {
    wxAny.showModal = savedModal
  }
  expect((await userDoc(user.openid))?.phone ?? null).toBeNull()
  expect(await phoneOwners()).not.toContain(user.openid)
  expect(page.querySelector('.phone-auth')).toBeDefined() // ready to bind again
}, 30_000)
