/**
 * The app-level privacy coordinator: the host installs WeChat's one `wx.onNeedPrivacyAuthorization`
 * listener through phonebind-weapp; the phone button's triggers reach phone-auth's consent sheet,
 * every other trigger reaches the host's own handler (its popup). Without the coordinator,
 * phone-auth keeps its own listener (phoneAuthPrivacy.test.ts).
 */
import { errorInfo } from '../../core/errors'
import { bindOk, installCloud, installPrivacy, mountPhoneAuth, phoneAuthPrivacySuite, setSdkVersion, settle, weapp } from './helpers'

const id = phoneAuthPrivacySuite()

afterEach(() => weapp.resetPrivacyCoordinator())

const mount = () => mountPhoneAuth(id())

test('with the coordinator, phone-auth does not replace the host\'s listener: WeChat gets exactly one registration', () => {
  installCloud()
  const wxp = installPrivacy()
  const host = jest.fn()
  expect(weapp.installPrivacyCoordinator({ onOtherTrigger: host })).toBe(true)
  mount()
  mount()
  expect(wxp.onNeedPrivacyAuthorization).toHaveBeenCalledTimes(1)
  expect(weapp.privacyCoordinatorInstalled()).toBe(true)
})

test('the host\'s handler receives every non-phone trigger (and a missing referrer); phone-auth\'s sheet stays closed', async () => {
  installCloud()
  const wxp = installPrivacy()
  const host = jest.fn()
  weapp.installPrivacyCoordinator({ onOtherTrigger: host })
  const { sheet } = mount()
  const r1 = wxp.trigger('getLocation')
  const r2 = wxp.trigger('requirePrivacyAuthorize')
  const r3 = wxp.trigger(undefined)
  await settle()
  expect(host.mock.calls).toEqual([[r1, { referrer: 'getLocation' }], [r2, { referrer: 'requirePrivacyAuthorize' }], [r3, {}]])
  expect(sheet()).toHaveLength(0)
  // phone-auth answered none of them: the host owns these resolves.
  for (const r of [r1, r2, r3]) expect(r).not.toHaveBeenCalled()
})

test('the phone button\'s trigger reaches phone-auth\'s sheet, not the host; agree resolves with the agree button id', async () => {
  const cloud = installCloud(jest.fn().mockResolvedValue(bindOk()))
  const wxp = installPrivacy()
  const host = jest.fn()
  weapp.installPrivacyCoordinator({ onOtherTrigger: host })
  const { comp, sheet, events } = mount()
  const resolve = wxp.trigger('button.getPhoneNumber')
  await settle()
  expect(host).not.toHaveBeenCalled()
  expect(sheet()).toHaveLength(1)
  expect(resolve).toHaveBeenCalledWith({ event: 'exposureAuthorization' })
  comp.querySelector('.privacy-agree')!.dispatchEvent('agreeprivacyauthorization', { detail: {} })
  await settle()
  expect(resolve).toHaveBeenLastCalledWith({ event: 'agree', buttonId: 'phone-auth-privacy-agree' })
  expect(sheet()).toHaveLength(0)
  comp.querySelector('.phone-btn')!.dispatchEvent('getphonenumber', { detail: { errMsg: 'getPhoneNumber:ok', code: 'C1' } })
  await settle()
  expect(cloud.callFunction).toHaveBeenCalledTimes(1)
  expect(events.map((e) => e.name)).toEqual(['bound'])
})

test('the realtime button\'s trigger is phone-auth\'s too; declining resolves "disagree" and emits denied', async () => {
  installCloud()
  const wxp = installPrivacy()
  const host = jest.fn()
  weapp.installPrivacyCoordinator({ onOtherTrigger: host })
  const { comp, sheet, events } = mount()
  const resolve = wxp.trigger('button.getRealtimePhoneNumber')
  await settle()
  expect(sheet()).toHaveLength(1)
  comp.querySelector('.privacy-disagree')!.dispatchEvent('tap')
  await settle()
  expect(resolve).toHaveBeenLastCalledWith({ event: 'disagree' })
  expect(host).not.toHaveBeenCalled()
  expect(events).toEqual([{ name: 'denied', detail: { source: 'privacy-sheet', error: errorInfo('PRIVACY_NOT_AUTHORIZED') } }])
})

test('a phone trigger with no phone-auth attached (the host\'s own phone button) goes to the host; after detach too', async () => {
  installCloud()
  const wxp = installPrivacy()
  const host = jest.fn()
  weapp.installPrivacyCoordinator({ onOtherTrigger: host })
  const before = wxp.trigger('button.getPhoneNumber')
  expect(host).toHaveBeenLastCalledWith(before, { referrer: 'button.getPhoneNumber' })
  const { comp } = mount()
  comp.detach()
  const after = wxp.trigger('button.getPhoneNumber')
  expect(host).toHaveBeenLastCalledWith(after, { referrer: 'button.getPhoneNumber' })
  expect(host).toHaveBeenCalledTimes(2)
})

test('with two phone-auths attached, the newest one (the page on top) gets the trigger', async () => {
  installCloud()
  const wxp = installPrivacy()
  weapp.installPrivacyCoordinator({ onOtherTrigger: jest.fn() })
  const first = mount()
  const second = mount()
  wxp.trigger('button.getPhoneNumber')
  await settle()
  expect(second.sheet()).toHaveLength(1)
  expect(first.sheet()).toHaveLength(0)
})

test('installing twice is refused with an error, and the first installation keeps routing', () => {
  installCloud()
  const wxp = installPrivacy()
  const host = jest.fn()
  weapp.installPrivacyCoordinator({ onOtherTrigger: host })
  expect(() => weapp.installPrivacyCoordinator({ onOtherTrigger: jest.fn() })).toThrow(/already installed/)
  expect(wxp.onNeedPrivacyAuthorization).toHaveBeenCalledTimes(1)
  wxp.trigger('getClipboardData')
  expect(host).toHaveBeenCalledTimes(1)
})

test('onOtherTrigger is required: a trigger nobody answers would leave the original call pending', () => {
  installPrivacy()
  expect(() => weapp.installPrivacyCoordinator({} as never)).toThrow(/onOtherTrigger/)
  expect(weapp.privacyCoordinatorInstalled()).toBe(false)
})

test('below 2.32.3 nothing is registered (the platform handles consent) and phone-auth is unchanged', () => {
  installCloud()
  setSdkVersion('2.32.2')
  const wxp = installPrivacy(true)
  expect(weapp.installPrivacyCoordinator({ onOtherTrigger: jest.fn() })).toBe(false)
  expect(weapp.privacyCoordinatorInstalled()).toBe(false)
  expect(mount().sheet()).toHaveLength(0)
  expect(wxp.onNeedPrivacyAuthorization).not.toHaveBeenCalled()
})

test('without the coordinator phone-auth still registers its own listener (today\'s behaviour)', async () => {
  installCloud()
  const wxp = installPrivacy()
  const { sheet } = mount()
  expect(wxp.onNeedPrivacyAuthorization).toHaveBeenCalledTimes(1)
  wxp.trigger('getLocation')
  await settle()
  expect(sheet()).toHaveLength(1)
})
