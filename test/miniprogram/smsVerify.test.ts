/**
 * sms-verify, the SMS fallback component, built and taken through 构建npm: number → 「发送验证码」
 * → the server's countdown → code → `bound`; every failure told in Chinese and English with its
 * next step; validation before any paid send; one request at a time; nothing secret logged.
 * `wx.cloud.callFunction` answers by the agreed contract (smsStandIn.ts); timers are jest's fake
 * ones so the countdown is driven, not waited for.
 */
import * as path from 'path'
import simulate from 'miniprogram-simulate'
import { errorInfo } from '../../core/errors'
import { captureConsole, deferred, installCloud, NPM_DIR, overrideButton, rejection, removeCloud, resolved, ROOT } from './helpers'
import { smsStandIn } from './smsStandIn'

const SMS_VERIFY = path.join(NPM_DIR, 'phonebind-weapp/sms-verify/index')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SMS_NEXT_STEP_TEXT } = require(path.join(NPM_DIR, 'phonebind-weapp/sms-verify/outcomes')) as typeof import('../../packages/weapp/src/sms-verify/outcomes')

const NUMBER = '13800138000'
let id: string
beforeAll(() => {
  overrideButton()
  id = simulate.load(SMS_VERIFY, { rootPath: ROOT })
})

let logs: ReturnType<typeof captureConsole>
const secrets: string[] = [NUMBER]
beforeEach(() => {
  jest.useFakeTimers()
  logs = captureConsole()
})
afterEach(() => {
  for (const line of logs.lines) for (const secret of secrets) expect(line).not.toContain(secret)
  logs.restore()
  removeCloud()
  jest.useRealTimers()
})

/** Lets the component's awaited calls finish (timers are fake: simulate.sleep would never return). */
const flush = () => jest.advanceTimersByTimeAsync(0)

function mount(props: Record<string, unknown> = {}) {
  const comp = simulate.render(id, props)
  const events: Array<{ name: string; detail: any }> = []
  for (const name of ['sent', 'bound', 'failed']) comp.addEventListener(name, (e: { detail: unknown }) => events.push({ name, detail: e.detail }))
  comp.attach(document.createElement('parent-wrapper'))
  const q = (sel: string) => comp.querySelector(sel)
  const input = async (sel: string, value: string) => { q(sel)!.dispatchEvent('input', { detail: { value } }); await flush() }
  const tap = async (sel: string) => { q(sel)!.dispatchEvent('tap'); await flush() }
  return {
    comp, events,
    typePhone: (v: string) => input('.phone-input', v),
    typeCode: (v: string) => input('.code-input', v),
    send: () => tap('.send-btn'),
    verify: () => tap('.verify-btn'),
    sendButton: () => q('.send-btn')!,
    codeInput: () => q('.code-input'),
    text: () => comp.dom!.textContent ?? '',
  }
}

