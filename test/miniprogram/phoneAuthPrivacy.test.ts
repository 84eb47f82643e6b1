/**
 * phone-auth, privacy first: the component's own consent sheet (base library ≥ 2.32.3), driven by
 * `wx.getPrivacySetting` on attach and by `wx.onNeedPrivacyAuthorization` when a tap needs consent.
 */
import { errorInfo } from '../../core/errors'
import { bindOk, installCloud, installPrivacy, mountPhoneAuth, phoneAuthPrivacySuite, setSdkVersion, settle } from './helpers'

const id = phoneAuthPrivacySuite()

// These suites are about the sheet; the coupled one-tap form has its own (phoneAuthCoupled.test.ts).
const mount = () => mountPhoneAuth(id(), { privacyMode: 'sheet' })

test('shows the consent sheet on attach when the user has not agreed yet, naming the contract', () => {
  installCloud()
  installPrivacy(true)
  const { comp, sheet } = mount()
  expect(sheet()).toHaveLength(1)
  expect(comp.dom!.textContent).toContain('《示例小程序隐私保护指引》')
  const agree = comp.querySelector('.privacy-agree')!
  expect(agree.data).toMatchObject({ openType: 'agreePrivacyAuthorization' })
})

test('no sheet when consent is already given', () => {
  installCloud()
  installPrivacy(false)
  expect(mount().sheet()).toHaveLength(0)
})

test('the contract link opens WeChat\'s privacy contract page', async () => {
  installCloud()
  const mocks = installPrivacy(true)
  const { comp } = mount()
  comp.querySelector('.privacy-link')!.dispatchEvent('tap')
  await settle()
  expect(mocks.openPrivacyContract).toHaveBeenCalledTimes(1)
})

test('agreeing through the agreePrivacyAuthorization button closes the sheet and invites the tap', async () => {
  installCloud()
  installPrivacy(true)
  const { comp, sheet } = mount()
  comp.querySelector('.privacy-agree')!.dispatchEvent('agreeprivacyauthorization', { detail: { errMsg: 'agreePrivacyAuthorization:ok' } })
  await settle()
  expect(sheet()).toHaveLength(0)
  expect(comp.dom!.textContent).toContain('请点击按钮获取手机号')
})

test('a tap that needs consent: the sheet opens, exposure is reported, agree resolves with the button id', async () => {
  const cloud = installCloud(jest.fn().mockResolvedValue(bindOk()))
  const mocks = installPrivacy(false)
  const { comp, sheet, events } = mount()
  const resolve = jest.fn()
  mocks.listener()(resolve, { referrer: 'button.getPhoneNumber' })
  await settle()
  expect(sheet()).toHaveLength(1)
  expect(resolve).toHaveBeenCalledWith({ event: 'exposureAuthorization' })
  comp.querySelector('.privacy-agree')!.dispatchEvent('agreeprivacyauthorization', { detail: {} })
  await settle()
  expect(resolve).toHaveBeenLastCalledWith({ event: 'agree', buttonId: 'phone-auth-privacy-agree' })
  // WeChat then continues the original tap:
  comp.querySelector('.phone-btn')!.dispatchEvent('getphonenumber', { detail: { errMsg: 'getPhoneNumber:ok', code: 'C1' } })
  await settle()
  expect(cloud.callFunction).toHaveBeenCalledTimes(1)
  expect(events.map((e) => e.name)).toEqual(['bound'])
})

test('declining resolves "disagree", closes the sheet and emits denied from the privacy sheet', async () => {
  installCloud()
  const mocks = installPrivacy(false)
  const { comp, sheet, events } = mount()
  const resolve = jest.fn()
  mocks.listener()(resolve, {})
  await settle()
  comp.querySelector('.privacy-disagree')!.dispatchEvent('tap')
  await settle()
  expect(resolve).toHaveBeenLastCalledWith({ event: 'disagree' })
  expect(sheet()).toHaveLength(0)
  expect(events).toEqual([{ name: 'denied', detail: { source: 'privacy-sheet', error: errorInfo('PRIVACY_NOT_AUTHORIZED') } }])
  expect(comp.querySelector('.phone-btn')!.data.disabled).toBe(false)
})

test('a pending consent request is answered when the component goes away', async () => {
  installCloud()
  const mocks = installPrivacy(false)
  const { comp } = mount()
  const resolve = jest.fn()
  mocks.listener()(resolve, {})
  comp.detach()
  expect(resolve).toHaveBeenLastCalledWith({ event: 'disagree' })
})

test('privacy APIs are used from 2.32.3 on, compared numerically (2.100.0 counts, 2.32.2 does not)', () => {
  installCloud()
  setSdkVersion('2.100.0')
  expect(installPrivacy(true) && mount().sheet()).toHaveLength(1)
  setSdkVersion('2.32.2')
  const mocks = installPrivacy(true)
  expect(mount().sheet()).toHaveLength(0)
  expect(mocks.getPrivacySetting).not.toHaveBeenCalled()
  expect(mocks.onNeedPrivacyAuthorization).not.toHaveBeenCalled()
})

test('errno 104 right after a refusal does not nag: the sheet comes back only after the ~10 s lock-out', async () => {
  installCloud()
  const mocks = installPrivacy(false)
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
  const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000)
  try {
    const { comp, sheet } = mount()
    mocks.listener()(jest.fn(), {})
    await settle()
    comp.querySelector('.privacy-disagree')!.dispatchEvent('tap')
    await settle()
    const tap104 = async () => {
      comp.querySelector('.phone-btn')!.dispatchEvent('getphonenumber', { detail: { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 } })
      await settle()
    }
    now.mockReturnValue(1_005_000)
    await tap104()
    expect(sheet()).toHaveLength(0)
    expect(comp.dom!.textContent).toContain('请先阅读并同意隐私保护指引')
    now.mockReturnValue(1_010_000)
    await tap104()
    expect(sheet()).toHaveLength(1)
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('agreePrivacyAuthorization'))
  } finally {
    now.mockRestore()
    warn.mockRestore()
  }
})
