/**
 * phone-auth's SMS fallback: 「短信验证 / Verify by SMS」 is offered after each button outcome a new
 * tap cannot fix (declined, quota spent, not eligible, privacy guide missing the number, base
 * library too old, WeChat asking for SMS, the cost guard's cooldown, …), not after those a tap does
 * fix; its form (the built sms-verify, nested through phone-auth's usingComponents) binds, and the
 * host page's one `bound` handler gets the same payload shape from the button and from SMS.
 * `wx.cloud.callFunction` follows the contract (smsStandIn.ts) and answers the button's paths.
 */
import simulate, { type ComponentId } from 'miniprogram-simulate'
import { bindOk, captureConsole, installCloud, loadPhoneAuth, overrideButton, removeCloud, resolved, setSdkVersion, settle } from './helpers'
import { smsStandIn } from './smsStandIn'

const NUMBER = '13800138000'
const wxAny = wx as unknown as Record<string, unknown>
const savedBaseInfo = wx.getAppBaseInfo
const savedStorage = { get: wx.getStorageSync, set: wx.setStorageSync }

/** A page with one phone-auth and one `bound` handler, as the demo page has. */
let hostId: ComponentId<WechatMiniprogram.Component.DataOption, WechatMiniprogram.Component.PropertyOption, WechatMiniprogram.Component.MethodOption>
const received: unknown[] = []
/** What the page's one `failed` handler heard. */
const failures: unknown[] = []
beforeAll(() => {
  overrideButton()
  const phoneAuth = loadPhoneAuth()
  hostId = simulate.load({
    template: '<phone-auth id="pa" privacy-mode="sheet" sms-fallback="{{smsFallback}}" legacy="{{legacy}}" disabled="{{disabled}}" bind:bound="onBound" bind:failed="onFailed" />',
    usingComponents: { 'phone-auth': phoneAuth },
    data: { smsFallback: true, legacy: false, disabled: false },
    methods: {
      onBound(e: { detail: unknown }) { received.push(e.detail) },
      onFailed(e: { detail: unknown }) { failures.push(e.detail) },
    },
  })
})

let logs: ReturnType<typeof captureConsole>
const mounted: Array<{ detach: () => void }> = []
beforeEach(() => {
  received.length = 0
  failures.length = 0
  logs = captureConsole()
  // The cost guard keeps cancelled taps in storage: a fresh one per test.
  const storage = new Map<string, string>()
  wxAny.getStorageSync = (k: string) => (storage.has(k) ? JSON.parse(storage.get(k)!) : '')
  wxAny.setStorageSync = (k: string, v: unknown) => { storage.set(k, JSON.stringify(v)) }
})
afterEach(() => {
  mounted.splice(0).forEach((c) => c.detach()) // stops countdown and cooldown timers
  for (const line of logs.lines) expect(line).not.toContain(NUMBER)
  logs.restore()
  removeCloud()
  wxAny.getAppBaseInfo = savedBaseInfo
  wxAny.getStorageSync = savedStorage.get
  wxAny.setStorageSync = savedStorage.set
})

function mount(data: Record<string, unknown> = {}) {
  const host = simulate.render(hostId)
  host.setData(data)
  host.attach(document.createElement('parent-wrapper'))
  mounted.push(host)
  const pa = host.querySelector('#pa')!
  const tap = async (detail: Record<string, unknown>) => { pa.querySelector('.phone-btn')!.dispatchEvent('getphonenumber', { detail }); await settle() }
  const offer = () => pa.querySelector('.sms-offer')
  const sms = () => pa.querySelector('.sms-verify')
  return { host, pa, tap, offer, sms, text: () => pa.dom!.textContent ?? '' }
}

type Mounted = ReturnType<typeof mount>
type SmsForm = NonNullable<ReturnType<Mounted['sms']>>

/** Taps the offer and returns the SMS form it opened. */
async function openOffer(m: Mounted): Promise<SmsForm> {
  m.offer()!.dispatchEvent('tap')
  await settle()
  return m.sms()!
}

/** Types the number into the form and taps send. */
async function sendCode(form: SmsForm): Promise<void> {
  form.querySelector('.phone-input')!.dispatchEvent('input', { detail: { value: NUMBER } })
  await settle()
  form.querySelector('.send-btn')!.dispatchEvent('tap')
  await settle()
}

/** Takes the offered route to the end: open the form, number, send, the texted code. */
async function bindBySms(m: ReturnType<typeof mount>, standIn: ReturnType<typeof smsStandIn>) {
  const form = await openOffer(m)
  await sendCode(form)
  form.querySelector('.code-input')!.dispatchEvent('input', { detail: { value: standIn.lastCode(NUMBER) } })
  await settle()
}

/** The button's own answers come from `buttonAnswer`; the SMS functions from the stand-in. */
function cloudWith(standIn: ReturnType<typeof smsStandIn>, buttonAnswer: () => unknown = () => bindOk()) {
  return installCloud(jest.fn((req: { name: string }) => (req.name.endsWith('SmsCode') ? standIn.callFunction(req) : Promise.resolve(buttonAnswer()))))
}