describe('send → countdown → code → bound', () => {
  test('binds through sendSmsCode and verifySmsCode and emits phone-auth\'s bound payload with source sms', async () => {
    const sms = smsStandIn({ resendAfterSeconds: 60, expiresInSeconds: 300 })
    const cloud = installCloud(sms.callFunction)
    const { events, typePhone, typeCode, send, sendButton, codeInput, text } = mount()
    expect(sendButton().data.disabled).toBe(true) // nothing to send to yet
    expect(codeInput()).toBeFalsy() // no code field before a code is sent
    await typePhone(NUMBER)
    expect(sendButton().data.disabled).toBe(false)
    await send()
    expect(cloud.callFunction.mock.calls[0][0]).toEqual({ name: 'sendSmsCode', data: { phone: NUMBER } })
    expect(events).toEqual([{ name: 'sent', detail: { maskedPhone: '138****8000', resendAfterSeconds: 60, expiresInSeconds: 300 } }])
    expect(text()).toContain('验证码已发送至 138****8000，5 分钟内有效')
    expect(text()).toContain('Code sent to 138****8000, valid for 5 min')
    expect(sendButton().data).toMatchObject({ disabled: true, ariaLabel: '60 秒后重发 / Resend in 60s' })

    const code = sms.lastCode(NUMBER)!
    secrets.push(code)
    await typeCode(code) // the 6th digit submits
    expect(cloud.callFunction.mock.calls[1][0]).toEqual({ name: 'verifySmsCode', data: { phone: NUMBER, code } })
    expect(events[1]).toEqual({ name: 'bound', detail: { source: 'sms', change: 'bound', phone: { masked: '138****8000', countryCode: '86', source: 'sms', verifiedAt: '2026-12-04T09:00:00.000Z' } } })
    expect(text()).toContain('已绑定手机号 138****8000')
    expect(text()).toContain('Bound 138****8000')
    expect(codeInput()).toBeFalsy() // the form is gone once bound
  })

  test('the countdown comes from the server\'s resendAfterSeconds, and resend works only after it', async () => {
    const sms = smsStandIn({ resendAfterSeconds: 30 })
    installCloud(sms.callFunction)
    const { typePhone, send, sendButton, text } = mount()
    await typePhone(NUMBER)
    await send()
    expect(sendButton().data.ariaLabel).toBe('30 秒后重发 / Resend in 30s')
    await jest.advanceTimersByTimeAsync(10_000)
    expect(sendButton().data).toMatchObject({ disabled: true, ariaLabel: '20 秒后重发 / Resend in 20s' })
    await send() // a tap during the countdown sends nothing
    expect(sms.sends()).toBe(1)
    await jest.advanceTimersByTimeAsync(20_000)
    expect(sendButton().data).toMatchObject({ disabled: false, ariaLabel: '重新发送 / Resend' })
    expect(text()).toContain('重新发送 / Resend')
    await send()
    expect(sms.sends()).toBe(2)
    expect(sendButton().data.ariaLabel).toBe('30 秒后重发 / Resend in 30s')
  })

  test('the code from a resend binds; the one before it is no longer asked for', async () => {
    const sms = smsStandIn({ resendAfterSeconds: 5 })
    installCloud(sms.callFunction)
    const { events, typePhone, typeCode, send } = mount()
    await typePhone(NUMBER)
    await send()
    await jest.advanceTimersByTimeAsync(5_000)
    await send()
    await typeCode(sms.lastCode(NUMBER)!)
    expect(events.map((e) => e.name)).toEqual(['sent', 'sent', 'bound'])
  })
})

describe('a wrong code', () => {
  test('is told in Chinese and English with the next step, the field is cleared, and the right code then binds', async () => {
    const sms = smsStandIn()
    const cloud = installCloud(sms.callFunction)
    const { events, typePhone, typeCode, send, comp, text } = mount()
    await typePhone(NUMBER)
    await send()
    const right = sms.lastCode(NUMBER)!
    const wrong = right === '000000' ? '111111' : '000000'
    await typeCode(wrong)
    expect(events[1]).toEqual({ name: 'failed', detail: { stage: 'verify', nextStep: 'retype-code', error: errorInfo('SMS_CODE_INVALID') } })
    expect(text()).toContain(errorInfo('SMS_CODE_INVALID').message)
    expect(text()).toContain(errorInfo('SMS_CODE_INVALID').messageEn)
    expect(text()).toContain(SMS_NEXT_STEP_TEXT['retype-code'].zh)
    expect(text()).toContain(SMS_NEXT_STEP_TEXT['retype-code'].en)
    expect(comp.data.code).toBe('') // a refused code is never sent again by itself
    expect(cloud.callFunction).toHaveBeenCalledTimes(2)
    await typeCode(right)
    expect(events[2]).toMatchObject({ name: 'bound', detail: { source: 'sms' } })
  })

  test('after the 5th wrong code the user is asked for a new code', async () => {
    const sms = smsStandIn()
    installCloud(sms.callFunction)
    const { events, typePhone, typeCode, send, text } = mount()
    await typePhone(NUMBER)
    await send()
    const wrong = sms.lastCode(NUMBER) === '000000' ? '111111' : '000000'
    for (let i = 0; i < 5; i++) await typeCode(wrong)
    expect(events[5]).toEqual({ name: 'failed', detail: { stage: 'verify', nextStep: 'new-code', error: errorInfo('SMS_TOO_MANY_ATTEMPTS') } })
    expect(text()).toContain(SMS_NEXT_STEP_TEXT['new-code'].zh)
  })
})

