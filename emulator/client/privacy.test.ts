/**
 * The simulated base-library privacy flow: the official popup when the app has no listener, the
 * ~10 s lock-out after refusing it, the listener path with exposure reporting and the agree-button
 * id check. The host (WeChat's consent record, the popup, the clock) is an in-memory stand-in here;
 * test/miniprogram/e2ePrivacy.test.ts runs the same flow against the emulator and the real component.
 */
import { OFFICIAL_POPUP_LOCKOUT_MS, SimulatedPrivacy, type PrivacyChoice, type PrivacyListener } from './privacy'

function setup(choices: PrivacyChoice[] = []) {
  const state = { consent: false, now: 1_000_000, popups: 0 }
  const privacy = new SimulatedPrivacy({
    needsConsent: async () => !state.consent,
    recordConsent: async () => { state.consent = true },
    officialPopup: async () => { state.popups++; return choices.shift() ?? 'disagree' },
    now: () => state.now,
  })
  return { privacy, state }
}
const REFUSAL = { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 }
const ask = (p: SimulatedPrivacy) => p.authorize('getPhoneNumber', 'button.getPhoneNumber')

test('consent already given: the call proceeds, nobody is asked', async () => {
  const { privacy, state } = setup()
  state.consent = true
  expect(await ask(privacy)).toBeNull()
  expect(state.popups).toBe(0)
  expect(privacy.steps).toEqual([])
})

describe('no listener: the official popup', () => {
  test('agree records consent and the call proceeds; later calls ask nobody', async () => {
    const { privacy, state } = setup(['agree'])
    expect(await ask(privacy)).toBeNull()
    expect(state.consent).toBe(true)
    expect(await ask(privacy)).toBeNull()
    expect(state.popups).toBe(1)
  })

  test('a refusal fails the call (104) and locks the next ~10 s out without a popup', async () => {
    const { privacy, state } = setup(['disagree', 'agree'])
    expect(await ask(privacy)).toEqual(REFUSAL)
    state.now += OFFICIAL_POPUP_LOCKOUT_MS - 1
    expect(await ask(privacy)).toEqual(REFUSAL)
    expect(state.popups).toBe(1)
    expect(privacy.steps.at(-1)).toEqual({ kind: 'locked', remainingMs: 1 })
    state.now += 1
    expect(await ask(privacy)).toBeNull()
    expect(state.popups).toBe(2)
  })
})

describe('the app\'s listener', () => {
  function listen(privacy: SimulatedPrivacy): Array<{ resolve: Parameters<PrivacyListener>[0]; referrer: string }> {
    const calls: Array<{ resolve: Parameters<PrivacyListener>[0]; referrer: string }> = []
    privacy.onNeedPrivacyAuthorization((resolve, info) => calls.push({ resolve, referrer: info.referrer }))
    return calls
  }

  test('is called with the referrer instead of the popup; exposure is reported; agree with the tapped button proceeds', async () => {
    const { privacy, state } = setup()
    const calls = listen(privacy)
    const pending = ask(privacy)
    await new Promise((r) => setImmediate(r))
    expect(calls).toHaveLength(1)
    expect(calls[0].referrer).toBe('button.getPhoneNumber')
    calls[0].resolve({ event: 'exposureAuthorization' })
    privacy.agreeButtonTapped('agree-btn')
    calls[0].resolve({ event: 'agree', buttonId: 'agree-btn' })
    expect(await pending).toBeNull()
    expect(state).toMatchObject({ consent: true, popups: 0 })
    expect(privacy.steps).toEqual([{ kind: 'listener', referrer: 'button.getPhoneNumber' }, { kind: 'exposure' }, { kind: 'agree', buttonId: 'agree-btn' }])
  })

  test.each([
    ['no buttonId', undefined],
    ['an id no agree button was tapped with', 'plain-tap'],
  ])('agree with %s is not consent: the call fails (104)', async (_name, buttonId) => {
    const { privacy, state } = setup()
    const calls = listen(privacy)
    privacy.agreeButtonTapped('agree-btn')
    const pending = ask(privacy)
    await new Promise((r) => setImmediate(r))
    calls[0].resolve({ event: 'agree', buttonId })
    expect(await pending).toEqual(REFUSAL)
    expect(state.consent).toBe(false)
    expect(privacy.steps.at(-1)).toEqual({ kind: 'agree-rejected', buttonId })
  })

  test('disagree fails the call; the app\'s own popup starts no lock-out; a late second answer is ignored', async () => {
    const { privacy } = setup()
    const calls = listen(privacy)
    const first = ask(privacy)
    await new Promise((r) => setImmediate(r))
    calls[0].resolve({ event: 'disagree' })
    privacy.agreeButtonTapped('agree-btn')
    calls[0].resolve({ event: 'agree', buttonId: 'agree-btn' })
    expect(await first).toEqual(REFUSAL)
    const second = ask(privacy)
    await new Promise((r) => setImmediate(r))
    expect(calls).toHaveLength(2)
    calls[1].resolve({ event: 'agree', buttonId: 'agree-btn' })
    expect(await second).toBeNull()
  })

  test('one listener per app: a second registration replaces the first', async () => {
    const { privacy } = setup()
    const first = listen(privacy)
    const second = listen(privacy)
    void ask(privacy)
    await new Promise((r) => setImmediate(r))
    expect(first).toHaveLength(0)
    expect(second).toHaveLength(1)
  })
})
