/**
 * End to end, privacy first: the real phone-auth in the demo page, a `wx` whose privacy APIs are
 * the simulated base library (emulator/client/privacy.ts) over the emulator's consent record, and
 * the real functions. The pending phone tap waits for phone-auth's own sheet (its listener), which
 * reports exposure and agrees with its real agree button's id; the coupled one-tap button records
 * consent itself; a refusal binds nothing.
 */
import simulate from 'miniprogram-simulate'
import { emulatorPrivacyHost, PHONE_REFERRER, SimulatedPrivacy } from '../../emulator/client/privacy'
import type { EmulatorUser } from '../../emulator/client'
import { nodesWithClass, type JsonNode } from './helpers'
import { e2eHarness, openPage, waitFor } from './e2eHarness'

const wxAny = wx as unknown as Record<string, unknown>
const e2e = e2eHarness()
const PRIVACY_WX = ['getPrivacySetting', 'onNeedPrivacyAuthorization', 'openPrivacyContract']
afterEach(() => PRIVACY_WX.forEach((k) => delete wxAny[k]))

/** The base library's privacy APIs for `user`. An app with phone-auth always has a listener, so the official popup must not appear. */
function privacyFor(user: EmulatorUser): SimulatedPrivacy {
  const privacy = new SimulatedPrivacy(emulatorPrivacyHost(e2e.client(), user.openid, async () => { throw new Error('official popup shown although the app listens') }))
  wxAny.getPrivacySetting = (o: { success: (r: unknown) => void; fail?: (e: unknown) => void }) => { privacy.getPrivacySetting().then(o.success, o.fail) }
  wxAny.onNeedPrivacyAuthorization = (listener: Parameters<SimulatedPrivacy['onNeedPrivacyAuthorization']>[0]) => privacy.onNeedPrivacyAuthorization(listener)
  wxAny.openPrivacyContract = () => undefined
  return privacy
}

/** The user taps phone-auth's button; the simulated platform runs the privacy check, then the phone sheet (allow). */
async function tapPhone(page: ReturnType<typeof simulate.render>, user: EmulatorUser, privacy: SimulatedPrivacy) {
  const phoneAuth = page.querySelector('.phone-auth')!
  const events: Array<{ name: string; detail: any }> = []
  for (const name of ['bound', 'failed', 'denied']) phoneAuth.addEventListener(name, (e: { detail: unknown }) => events.push({ name, detail: e.detail }))
  const button = phoneAuth.querySelector('.phone-btn')!
  const openType = String(button.data.openType)
  const done = (async () => {
    if (openType.endsWith('|agreePrivacyAuthorization')) {
      await privacy.coupledTap('phone-auth-phone-button')
      button.dispatchEvent('agreeprivacyauthorization', { detail: { errMsg: 'agreePrivacyAuthorization:ok' } })
    }
    const refusal = await privacy.authorize('getPhoneNumber', PHONE_REFERRER.getPhoneNumber)
    const detail = refusal ?? (await e2e.client().tapPhoneButton(user.openid, { outcome: 'allow' }))
    button.dispatchEvent('getphonenumber', { detail })
    await waitFor(() => events.some((e) => e.detail.source === 'phone-button' || e.name === 'bound'))
    await simulate.sleep(0)
  })()
  return { events, done, openType, sheet: () => nodesWithClass(phoneAuth.toJSON() as unknown as JsonNode, 'privacy') }
}

/** simulate's selectors stop at a component's boundary: look inside phone-auth from its host. */
const inPhoneAuth = (page: ReturnType<typeof simulate.render>, selector: string) => page.querySelector('.phone-auth')?.querySelector(selector)
const emulatorUser = async (openid: string) => (await e2e.client().users()).find((u) => u.openid === openid)!
const boundPhone = async (openid: string) => (await e2e.client().db<{ _id: string; phone?: { masked: string } }>('users')).find((u) => u._id === openid)?.phone ?? null

