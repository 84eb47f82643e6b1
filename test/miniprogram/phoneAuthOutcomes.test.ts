/**
 * phone-auth, every outcome: each has its own message (Chinese first, English alongside), its
 * next step, the right event, and never puts a number, code or cloudID into a log.
 */
import simulate from 'miniprogram-simulate'
import { ERROR_CODES, errorInfo } from '../../core/errors'
import { attr, bindOk, captureConsole, FULL_NUMBER, installCloud, JsonNode, loadPhoneAuth, nodesWithClass, outcomes, overrideButton, rejection, removeCloud, resolved, settle } from './helpers'

const { NEXT_STEP_TEXT } = outcomes

let id: string
beforeAll(() => {
  overrideButton()
  id = loadPhoneAuth()
})

const SECRETS = [FULL_NUMBER, 'SECRET-CODE', 'SECRET-CLOUDID']
let logs: ReturnType<typeof captureConsole>
beforeEach(() => { logs = captureConsole() })
afterEach(() => {
  for (const line of logs.lines) for (const secret of SECRETS) expect(line).not.toContain(secret)
  logs.restore()
  removeCloud()
  delete (wx as unknown as Record<string, unknown>).getPrivacySetting
  delete (wx as unknown as Record<string, unknown>).onNeedPrivacyAuthorization
})

function mount(props: Record<string, unknown> = {}) {
  const comp = simulate.render(id, props)
  const events: Array<{ name: string; detail: any }> = []
  for (const name of ['bound', 'failed', 'denied']) comp.addEventListener(name, (e: { detail: unknown }) => events.push({ name, detail: e.detail }))
  comp.attach(document.createElement('parent-wrapper'))
  const tap = async (detail: Record<string, unknown>) => {
    comp.querySelector('.phone-btn')!.dispatchEvent('getphonenumber', { detail })
    await settle()
  }
  const json = () => comp.toJSON() as unknown as JsonNode
  const text = () => comp.dom!.textContent ?? ''
  return { comp, events, tap, json, text, button: () => comp.querySelector('.phone-btn') }
}
let n = 0
const freshCode = () => `SECRET-CODE-${++n}`

describe('the user says no', () => {
  test.each([
    'getPhoneNumber:fail user deny',
    'getPhoneNumber:fail:user deny',
    'getPhoneNumber:user deny',
    'getPhoneNumber:fail:user cancel',
    'getPhoneNumber:fail:cancel to bind phone',
    'getPhoneNumber:fail auth deny',
  ])('"%s" is a gentle denial with another route, and calls nothing', async (errMsg) => {
    const cloud = installCloud(jest.fn())
    const { events, tap, json, text, button } = mount()
    await tap({ errMsg })
    expect(cloud.callFunction).not.toHaveBeenCalled()
    expect(events).toEqual([{ name: 'denied', detail: { source: 'phone-button', error: errorInfo('USER_DENIED') } }])
    expect(text()).toContain('已取消授权')
    expect(text()).toContain(NEXT_STEP_TEXT['other-method'].zh)
    expect(nodesWithClass(json(), 'error')).toHaveLength(0) // not an alert
    expect(button()!.data.disabled).toBe(false) // the user may change their mind
  })
})

