/**
 * phone-auth, one-tap consent and the other ways a phone request arrives: the coupled button
 * (`getPhoneNumber|agreePrivacyAuthorization`) by base library, forced either way, its fallback to
 * the sheet; the Skyline renderer's nested `detail`; the button-less API form.
 */
import { errorInfo } from '../../core/errors'
import { bindOk, installCloud, installPrivacy, mountPhoneAuth, phoneAuthPrivacySuite, setSdkVersion, settle, weapp } from './helpers'

const id = phoneAuthPrivacySuite()
const wxAny = wx as unknown as Record<string, unknown>
let warn: jest.SpyInstance

beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined) })
afterEach(() => {
  for (const k of ['getPhoneNumber', 'getRealtimePhoneNumber']) delete wxAny[k]
  warn.mockRestore()
})

const phoneButton = (comp: ReturnType<typeof mountPhoneAuth>['comp']) => comp.querySelector('.phone-btn')!

describe('the coupled one-tap button', () => {
  test.each([
    ['3.0.1', 'auto', false, 'getPhoneNumber|agreePrivacyAuthorization'],
    ['2.33.1', 'auto', false, 'getPhoneNumber|agreePrivacyAuthorization'],
    ['2.100.0', 'auto', true, 'getRealtimePhoneNumber|agreePrivacyAuthorization'],
    ['2.33.0', 'auto', false, 'getPhoneNumber'],
    ['3.0.1', 'sheet', false, 'getPhoneNumber'],
    ['2.32.3', 'coupled', false, 'getPhoneNumber|agreePrivacyAuthorization'],
    ['2.32.2', 'coupled', false, 'getPhoneNumber'], // no privacy APIs below 2.32.3: nothing to couple
  ])('consent pending, base library %s, privacy-mode %s, realtime %s → open-type %s', (version, privacyMode, realtime, openType) => {
    installCloud()
    setSdkVersion(version)
    installPrivacy(true)
    const { comp } = mountPhoneAuth(id(), { privacyMode, realtime })
    expect(phoneButton(comp).data.openType).toBe(openType)
  })

  test('consent already given: the plain button (the coupled form has failures of its own)', () => {
    installCloud()
    setSdkVersion('3.0.1')
    installPrivacy(false)
    const { comp } = mountPhoneAuth(id())
    expect(phoneButton(comp).data.openType).toBe('getPhoneNumber')
  })

  test('consent pending: no sheet, a note under the button names the guide and links it', async () => {
    installCloud()
    setSdkVersion('3.0.1')
    const mocks = installPrivacy(true)
    const { comp, sheet } = mountPhoneAuth(id())
    expect(sheet()).toHaveLength(0)
    expect(comp.dom!.textContent).toContain('点击按钮即表示已阅读并同意')
    expect(comp.dom!.textContent).toContain('《示例小程序隐私保护指引》')
    comp.querySelector('.consent-note .privacy-link')!.dispatchEvent('tap')
    await settle()
    expect(mocks.openPrivacyContract).toHaveBeenCalledTimes(1)
  })

  test('the id WeChat checks sits on the native button, and the coupled agree names it', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue(bindOk()))
    setSdkVersion('3.0.1')
    const mocks = installPrivacy(true)
    const { comp, events } = mountPhoneAuth(id())
    const button = phoneButton(comp)
    expect(comp.querySelector('#phone-auth-phone-button')!.dom).toBe(button.dom)
    // Should the platform still ask the listener, the coupled tap's agree answers it with this id.
    const resolve = jest.fn()
    mocks.listener()(resolve, { referrer: 'button.getPhoneNumber' })
    button.dispatchEvent('agreeprivacyauthorization', { detail: { errMsg: 'agreePrivacyAuthorization:ok' } })
    await settle()
    expect(resolve).toHaveBeenLastCalledWith({ event: 'agree', buttonId: 'phone-auth-phone-button' })
    expect(comp.dom!.textContent).not.toContain('点击按钮即表示已阅读并同意')
    // Agreed: should this tap's phone event never come (reported), the next tap is a plain one.
    expect(button.data.openType).toBe('getPhoneNumber')
    button.dispatchEvent('getphonenumber', { detail: { errMsg: 'getPhoneNumber:ok', code: 'C1' } })
    await settle()
    expect(cloud.callFunction).toHaveBeenCalledTimes(1)
    expect(events.map((e) => e.name)).toEqual(['bound'])
  })

  test('errno 104 from a coupled tap (clients that do not couple): back to the plain button and the sheet', async () => {
    installCloud()
    setSdkVersion('3.0.0')
    installPrivacy(true)
    const { comp, sheet, events } = mountPhoneAuth(id())
    phoneButton(comp).dispatchEvent('getphonenumber', { detail: { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 } })
    await settle()
    expect(events).toEqual([{ name: 'denied', detail: { source: 'phone-button', error: errorInfo('PRIVACY_NOT_AUTHORIZED', { wechatCode: 104 }) } }])
    expect(sheet()).toHaveLength(1)
    expect(phoneButton(comp).data.openType).toBe('getPhoneNumber')
  })
})

