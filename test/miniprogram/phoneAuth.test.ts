/**
 * phone-auth, the happy paths and the mechanics: which function each delivery reaches, one tap
 * → one call, the privacy sheet, feature detection. Every failure outcome is in phoneAuthOutcomes.
 */
import simulate from 'miniprogram-simulate'
import { bindOk, deferred, FULL_NUMBER, installCloud, overrideButton, loadPhoneAuth, removeCloud, setSdkVersion, settle, weapp } from './helpers'

let id: string
beforeAll(() => {
  overrideButton()
  id = loadPhoneAuth()
})

const wxAny = wx as unknown as Record<string, unknown>
const saved = { getAppBaseInfo: wx.getAppBaseInfo, checkSession: wx.checkSession, login: wx.login }
afterEach(() => {
  Object.assign(wxAny, saved)
  delete wxAny.getPrivacySetting
  delete wxAny.onNeedPrivacyAuthorization
  delete wxAny.openPrivacyContract
  removeCloud()
  weapp.resetSession()
  jest.restoreAllMocks()
})

function mount(props: Record<string, unknown> = {}) {
  const comp = simulate.render(id, props)
  const events: Array<{ name: string; detail: any }> = []
  for (const name of ['bound', 'failed', 'denied']) comp.addEventListener(name, (e: { detail: unknown }) => events.push({ name, detail: e.detail }))
  comp.attach(document.createElement('parent-wrapper'))
  const button = () => comp.querySelector('.phone-btn')
  const tap = async (detail: Record<string, unknown>, event = 'getphonenumber') => {
    button()!.dispatchEvent(event, { detail })
    await settle()
  }
  return { comp, events, button, tap }
}

describe('phone-auth: paths', () => {
  test('sends the button code to getPhoneNumber and shows only the masked number', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue(bindOk('code')))
    const { comp, events, button, tap } = mount()
    await tap({ errMsg: 'getPhoneNumber:ok', code: 'PHONE-CODE-1', encryptedData: 'ENC', iv: 'IV', cloudID: 'CID' })
    expect(cloud.callFunction).toHaveBeenCalledTimes(1)
    expect(cloud.callFunction).toHaveBeenCalledWith({ name: 'getPhoneNumber', data: { code: 'PHONE-CODE-1' } })
    expect(events).toEqual([{ name: 'bound', detail: { source: 'code', change: 'bound', phone: expect.objectContaining({ masked: '138****8000' }) } }])
    const html = comp.dom!.innerHTML
    expect(html).toContain('138****8000')
    expect(html).not.toContain(FULL_NUMBER)
    expect(html).not.toContain('PHONE-CODE-1')
    expect(button()).toBeUndefined() // hidden after success: a second charge is impossible
  })

  test('wraps a cloudID in wx.cloud.CloudID at the top level of getOpenData data', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue(bindOk('cloudID')))
    const { events, tap } = mount()
    await tap({ errMsg: 'getPhoneNumber:ok', cloudID: 'CLOUD-ID-1', encryptedData: 'ENC', iv: 'IV' })
    expect(cloud.CloudID).toHaveBeenCalledWith('CLOUD-ID-1')
    expect(cloud.callFunction).toHaveBeenCalledWith({ name: 'getOpenData', data: { cloudID: { __cloudIDWrapper: true, cloudID: 'CLOUD-ID-1' } } })
    expect(events[0]).toMatchObject({ name: 'bound', detail: { source: 'cloudID' } })
  })

  test('legacy: checks the session (never wx.login) and sends encryptedData + iv as they came', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue(bindOk('legacy')))
    const login = jest.fn()
    wxAny.login = login
    wxAny.checkSession = jest.fn((o: { success: () => void }) => o.success())
    setSdkVersion('2.7.0') // no cloudID below 2.8.0
    const { events, tap } = mount({ legacy: true })
    await tap({ errMsg: 'getPhoneNumber:ok', encryptedData: 'a+b/c==', iv: 'i+v/==' })
    expect(cloud.callFunction).toHaveBeenCalledWith({ name: 'getOpenData', data: { encryptedData: 'a+b/c==', iv: 'i+v/==' } })
    expect(login).not.toHaveBeenCalled()
    expect(events[0]).toMatchObject({ name: 'bound', detail: { source: 'legacy' } })
  })

  test('legacy: an expired session re-logs in and asks for a new tap instead of sending stale data', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue({ errMsg: 'cloud.callFunction:ok', result: { ok: true, data: { openid: 'o1', appid: 'wx1', phone: null, legacyReady: true, created: false } } }))
    wxAny.checkSession = jest.fn((o: { fail: () => void }) => o.fail())
    wxAny.login = jest.fn((o: { success: (r: { code: string }) => void }) => o.success({ code: 'JS-CODE-1' }))
    const { events, tap, button } = mount({ legacy: true })
    await tap({ errMsg: 'getPhoneNumber:ok', encryptedData: 'ENC', iv: 'IV' })
    expect(cloud.callFunction.mock.calls.map((c) => c[0])).toEqual([{ name: 'login', data: { code: 'JS-CODE-1' } }])
    expect(events).toEqual([{ name: 'failed', detail: expect.objectContaining({ source: 'legacy', nextStep: 'tap-again', error: expect.objectContaining({ code: 'LOGIN_REQUIRED' }) }) }])
    expect(button()!.data.disabled).toBe(false)
  })

  // Both answers mean the stored key cannot decrypt this tap: a new wx.login gives the next tap a key that can.
  test.each(['DECRYPT_SESSION_KEY_MISMATCH', 'DECRYPT_FAILED'])('legacy: %s from the server re-logs in so the next tap can decrypt', async (code) => {
    const callFunction = jest.fn(({ name }: { name: string }) => Promise.resolve(name === 'getOpenData'
      ? { errMsg: 'cloud.callFunction:ok', result: { ok: false, error: { code } } }
      : { errMsg: 'cloud.callFunction:ok', result: { ok: true, data: { openid: 'o1', appid: 'wx1', phone: null, legacyReady: true, created: false } } }))
    const cloud = installCloud(callFunction)
    wxAny.checkSession = jest.fn((o: { success: () => void }) => o.success())
    wxAny.login = jest.fn((o: { success: (r: { code: string }) => void }) => o.success({ code: 'JS-CODE-2' }))
    const { events, tap } = mount({ legacy: true })
    await tap({ errMsg: 'getPhoneNumber:ok', encryptedData: 'ENC', iv: 'IV' })
    expect(cloud.callFunction.mock.calls.map((c) => c[0].name)).toEqual(['getOpenData', 'login'])
    expect(cloud.callFunction.mock.calls[1][0].data).toEqual({ code: 'JS-CODE-2' })
    expect(events[0].detail).toMatchObject({ source: 'legacy', nextStep: 'tap-again', error: { code } })
  })

  test('legacy data with the legacy path off fails for the developer and calls nothing', async () => {
    const cloud = installCloud(jest.fn())
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    const { events, tap } = mount({ legacy: false })
    await tap({ errMsg: 'getPhoneNumber:ok', encryptedData: 'ENC', iv: 'IV' })
    expect(cloud.callFunction).not.toHaveBeenCalled()
    expect(warn.mock.calls[0][0]).toContain('legacy="{{true}}"')
    expect(events[0]).toMatchObject({ name: 'failed', detail: { nextStep: 'developer-fix', error: { code: 'LEGACY_NOT_CONFIGURED' } } })
  })
})