describe('WeChat refuses before any request', () => {
  test('quota spent (errno 1400001): our own message, since WeChat\'s toast is off', async () => {
    const cloud = installCloud(jest.fn())
    const { events, tap, text, button } = mount()
    expect(button()!.data.phoneNumberNoQuotaToast).toBe(false)
    await tap({ errMsg: 'getPhoneNumber:fail', errno: 1400001 })
    expect(cloud.callFunction).not.toHaveBeenCalled()
    expect(events[0]).toEqual({ name: 'failed', detail: { source: null, nextStep: 'contact-operator', error: errorInfo('QUOTA_EXHAUSTED', { wechatCode: 1400001 }) } })
    expect(text()).toContain('手机号验证次数已用完')
  })

  test.each(['getPhoneNumber:fail no permission', 'getPhoneNumber:fail 该 appid 没有权限'])('"%s": tells the developer the app is not eligible', async (errMsg) => {
    installCloud(jest.fn())
    const { events, tap, text } = mount({ debug: true })
    await tap({ errMsg })
    expect(events[0].detail).toMatchObject({ nextStep: 'developer-fix', error: { code: 'APP_NOT_ELIGIBLE' } })
    expect(text()).toContain('非个人主体')
    expect(text()).toContain('WeChat-verified, non-individual') // the hint, shown because debug is on
    expect(logs.lines.some((l) => l.includes('APP_NOT_ELIGIBLE'))).toBe(true)
  })

  test('developer hints stay out of the UI unless debug is on, but are still logged', async () => {
    installCloud(jest.fn())
    const { tap, text } = mount()
    await tap({ errMsg: 'getPhoneNumber:fail no permission' })
    expect(text()).not.toContain('WeChat-verified, non-individual')
    expect(logs.lines.join('\n')).toContain('WeChat-verified, non-individual')
  })

  test('privacy not agreed (errno 104): asks for consent, reopens the sheet, explains to the developer', async () => {
    const cloud = installCloud(jest.fn())
    Object.assign(wx, { getPrivacySetting: jest.fn(), onNeedPrivacyAuthorization: jest.fn() })
    const { events, tap, text, json } = mount()
    await tap({ errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 })
    expect(cloud.callFunction).not.toHaveBeenCalled()
    expect(events[0]).toEqual({ name: 'denied', detail: { source: 'phone-button', error: errorInfo('PRIVACY_NOT_AUTHORIZED', { wechatCode: 104 }) } })
    expect(text()).toContain('请先阅读并同意隐私保护指引')
    expect(text()).toContain(NEXT_STEP_TEXT['agree-privacy'].zh)
    expect(nodesWithClass(json(), 'privacy')).toHaveLength(1)
    expect(logs.lines.join('\n')).toContain('agreePrivacyAuthorization')
  })

  test('privacy guide lacks the phone (errno 112): a configuration error for the developer', async () => {
    installCloud(jest.fn())
    const { events, tap, text } = mount()
    await tap({ errMsg: 'getPhoneNumber:fail api scope is not declared in the privacy agreement', errno: 112 })
    expect(events[0].detail).toEqual({ source: null, nextStep: 'developer-fix', error: errorInfo('PRIVACY_NOT_DECLARED', { wechatCode: 112 }) })
    expect(text()).toContain('开发者配置问题')
    expect(logs.lines.join('\n')).toContain('用户隐私保护指引')
  })

  test('SMS re-verification needed: the user completes it in WeChat, then taps again', async () => {
    installCloud(jest.fn())
    const { events, tap } = mount()
    await tap({ errMsg: 'getPhoneNumber:fail 用户绑定的手机需要进行验证，请在客户端完成短信验证步骤' })
    expect(events[0].detail).toMatchObject({ nextStep: 'tap-again', error: { code: 'PHONE_NEEDS_SMS_VERIFICATION' } })
  })
})

describe('the cloud call fails', () => {
  test.each([
    [-404011, 'cloud.callFunction:fail requestID 1, cloud function service error code -504002, error message Error: boom', 'CLOUD_FUNCTION_FAILED', 'tap-again'],
    [-504002, 'cloud.callFunction:fail -504002 functions execute fail', 'CLOUD_FUNCTION_FAILED', 'tap-again'],
    [-1, 'cloud.callFunction:fail request:fail timeout', 'NETWORK_ERROR', 'tap-again'],
    [-404011, 'cloud.callFunction:fail requestID 2, cloud function service error code -501000, error message FunctionName parameter could not be found.', 'CLOUD_FUNCTION_NOT_FOUND', 'developer-fix'],
    [-1, "Cloud API isn't enabled, please call init first", 'CLOUD_NOT_INITIALIZED', 'developer-fix'],
  ])('errCode %i (%s) → %s, next: %s', async (errCode, errMsg, code, nextStep) => {
    installCloud(jest.fn().mockRejectedValue(rejection(errCode as number, errMsg as string)))
    const { events, tap, json, button } = mount()
    await tap({ errMsg: 'getPhoneNumber:ok', code: freshCode() })
    expect(events[0].detail).toMatchObject({ source: 'code', nextStep, error: { code } })
    const alert = nodesWithClass(json(), 'error')
    expect(attr(alert[0], 'ariaRole')).toBe('alert')
    expect(button()!.data).toMatchObject({ loading: false, disabled: false })
  })

  test('the retry is a fresh tap: the spent code is never sent again', async () => {
    const callFunction = jest.fn()
      .mockRejectedValueOnce(rejection(-404011, 'cloud.callFunction:fail error code -504002'))
      .mockResolvedValueOnce(bindOk())
    const cloud = installCloud(callFunction)
    const { events, tap } = mount()
    const first = freshCode()
    await tap({ errMsg: 'getPhoneNumber:ok', code: first })
    expect(cloud.callFunction).toHaveBeenCalledTimes(1) // no automatic retry
    const second = freshCode()
    await tap({ errMsg: 'getPhoneNumber:ok', code: second })
    expect(cloud.callFunction.mock.calls.map((c) => c[0].data.code)).toEqual([first, second])
    expect(events.map((e) => e.name)).toEqual(['failed', 'bound'])
  })

  test.each([['a string', 'oops'], ['nothing', undefined], ['no ok flag', { data: {} }], ['ok without data', { ok: true }]])(
    'a malformed result (%s) is a cloud failure, not a crash', async (_label, result) => {
      installCloud(jest.fn().mockResolvedValue(resolved(result)))
      const { events, tap } = mount()
      await tap({ errMsg: 'getPhoneNumber:ok', code: freshCode() })
      expect(events[0].detail).toMatchObject({ error: { code: 'CLOUD_FUNCTION_FAILED' } })
    })
})