describe('the Skyline renderer\'s nested detail (shape guessed, see services/phoneDetail)', () => {
  test.each([
    ['success', { detail: { errMsg: 'getPhoneNumber:ok', code: 'C-SKY' } }, 'bound', undefined],
    ['deny', { detail: { errMsg: 'getPhoneNumber:fail user deny' } }, 'denied', 'USER_DENIED'],
    ['quota', { detail: { errMsg: 'getPhoneNumber:fail', errno: 1400001 } }, 'failed', 'QUOTA_EXHAUSTED'],
  ])('%s reaches the same outcome as the flat shape', async (_name, nested, outcome, code) => {
    const cloud = installCloud(jest.fn().mockResolvedValue(bindOk()))
    const { comp, events } = mountPhoneAuth(id(), { privacyMode: 'sheet' })
    phoneButton(comp).dispatchEvent('getphonenumber', { detail: nested })
    await settle()
    expect(events.map((e) => e.name)).toEqual([outcome])
    if (code) expect(events[0].detail.error.code).toBe(code)
    if (outcome === 'bound') expect(cloud.callFunction).toHaveBeenCalledWith(expect.objectContaining({ name: 'getPhoneNumber', data: { code: 'C-SKY' } }))
    else expect(cloud.callFunction).not.toHaveBeenCalled()
  })

  test('a detail with no errMsg at any level is a WeChat error, not a crash', async () => {
    installCloud()
    const { comp, events } = mountPhoneAuth(id(), { privacyMode: 'sheet' })
    phoneButton(comp).dispatchEvent('getphonenumber', { detail: { detail: { detail: { detail: { detail: {} } } } } })
    await settle()
    expect(events[0]).toMatchObject({ name: 'failed', detail: { error: { code: 'WECHAT_ERROR' } } })
  })
})

describe('the API form (no button)', () => {
  test('where the host has wx.getPhoneNumber: one call without WeChat\'s quota toast, then the usual binding', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue(bindOk()))
    const getPhoneNumber = jest.fn((o: { success: (r: unknown) => void }) => o.success({ errMsg: 'getPhoneNumber:ok', code: 'C-API' }))
    wxAny.getPhoneNumber = getPhoneNumber
    const { comp, events } = mountPhoneAuth(id(), { privacyMode: 'sheet' })
    await comp.instance.requestByApi()
    await settle()
    expect(getPhoneNumber).toHaveBeenCalledTimes(1)
    expect(getPhoneNumber.mock.calls[0][0]).toMatchObject({ phoneNumberNoQuotaToast: false })
    expect(getPhoneNumber.mock.calls[0][0]).not.toHaveProperty('isRealtime')
    expect(cloud.callFunction).toHaveBeenCalledWith(expect.objectContaining({ name: 'getPhoneNumber', data: { code: 'C-API' } }))
    expect(events.map((e) => e.name)).toEqual(['bound'])
  })

  test('realtime prefers wx.getRealtimePhoneNumber, else asks getPhoneNumber with isRealtime', async () => {
    installCloud(jest.fn().mockResolvedValue(bindOk()))
    setSdkVersion('3.0.1')
    const getPhoneNumber = jest.fn((o: { success: (r: unknown) => void }) => o.success({ errMsg: 'getPhoneNumber:ok', code: 'C1' }))
    wxAny.getPhoneNumber = getPhoneNumber
    const a = mountPhoneAuth(id(), { privacyMode: 'sheet', realtime: true })
    await a.comp.instance.requestByApi()
    expect(getPhoneNumber.mock.calls[0][0]).toMatchObject({ isRealtime: true })
    const getRealtimePhoneNumber = jest.fn((o: { success: (r: unknown) => void }) => o.success({ errMsg: 'getRealtimePhoneNumber:ok', code: 'C2' }))
    wxAny.getRealtimePhoneNumber = getRealtimePhoneNumber
    installCloud(jest.fn().mockResolvedValue(bindOk()))
    const b = mountPhoneAuth(id(), { privacyMode: 'sheet', realtime: true })
    await b.comp.instance.requestByApi()
    expect(getRealtimePhoneNumber).toHaveBeenCalledTimes(1)
    expect(getPhoneNumber).toHaveBeenCalledTimes(1)
  })

  test('a fail from the API is classified like the button\'s (deny → denied, 1400001 → quota)', async () => {
    installCloud()
    wxAny.getPhoneNumber = jest.fn((o: { fail: (r: unknown) => void }) => o.fail({ errMsg: 'getPhoneNumber:fail user deny' }))
    const a = mountPhoneAuth(id(), { privacyMode: 'sheet' })
    await a.comp.instance.requestByApi()
    expect(a.events).toEqual([{ name: 'denied', detail: { source: 'phone-button', error: errorInfo('USER_DENIED') } }])
    wxAny.getPhoneNumber = jest.fn((o: { fail: (r: unknown) => void }) => o.fail({ errMsg: 'getPhoneNumber:fail', errno: 1400001 }))
    const b = mountPhoneAuth(id(), { privacyMode: 'sheet' })
    await b.comp.instance.requestByApi()
    expect(b.events[0]).toMatchObject({ name: 'failed', detail: { error: { code: 'QUOTA_EXHAUSTED', wechatCode: 1400001 } } })
  })

  test('the package exports the API form on its own: availability, and a button-shaped detail (null without the API)', async () => {
    expect(weapp.phoneApiAvailable()).toBe(false)
    expect(await weapp.requestPhoneByApi(false)).toBeNull()
    wxAny.getPhoneNumber = jest.fn((o: { fail: (r: unknown) => void }) => o.fail({ errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 }))
    expect(weapp.phoneApiAvailable()).toBe(true)
    expect(await weapp.requestPhoneByApi(false)).toEqual({ errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 })
  })

  test('an ordinary mini program has no such API: NOT_SUPPORTED, and nothing is called', async () => {
    const cloud = installCloud()
    const { comp, events } = mountPhoneAuth(id(), { privacyMode: 'sheet' })
    await comp.instance.requestByApi()
    expect(cloud.callFunction).not.toHaveBeenCalled()
    expect(events).toEqual([{ name: 'failed', detail: { source: null, error: errorInfo('NOT_SUPPORTED'), nextStep: 'update-wechat' } }])
  })
})