describe('phone-auth: one tap, one request', () => {
  test('is loading and disabled while in flight, and a double tap makes one call', async () => {
    const pending = deferred<unknown>()
    const cloud = installCloud(jest.fn().mockReturnValue(pending.promise))
    const { button, tap, events } = mount()
    expect(button()!.data).toMatchObject({ openType: 'getPhoneNumber', loading: false, disabled: false, phoneNumberNoQuotaToast: false })
    await tap({ errMsg: 'getPhoneNumber:ok', code: 'C1' })
    expect(button()!.data).toMatchObject({ loading: true, disabled: true })
    await tap({ errMsg: 'getPhoneNumber:ok', code: 'C2' })
    expect(cloud.callFunction).toHaveBeenCalledTimes(1)
    pending.resolve(bindOk())
    await settle()
    expect(events.map((e) => e.name)).toEqual(['bound'])
  })

  test('the host page can disable the button', async () => {
    const cloud = installCloud(jest.fn())
    const { button, tap } = mount({ disabled: true })
    expect(button()!.data.disabled).toBe(true)
    await tap({ errMsg: 'getPhoneNumber:ok', code: 'C1' })
    expect(cloud.callFunction).not.toHaveBeenCalled()
  })

  test('reset() brings the button back after a binding, for changing the number', async () => {
    installCloud(jest.fn().mockResolvedValue(bindOk()))
    const { comp, button, tap } = mount()
    await tap({ errMsg: 'getPhoneNumber:ok', code: 'C1' })
    expect(button()).toBeUndefined()
    comp.instance.reset()
    await settle()
    expect(button()!.data.disabled).toBe(false)
  })
})

describe('phone-auth: base library', () => {
  test('uses getRealtimePhoneNumber when asked and supported, compared numerically (2.100.0 > 2.24.4)', async () => {
    installCloud(jest.fn().mockResolvedValue(bindOk()))
    setSdkVersion('2.100.0')
    const { button, tap, events } = mount({ realtime: true })
    expect(button()!.data.openType).toBe('getRealtimePhoneNumber')
    await tap({ errMsg: 'getRealtimePhoneNumber:ok', code: 'RT1' }, 'getrealtimephonenumber')
    expect(events[0]).toMatchObject({ name: 'bound' })
  })

  test('falls back to getPhoneNumber below 2.24.4', () => {
    installCloud()
    setSdkVersion('2.24.3')
    expect(mount({ realtime: true }).button()!.data.openType).toBe('getPhoneNumber')
  })

  test('below 2.8.0 without the legacy path it asks the user to update WeChat and shows no button', () => {
    installCloud()
    setSdkVersion('2.7.9')
    const { comp, button, events } = mount({ legacy: false })
    expect(button()).toBeUndefined()
    expect(events[0]).toMatchObject({ name: 'failed', detail: { source: null, nextStep: 'update-wechat', error: { code: 'NOT_SUPPORTED' } } })
    expect(comp.dom!.innerHTML).toContain('请升级微信')
  })

  test('without wx.cloud it tells the developer to initialise cloud development', () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    removeCloud()
    const { button, events } = mount()
    expect(button()).toBeUndefined()
    expect(events[0]).toMatchObject({ name: 'failed', detail: { nextStep: 'developer-fix', error: { code: 'CLOUD_NOT_INITIALIZED' } } })
  })
})
