/**
 * End to end, the SMS fallback: the real phone-auth in the demo page; WeChat's phone sheet, the
 * functions and the texts are the emulator's — `sendSmsCode` / `verifySmsCode` built from the
 * repository and run by the emulator, which answers the real tencentcloud SDK as Tencent Cloud SMS
 * and keeps each number's texts (what the user reads on their phone). After a declined sheet,
 * phone-auth offers 「短信验证」; the texted code binds; the page's own `bound` handler shows it; the
 * database holds the binding with `source: 'sms'`.
 */
import simulate from 'miniprogram-simulate'
import type { EmulatorUser, TapOptions } from '../../emulator/client'
import { e2eHarness, openPage, waitFor } from './e2eHarness'

const e2e = e2eHarness()
type Page = ReturnType<typeof simulate.render>

/** Taps the phone button with WeChat's (the emulator's) answer to `tap`; collects phone-auth's events. */
async function tapPhone(page: Page, user: EmulatorUser, tap: TapOptions) {
  const phoneAuth = page.querySelector('.phone-auth')!
  const events: Array<{ name: string; detail: any }> = []
  for (const name of ['bound', 'failed', 'denied']) phoneAuth.addEventListener(name, (e: { detail: unknown }) => events.push({ name, detail: e.detail }))
  phoneAuth.querySelector('.phone-btn')!.dispatchEvent('getphonenumber', { detail: await e2e.client().tapPhoneButton(user.openid, tap) })
  await waitFor(() => events.length > 0)
  await simulate.sleep(0)
  return { phoneAuth, events }
}

/** Opens phone-auth's offered form, types `number`, sends; resolves once the function answered. */
async function sendFromOffer(phoneAuth: Page, number: string) {
  phoneAuth.querySelector('.sms-offer')!.dispatchEvent('tap')
  await simulate.sleep(0)
  const form = phoneAuth.querySelector('.sms-verify')!
  form.querySelector('.phone-input')!.dispatchEvent('input', { detail: { value: number } })
  form.querySelector('.send-btn')!.dispatchEvent('tap')
  await waitFor(() => !form.data.sending && (form.data.phase === 'code' || !!form.data.errorZh))
  const typeCode = async (code: string) => {
    form.querySelector('.code-input')!.dispatchEvent('input', { detail: { value: code } })
    await simulate.sleep(0)
    await waitFor(() => !form.data.verifying)
    await simulate.sleep(0)
  }
  return { form, text: () => form.dom!.textContent ?? '', typeCode }
}

/** The code as the phone shows it: the newest text to `number` carries it as the template's first parameter. */
async function texted(number: string): Promise<string> {
  const [latest] = await e2e.client().smsInbox(number)
  if (!latest) throw new Error('no text arrived')
  return latest.params[0]
}

const userDoc = async (openid: string) => (await e2e.client().db<{ _id: string; phone?: { masked: string; source: string } }>('users')).find((u) => u._id === openid)

test('declined sheet → 短信验证 → the texted code binds; the page shows it through its one bound handler; the database says sms', async () => {
  const user = await e2e.client().createUser({ purePhoneNumber: '13500135000', countryCode: '86', baseLibrary: '3.4.0' })
  const { page, text } = await openPage(e2e, user)
  const { phoneAuth, events } = await tapPhone(page, user, { outcome: 'deny', platform: 'android' })
  expect(events[0]).toMatchObject({ name: 'denied', detail: { error: { code: 'USER_DENIED' } } })
  const typed = '135 0013 5001' // any number the user receives texts on, typed their way
  const form = await sendFromOffer(phoneAuth, typed)
  expect(form.text()).toContain('验证码已发送至 135****5001')
  await form.typeCode(await texted(typed))
  expect(events[1]).toMatchObject({ name: 'bound', detail: { source: 'sms', change: 'bound', phone: { masked: '135****5001', source: 'sms' } } })
  expect(page.data.phone).toEqual(events[1].detail.phone) // the demo page's onBound ran, as for the button
  expect(text()).toContain('135****5001')
  expect(text()).not.toContain('13500135001')
  expect((await userDoc(user.openid))?.phone).toMatchObject({ masked: '135****5001', source: 'sms' })
}, 30_000)

test('a wrong code is refused with the catalog message and binds nothing; the texted one then binds', async () => {
  const user = await e2e.client().createUser({ purePhoneNumber: '13300133000', countryCode: '86', baseLibrary: '3.4.0' })
  const { page } = await openPage(e2e, user)
  const { phoneAuth, events } = await tapPhone(page, user, { outcome: 'deny', platform: 'ios' })
  const typed = '13300133001'
  const form = await sendFromOffer(phoneAuth, typed)
  const code = await texted(typed)
  await form.typeCode(code === '000000' ? '111111' : '000000')
  expect(form.text()).toContain('验证码错误或已失效')
  expect((await userDoc(user.openid))?.phone ?? null).toBeNull()
  await form.typeCode(code)
  // The page's failed handler heard the wrong code too, marked as the SMS form's.
  expect(events.map((e) => e.name)).toEqual(['denied', 'failed', 'bound'])
  expect(events[1]!.detail).toMatchObject({ source: 'sms', stage: 'verify', error: { code: 'SMS_CODE_INVALID' }, nextStep: 'retype-code' })
  expect((await userDoc(user.openid))?.phone).toMatchObject({ masked: '133****3001', source: 'sms' })
}, 30_000)

test('a send refused by the 30-second rule counts the server\'s wait down on the resend button', async () => {
  const user = await e2e.client().createUser({ purePhoneNumber: '13200132000', countryCode: '86', baseLibrary: '3.4.0' })
  const { page } = await openPage(e2e, user)
  const { phoneAuth } = await tapPhone(page, user, { outcome: 'deny', platform: 'android' })
  await e2e.client().setSmsFaults({ rateLimit: true })
  try {
    const form = await sendFromOffer(phoneAuth, '13200132001')
    expect(form.text()).toContain('验证码发送过于频繁')
    expect(form.form.data.countdown).toBeGreaterThan(0) // not a dead end: the button counts down
  } finally {
    await e2e.client().setSmsFaults({ rateLimit: false })
  }
}, 30_000)