test('sheet (2.32.3): the tap waits for phone-auth\'s sheet, exposure is reported, agree names the real agree button, consent is recorded, the number is bound', async () => {
  const user = await e2e.client().createUser({ purePhoneNumber: '13500135000', countryCode: '86', baseLibrary: '2.32.3', privacyAuthorized: false })
  const privacy = privacyFor(user)
  const { page } = await openPage(e2e, user)
  await waitFor(() => !!inPhoneAuth(page, '.phone-btn'))
  const tap = await tapPhone(page, user, privacy)
  expect(tap.openType).toBe('getPhoneNumber')
  await waitFor(() => privacy.steps.some((s) => s.kind === 'exposure'))
  expect(tap.sheet()).toHaveLength(1)
  // The user taps the sheet's open-type="agreePrivacyAuthorization" button: the base library notes it, the event fires.
  privacy.agreeButtonTapped('phone-auth-privacy-agree')
  inPhoneAuth(page, '.privacy-agree')!.dispatchEvent('agreeprivacyauthorization', { detail: { errMsg: 'agreePrivacyAuthorization:ok' } })
  await tap.done
  expect(privacy.steps).toEqual([
    { kind: 'listener', referrer: 'button.getPhoneNumber' },
    { kind: 'exposure' },
    { kind: 'agree', buttonId: 'phone-auth-privacy-agree' },
  ])
  expect((await emulatorUser(user.openid)).privacyAuthorized).toBe(true)
  expect(tap.events.map((e) => e.name)).toEqual(['bound'])
  expect(await boundPhone(user.openid)).toMatchObject({ masked: '135****5000' })
}, 30_000)

test('sheet: declining fails the pending tap with errno 104, consent stays unrecorded, nothing is bound', async () => {
  const user = await e2e.client().createUser({ purePhoneNumber: '13400134000', countryCode: '86', baseLibrary: '2.32.3', privacyAuthorized: false })
  const privacy = privacyFor(user)
  const { page } = await openPage(e2e, user)
  await waitFor(() => !!inPhoneAuth(page, '.phone-btn'))
  const tap = await tapPhone(page, user, privacy)
  await waitFor(() => privacy.steps.some((s) => s.kind === 'exposure'))
  inPhoneAuth(page, '.privacy-disagree')!.dispatchEvent('tap')
  await tap.done
  expect(tap.events.map((e) => [e.name, e.detail.source, e.detail.error.code])).toEqual([
    ['denied', 'privacy-sheet', 'PRIVACY_NOT_AUTHORIZED'],
    ['denied', 'phone-button', 'PRIVACY_NOT_AUTHORIZED'],
  ])
  expect((await emulatorUser(user.openid)).privacyAuthorized).toBe(false)
  expect(await boundPhone(user.openid)).toBeNull()
}, 30_000)

test('coupled (3.0.1): one tap records consent and binds, with no sheet and no listener call', async () => {
  const user = await e2e.client().createUser({ purePhoneNumber: '13300133000', countryCode: '86', baseLibrary: '3.0.1', privacyAuthorized: false })
  const privacy = privacyFor(user)
  const { page, text } = await openPage(e2e, user)
  await waitFor(() => text().includes('点击按钮即表示已阅读并同意'))
  const tap = await tapPhone(page, user, privacy)
  expect(tap.openType).toBe('getPhoneNumber|agreePrivacyAuthorization')
  await tap.done
  expect(tap.sheet()).toHaveLength(0)
  expect(privacy.steps).toEqual([{ kind: 'agree', buttonId: 'phone-auth-phone-button' }])
  expect((await emulatorUser(user.openid)).privacyAuthorized).toBe(true)
  expect(tap.events.map((e) => e.name)).toEqual(['bound'])
  expect(await boundPhone(user.openid)).toMatchObject({ masked: '133****3000' })
}, 30_000)