describe('the function answers with a catalog failure', () => {
  test('PHONE_ALREADY_BOUND: says the number belongs to another account', async () => {
    installCloud(jest.fn().mockResolvedValue(resolved({ ok: false, error: errorInfo('PHONE_ALREADY_BOUND') })))
    const { events, tap, text } = mount()
    await tap({ errMsg: 'getPhoneNumber:ok', code: freshCode() })
    expect(events[0].detail).toEqual({ source: 'code', nextStep: 'contact-operator', error: errorInfo('PHONE_ALREADY_BOUND') })
    expect(text()).toContain('该手机号已绑定其他账号')
    expect(text()).toContain('This phone number is bound to another account')
  })

  test.each(ERROR_CODES)('%s: shows the client catalog message and a next step', async (code) => {
    // The server's own text is ignored: only the code is contract, so nothing it says can leak.
    const serverError = { code, message: `leak ${FULL_NUMBER}`, messageEn: 'leak', retryable: true }
    installCloud(jest.fn().mockResolvedValue(resolved({ ok: false, error: serverError })))
    const { events, tap, text } = mount()
    await tap({ errMsg: 'getPhoneNumber:ok', code: freshCode() })
    const detail = events[0].detail
    expect(events[0].name).toBe('failed')
    expect(detail.error).toEqual({ ...errorInfo(code), retryable: true })
    expect(text()).toContain(errorInfo(code).message)
    expect(text()).toContain(errorInfo(code).messageEn)
    expect(text()).toContain(NEXT_STEP_TEXT[detail.nextStep as keyof typeof NEXT_STEP_TEXT].zh)
    expect(text()).not.toContain(FULL_NUMBER)
  })
})

describe('accessibility', () => {
  test('the button is labelled, the status region is polite, decorative marks are hidden', async () => {
    installCloud(jest.fn().mockRejectedValue(rejection(-1, 'request:fail')))
    const { tap, json, button } = mount({ buttonLabel: '绑定手机号 / Bind phone' })
    expect(button()!.data.ariaLabel).toBe('绑定手机号 / Bind phone')
    expect(attr(nodesWithClass(json(), 'status')[0], 'ariaLive')).toBe('polite')
    await tap({ errMsg: 'getPhoneNumber:ok', code: freshCode() })
    expect(attr(nodesWithClass(json(), 'error-icon')[0], 'ariaHidden')).toBe('true')
  })

  test('a success is announced politely with the masked number only', async () => {
    installCloud(jest.fn().mockResolvedValue(bindOk('code', 'rebound')))
    const { tap, json, text } = mount()
    await tap({ errMsg: 'getPhoneNumber:ok', code: freshCode() })
    const status = nodesWithClass(json(), 'status')[0]
    expect(JSON.stringify(status)).toContain('已更换为手机号 138****8000')
    expect(text()).not.toContain(FULL_NUMBER)
  })
})