describe('validation before any paid send', () => {
  test.each(['23800138000', '138001380001', '1380013800a1', '+85213800138000', '0086 138 0013 8000'])('"%s" is refused with a bilingual message and no call', async (typed) => {
    const cloud = installCloud(smsStandIn().callFunction)
    const { typePhone, send, sendButton, text } = mount()
    await typePhone(typed)
    expect(sendButton().data.disabled).toBe(true)
    expect(text()).toContain('手机号格式不正确')
    expect(text()).toContain('Not a valid phone number')
    await send()
    expect(cloud.callFunction).not.toHaveBeenCalled()
  })

  test('a number still being typed is not an error yet', async () => {
    installCloud(smsStandIn().callFunction)
    const { typePhone, sendButton, text } = mount()
    await typePhone('1380013')
    expect(sendButton().data.disabled).toBe(true)
    expect(text()).not.toContain('手机号格式不正确')
  })

  test.each(['+86 138 0013 8000', '8613800138000', '86-138-0013-8000', '138 0013 8000'])('"%s" is sent as the 11 national digits', async (typed) => {
    const cloud = installCloud(smsStandIn().callFunction)
    const { typePhone, send } = mount()
    await typePhone(typed)
    await send()
    expect(cloud.callFunction.mock.calls[0][0]).toEqual({ name: 'sendSmsCode', data: { phone: NUMBER } })
  })

  test('the code field keeps digits only, at most 6; without auto-submit nothing is sent before 「验证」', async () => {
    const sms = smsStandIn()
    const cloud = installCloud(sms.callFunction)
    const { comp, typePhone, typeCode, send, verify, events } = mount({ autoSubmit: false })
    await typePhone(NUMBER)
    await send()
    await typeCode('12a 3')
    expect(comp.data.code).toBe('123')
    expect(comp.querySelector('.verify-btn')!.data.disabled).toBe(true)
    await typeCode(`${sms.lastCode(NUMBER)}99`)
    expect(comp.data.code).toBe(sms.lastCode(NUMBER))
    expect(cloud.callFunction).toHaveBeenCalledTimes(1)
    expect(comp.querySelector('.verify-btn')!.data.disabled).toBe(false)
    await verify()
    expect(events.map((e) => e.name)).toEqual(['sent', 'bound'])
  })

  test('the phone property pre-fills the number', async () => {
    const cloud = installCloud(smsStandIn().callFunction)
    const { send } = mount({ phone: NUMBER })
    await send()
    expect(cloud.callFunction.mock.calls[0][0].data).toEqual({ phone: NUMBER })
  })

  test('changing the number after a send asks for a code for the new number', async () => {
    const sms = smsStandIn({ resendAfterSeconds: 1 })
    const cloud = installCloud(sms.callFunction)
    const { typePhone, send, codeInput } = mount()
    await typePhone(NUMBER)
    await send()
    expect(codeInput()).toBeTruthy()
    await typePhone('13900139000')
    expect(codeInput()).toBeFalsy()
    await jest.advanceTimersByTimeAsync(1_000)
    await send()
    expect(cloud.callFunction.mock.calls[1][0].data).toEqual({ phone: '13900139000' })
  })
})

describe('one request at a time', () => {
  test('a second tap while a send is in flight sends nothing; the button is loading', async () => {
    const pending = deferred<unknown>()
    const cloud = installCloud(jest.fn().mockReturnValue(pending.promise))
    const { typePhone, send, sendButton } = mount()
    await typePhone(NUMBER)
    await send()
    expect(sendButton().data).toMatchObject({ loading: true, disabled: true })
    await send()
    expect(cloud.callFunction).toHaveBeenCalledTimes(1)
    pending.resolve(resolved({ ok: true, data: { maskedPhone: '138****8000', resendAfterSeconds: 60, expiresInSeconds: 300 } }))
    await flush()
    expect(sendButton().data.loading).toBe(false)
  })

  test('a verification in flight ignores another submit', async () => {
    const pending = deferred<unknown>()
    const sms = smsStandIn()
    const callFunction = jest.fn((req: { name: string }) => (req.name === 'verifySmsCode' ? pending.promise : sms.callFunction(req)))
    installCloud(callFunction)
    const { typePhone, typeCode, send, verify, comp } = mount()
    await typePhone(NUMBER)
    await send()
    await typeCode('123456')
    expect(comp.querySelector('.verify-btn')!.data).toMatchObject({ loading: true, disabled: true })
    await verify()
    await typeCode('123456')
    expect(callFunction.mock.calls.filter((c) => c[0].name === 'verifySmsCode')).toHaveLength(1)
  })
})