const serverSays = (code: string) => () => resolved({ ok: false, error: { code } })

describe('offered when the button cannot be used, and it binds', () => {
  test.each([
    ['the user declines WeChat\'s sheet', { errMsg: 'getPhoneNumber:fail user deny' }, undefined],
    ['the phone quota is spent (errno 1400001)', { errMsg: 'getPhoneNumber:fail', errno: 1400001 }, undefined],
    ['the account is not eligible ("no permission")', { errMsg: 'getPhoneNumber:fail no permission' }, undefined],
    ['the privacy guide does not declare the number (errno 112)', { errMsg: 'getPhoneNumber:fail', errno: 112 }, undefined],
    ['WeChat asks for SMS verification', { errMsg: 'getPhoneNumber:fail 用户绑定的手机需要进行验证，请在客户端完成短信验证步骤' }, undefined],
    ['the client has no API for it ("not supported")', { errMsg: 'getPhoneNumber:fail not supported' }, undefined],
    ['only encryptedData came and the legacy path is off', { errMsg: 'getPhoneNumber:ok', encryptedData: 'ENC', iv: 'IV' }, undefined],
    ['the WeChat account has no number (server: MISSING_PHONE)', { errMsg: 'getPhoneNumber:ok', code: 'C1' }, serverSays('MISSING_PHONE')],
    ['the daily API quota is spent (server: DAILY_QUOTA_REACHED)', { errMsg: 'getPhoneNumber:ok', code: 'C1' }, serverSays('DAILY_QUOTA_REACHED')],
    ['getPhoneNumber lacks its permission (server: API_PERMISSION_DENIED)', { errMsg: 'getPhoneNumber:ok', code: 'C1' }, serverSays('API_PERMISSION_DENIED')],
  ] as const)('%s', async (_what, detail, buttonAnswer) => {
    const standIn = smsStandIn()
    cloudWith(standIn, buttonAnswer)
    const m = mount()
    expect(m.offer()).toBeFalsy() // nothing offered before the button failed
    await m.tap(detail)
    expect(m.offer()).toBeTruthy()
    expect(m.text()).toContain('短信验证 / Verify by SMS')
    expect(m.sms()).toBeFalsy() // offered, not forced: the form opens on the user's tap
    await bindBySms(m, standIn)
    expect(received).toEqual([{ source: 'sms', change: 'bound', phone: expect.objectContaining({ masked: '138****8000', source: 'sms' }) }])
    expect(m.pa.querySelector('.phone-btn')).toBeFalsy() // bound: neither the button nor the form
    expect(m.sms()).toBeFalsy()
    expect(m.offer()).toBeFalsy()
    expect(m.text()).toContain('已绑定手机号 138****8000')
  })

  test('a base library too old for code and cloudID (2.5.0, wx.cloud present): offered on attach', async () => {
    setSdkVersion('2.5.0')
    const standIn = smsStandIn()
    cloudWith(standIn)
    const m = mount()
    expect(m.pa.querySelector('.phone-btn')).toBeFalsy()
    expect(m.text()).toContain('当前微信版本不支持获取手机号')
    await bindBySms(m, standIn)
    expect(received).toEqual([expect.objectContaining({ source: 'sms' })])
  })

  test('the cost guard\'s cooldown after repeated cancels: the offer stays while the button rests', async () => {
    const standIn = smsStandIn()
    cloudWith(standIn)
    const m = mount()
    for (let i = 0; i < 3; i++) await m.tap({ errMsg: 'getPhoneNumber:fail user deny' })
    expect(m.pa.querySelector('.phone-btn')).toBeFalsy() // resting
    expect(m.offer()).toBeTruthy()
    await bindBySms(m, standIn)
    expect(received).toEqual([expect.objectContaining({ source: 'sms' })])
  })
})

describe('not offered where it does not belong', () => {
  test.each([
    ['a spent single-use code (a fresh tap fixes it)', serverSays('CODE_INVALID')],
    ['a network failure (a fresh tap fixes it)', () => { throw Object.assign(new Error('network error'), { errCode: -404012, errMsg: 'cloud.callFunction:fail network error' }) }],
    ['a number owned by another account (a conflict, not a button problem)', serverSays('PHONE_ALREADY_BOUND')],
  ])('%s', async (_what, buttonAnswer) => {
    cloudWith(smsStandIn(), buttonAnswer)
    const m = mount()
    await m.tap({ errMsg: 'getPhoneNumber:ok', code: 'C1' })
    expect(m.text()).not.toContain('短信验证')
  })

  test('the user declined the privacy guide in the sheet: agreeing is the way on', async () => {
    cloudWith(smsStandIn())
    Object.assign(wxAny, {
      getPrivacySetting: (o: { success: (r: unknown) => void }) => o.success({ needAuthorization: true, privacyContractName: '《指引》' }),
      onNeedPrivacyAuthorization: () => undefined,
      openPrivacyContract: () => undefined,
    })
    try {
      const m = mount()
      m.pa.querySelector('.privacy-disagree')!.dispatchEvent('tap')
      await settle()
      expect(m.text()).toContain('请先阅读并同意隐私保护指引')
      expect(m.offer()).toBeFalsy()
    } finally {
      for (const k of ['getPrivacySetting', 'onNeedPrivacyAuthorization', 'openPrivacyContract']) delete wxAny[k]
    }
  })

  test('sms-fallback="{{false}}" turns the offer off', async () => {
    cloudWith(smsStandIn())
    const m = mount({ smsFallback: false })
    await m.tap({ errMsg: 'getPhoneNumber:fail user deny' })
    expect(m.text()).toContain('已取消授权')
    expect(m.offer()).toBeFalsy()
  })

  test('no wx.cloud (base library below 2.2.3): the SMS functions cannot be reached either', () => {
    setSdkVersion('2.1.0')
    removeCloud()
    const m = mount()
    expect(m.text()).toContain('当前微信版本不支持获取手机号')
    expect(m.offer()).toBeFalsy()
  })
})

test('the user opens the form, then binds with the button after all: the form closes, one bound event', async () => {
  const standIn = smsStandIn()
  cloudWith(standIn, () => bindOk('code'))
  const m = mount()
  await m.tap({ errMsg: 'getPhoneNumber:fail user deny' })
  expect(await openOffer(m)).toBeTruthy()
  await m.tap({ errMsg: 'getPhoneNumber:ok', code: 'C1' }) // changed their mind: the button is still there
  expect(received).toEqual([expect.objectContaining({ source: 'code' })])
  expect(m.sms()).toBeFalsy()
  expect(standIn.sends()).toBe(0)
})

test('the page disabling phone-auth disables its SMS form too', async () => {
  const standIn = smsStandIn()
  cloudWith(standIn)
  const m = mount()
  await m.tap({ errMsg: 'getPhoneNumber:fail user deny' })
  const form = await openOffer(m)
  m.host.setData({ disabled: true })
  form.querySelector('.phone-input')!.dispatchEvent('input', { detail: { value: NUMBER } })
  form.querySelector('.send-btn')!.dispatchEvent('tap')
  await settle()
  expect(form.querySelector('.send-btn')!.data.disabled).toBe(true)
  expect(standIn.sends()).toBe(0)
})

test('the page\'s one bound handler gets the same payload shape from the button and from SMS', async () => {
  const standIn = smsStandIn()
  cloudWith(standIn, () => bindOk('code'))
  const byButton = mount()
  await byButton.tap({ errMsg: 'getPhoneNumber:ok', code: 'C1' })
  removeCloud() // a fresh session: the next page does not know the number yet
  cloudWith(standIn, () => resolved({ ok: false, error: { code: 'QUOTA_EXHAUSTED' } }))
  const bySms = mount()
  await bySms.tap({ errMsg: 'getPhoneNumber:fail', errno: 1400001 })
  await bindBySms(bySms, standIn)
  expect(received).toHaveLength(2)
  const [button, sms] = received as Array<Record<string, any>>
  expect(Object.keys(sms).sort()).toEqual(Object.keys(button).sort())
  expect(Object.keys(sms.phone).sort()).toEqual(Object.keys(button.phone).sort())
  expect([button.source, sms.source]).toEqual(['code', 'sms'])
  expect(sms.phone.masked).toBe(button.phone.masked)
})

test('the page\'s one failed handler hears the SMS form\'s failures too, marked source sms with their stage', async () => {
  const standIn = smsStandIn()
  let sendsRefused = 1 // the first send fails at the provider, the second goes through
  const callFunction = jest.fn((req: { name: string; data: { phone: string } }) => {
    if (req.name === 'sendSmsCode' && sendsRefused-- > 0) return resolved({ ok: false, error: { code: 'SMS_SEND_FAILED' } })
    return req.name.endsWith('SmsCode') ? standIn.callFunction(req) : resolved({ ok: false, error: { code: 'QUOTA_EXHAUSTED' } })
  })
  installCloud(callFunction)
  const m = mount()
  await m.tap({ errMsg: 'getPhoneNumber:fail', errno: 1400001 })
  expect(failures).toEqual([expect.objectContaining({ source: null, error: expect.objectContaining({ code: 'QUOTA_EXHAUSTED' }) })])
  const form = await openOffer(m)
  await sendCode(form)
  expect(failures[1]).toEqual({ source: 'sms', stage: 'send', error: expect.objectContaining({ code: 'SMS_SEND_FAILED' }), nextStep: expect.any(String) })
  form.querySelector('.send-btn')!.dispatchEvent('tap')
  await settle()
  const right = standIn.lastCode(NUMBER)!
  form.querySelector('.code-input')!.dispatchEvent('input', { detail: { value: String((Number(right) + 1) % 1_000_000).padStart(6, '0') } })
  await settle()
  expect(failures[2]).toEqual({ source: 'sms', stage: 'verify', error: expect.objectContaining({ code: 'SMS_CODE_INVALID' }), nextStep: 'retype-code' })
  expect(failures).toHaveLength(3)
  expect(received).toEqual([])
})