describe('every failure has its message and next step', () => {
  const sendFails = (error: Record<string, unknown>) => jest.fn().mockResolvedValue(resolved({ ok: false, error }))

  test.each([
    ['SMS_RATE_LIMITED', 'wait'],
    ['SMS_DAILY_LIMIT', 'try-tomorrow'],
    ['SMS_SEND_FAILED', 'retry'],
    ['SMS_NOT_CONFIGURED', 'developer-fix'],
    ['PHONE_INVALID', 'fix-number'],
    ['RATE_LIMITED', 'retry'],
    ['INTERNAL_ERROR', 'retry'],
  ] as const)('send answers %s → %s, told in Chinese and English', async (code, nextStep) => {
    installCloud(sendFails({ code }))
    const { events, typePhone, send, text } = mount()
    await typePhone(NUMBER)
    await send()
    expect(events).toEqual([{ name: 'failed', detail: { stage: 'send', nextStep, error: errorInfo(code) } }])
    for (const s of [errorInfo(code).message, errorInfo(code).messageEn, SMS_NEXT_STEP_TEXT[nextStep].zh, SMS_NEXT_STEP_TEXT[nextStep].en]) expect(text()).toContain(s)
  })

  test.each([
    [-404012, 'cloud.callFunction:fail Error: errCode: -404012 | errMsg: network error', 'NETWORK_ERROR', 'retry'],
    [-501000, 'cloud.callFunction:fail FunctionName parameter could not be found', 'CLOUD_FUNCTION_NOT_FOUND', 'developer-fix'],
    [-504002, 'cloud.callFunction:fail functions execute fail', 'CLOUD_FUNCTION_FAILED', 'retry'],
  ] as const)('callFunction rejecting with errCode %i (%s) → %s, next step %s', async (errCode, errMsg, code, nextStep) => {
    installCloud(jest.fn().mockRejectedValue(rejection(errCode, errMsg)))
    const { events, typePhone, send, text } = mount()
    await typePhone(NUMBER)
    await send()
    expect(events[0].detail).toMatchObject({ stage: 'send', nextStep, error: { code } })
    expect(text()).toContain(errorInfo(code).message)
  })

  test('a number owned by another account is the binding conflict, with the operator as next step', async () => {
    const sms = smsStandIn()
    installCloud(jest.fn((req: { name: string }) => (req.name === 'verifySmsCode' ? Promise.resolve(resolved({ ok: false, error: { code: 'PHONE_ALREADY_BOUND' } })) : sms.callFunction(req))))
    const { events, typePhone, typeCode, send, text } = mount()
    await typePhone(NUMBER)
    await send()
    await typeCode('123456')
    expect(events[1]).toEqual({ name: 'failed', detail: { stage: 'verify', nextStep: 'contact-operator', error: errorInfo('PHONE_ALREADY_BOUND') } })
    expect(text()).toContain('该手机号已绑定其他账号')
  })

  test('SMS_RATE_LIMITED with retryAfterSeconds counts that wait down on the send button', async () => {
    installCloud(sendFails({ code: 'SMS_RATE_LIMITED', retryAfterSeconds: 42 }))
    const { typePhone, send, sendButton } = mount()
    await typePhone(NUMBER)
    await send()
    expect(sendButton().data).toMatchObject({ disabled: true, ariaLabel: '42 秒后重发 / Resend in 42s' })
    await jest.advanceTimersByTimeAsync(42_000)
    expect(sendButton().data.disabled).toBe(false)
  })

  test('SMS_NOT_CONFIGURED tells the developer what to set, in the log and (debug) in the UI', async () => {
    installCloud(sendFails({ code: 'SMS_NOT_CONFIGURED' }))
    const { typePhone, send, text } = mount({ debug: true })
    await typePhone(NUMBER)
    await send()
    expect(logs.lines.join('\n')).toContain('[sms-verify] send SMS_NOT_CONFIGURED')
    expect(text()).toContain('server/README.md')
  })

  test('a malformed answer is a function failure, not a crash', async () => {
    installCloud(jest.fn().mockResolvedValue(resolved({ ok: true, data: { resendAfterSeconds: 60 } })))
    const { events, typePhone, send } = mount()
    await typePhone(NUMBER)
    await send()
    expect(events[0].detail).toMatchObject({ stage: 'send', error: { code: 'CLOUD_FUNCTION_FAILED' } })
  })
})
