/**
 * @module emulator/client/privacy — the base library's privacy layer, simulated on the client side
 * (the mini program's `wx` in the end-to-end tests, the console's phone page). It models the flow,
 * not just its outcome: a privacy API (the phone button) that needs consent is held PENDING while
 * the app's `wx.onNeedPrivacyAuthorization` listener — or, when the app registered none, WeChat's
 * official popup — asks the user.
 *
 * Documented behaviour (PrivacyAuthorize.html, wx.onNeedPrivacyAuthorization.html, 2023-09-14 update;
 * reference/wechat-phone-facts.md §7):
 * - one listener per app: a registration replaces the previous one;
 * - `eventInfo.referrer` names the trigger (`button.getPhoneNumber`);
 * - `resolve({ event: 'exposureAuthorization' })` reports that the app's popup was shown;
 * - `resolve({ event: 'agree', buttonId })`: "基础库会检查对应的同意按钮是否被点击过" — the id must
 *   name an `open-type="agreePrivacyAuthorization"` button the user tapped;
 * - `resolve({ event: 'disagree' })`: the pending call fails with `privacy permission is not authorized`;
 * - no listener → the official popup; after the user refuses it, calls fail at once for about 10 s.
 *
 * GUESSES (not documented, not verified on a device), also listed in emulator/README.md:
 * - an `agree` naming a button that was not tapped fails the pending call like a refusal (errno 104);
 *   WeChat's reaction is not described;
 * - a refusal in the APP's own popup starts no lock-out (only the official popup's is documented);
 * - the realtime button's referrer is `button.getRealtimePhoneNumber`;
 * - the lock-out is exactly 10 000 ms ("about 10 s").
 */
import { consentIntercepted } from '../../core/baseLibrary'
import type { EmulatorClient } from './index'

export type PrivacyChoice = 'agree' | 'disagree'
export type PrivacyResolveOption = { event: 'agree'; buttonId?: string } | { event: 'disagree' } | { event: 'exposureAuthorization' }
export type PrivacyListener = (resolve: (option: PrivacyResolveOption) => void, eventInfo: { referrer: string }) => void

/** What happened, in order: the console's trace and the tests read it. */
export type PrivacyStep =
  | { kind: 'listener'; referrer: string }
  | { kind: 'official-popup'; referrer: string }
  | { kind: 'exposure' }
  | { kind: 'agree'; buttonId?: string }
  | { kind: 'agree-rejected'; buttonId?: string }
  | { kind: 'disagree'; lockedForMs: number }
  | { kind: 'locked'; remainingMs: number }

/** The failure a privacy API reports when consent is refused (errno 104). */
export interface PrivacyRefusal {
  errMsg: string
  errno: 104
}

export interface PrivacyHost {
  /** Whether WeChat still needs this user's consent for this app. */
  needsConsent(): Promise<boolean>
  /** Records consent with WeChat (the emulator user's `privacyAuthorized`). */
  recordConsent(): Promise<void>
  /** WeChat's official popup, shown when the app registered no listener; resolves with the user's choice. */
  officialPopup(eventInfo: { referrer: string }): Promise<PrivacyChoice>
  /** Milliseconds; injectable so tests can pass the lock-out without waiting. */
  now?(): number
}

/** "after a refusal, calls within 10 s fail without a popup" (official popup, 2023-09-14 update). */
export const OFFICIAL_POPUP_LOCKOUT_MS = 10_000

export const PHONE_REFERRER = { getPhoneNumber: 'button.getPhoneNumber', getRealtimePhoneNumber: 'button.getRealtimePhoneNumber' } as const

export class SimulatedPrivacy {
  private listener: PrivacyListener | null = null
  private readonly tappedAgreeButtons = new Set<string>()
  private lockedUntil = 0
  /** Every step so far (never a phone number or code: there are none here). */
  readonly steps: PrivacyStep[] = []

  constructor(private readonly host: PrivacyHost) {}

  private now(): number {
    return this.host.now ? this.host.now() : Date.now()
  }

  private step(s: PrivacyStep): void {
    this.steps.push(s)
  }

  /** `wx.onNeedPrivacyAuthorization`: one listener per app, the last registration wins. */
  onNeedPrivacyAuthorization(listener: PrivacyListener): void {
    this.listener = listener
  }

  /** `wx.getPrivacySetting`. */
  async getPrivacySetting(): Promise<{ needAuthorization: boolean; privacyContractName: string }> {
    return { needAuthorization: await this.host.needsConsent(), privacyContractName: '《phonebind 演示小程序隐私保护指引》' }
  }

  /** The user tapped an `open-type="agreePrivacyAuthorization"` button with this id (the base library remembers it). */
  agreeButtonTapped(buttonId: string): void {
    this.tappedAgreeButtons.add(buttonId)
  }

  /**
   * A tap on a coupled button (`open-type="getPhoneNumber|agreePrivacyAuthorization"`): the tap is
   * both the agree-button tap and the consent (PrivacyAuthorize.html, coupled use), recorded before
   * the phone API runs.
   */
  async coupledTap(buttonId: string): Promise<void> {
    this.agreeButtonTapped(buttonId)
    if (!(await this.host.needsConsent())) return
    this.step({ kind: 'agree', buttonId })
    await this.host.recordConsent()
  }

  /**
   * A privacy API (`api`, e.g. the phone button's `getPhoneNumber`) is about to run. Resolves with
   * null when it may proceed, or with the errno-104 failure it must report instead.
   */
  async authorize(api: string, referrer: string): Promise<PrivacyRefusal | null> {
    if (!(await this.host.needsConsent())) return null
    const refusal: PrivacyRefusal = { errMsg: `${api}:fail privacy permission is not authorized`, errno: 104 }
    const remaining = this.lockedUntil - this.now()
    if (remaining > 0) {
      this.step({ kind: 'locked', remainingMs: remaining })
      return refusal
    }
    if (!this.listener) return this.askOfficially(referrer, refusal)
    return this.askListener(this.listener, referrer, refusal)
  }

  private async askOfficially(referrer: string, refusal: PrivacyRefusal): Promise<PrivacyRefusal | null> {
    this.step({ kind: 'official-popup', referrer })
    const choice = await this.host.officialPopup({ referrer })
    if (choice === 'agree') {
      this.step({ kind: 'agree' })
      await this.host.recordConsent()
      return null
    }
    this.lockedUntil = this.now() + OFFICIAL_POPUP_LOCKOUT_MS
    this.step({ kind: 'disagree', lockedForMs: OFFICIAL_POPUP_LOCKOUT_MS })
    return refusal
  }

  private askListener(listener: PrivacyListener, referrer: string, refusal: PrivacyRefusal): Promise<PrivacyRefusal | null> {
    this.step({ kind: 'listener', referrer })
    return new Promise((settle) => {
      let settled = false
      const resolve = (option: PrivacyResolveOption) => {
        if (settled || !option || typeof option !== 'object') return // answered already: later calls are ignored
        if (option.event === 'exposureAuthorization') {
          this.step({ kind: 'exposure' })
          return
        }
        settled = true
        if (option.event === 'agree') {
          const { buttonId } = option
          if (typeof buttonId !== 'string' || !this.tappedAgreeButtons.has(buttonId)) {
            this.step({ kind: 'agree-rejected', buttonId })
            settle(refusal)
            return
          }
          this.step({ kind: 'agree', buttonId })
          this.host.recordConsent().then(() => settle(null), () => settle(refusal))
          return
        }
        this.step({ kind: 'disagree', lockedForMs: 0 })
        settle(refusal)
      }
      listener(resolve, { referrer })
    })
  }
}

/**
 * The host for a user of the running emulator: consent is the user's `privacyAuthorized` flag,
 * needed only where the app declared 手机号 (undeclared → errno 112 at the tap instead) and the
 * base library has the privacy APIs (below 2.32.3 "nothing is intercepted").
 */
export function emulatorPrivacyHost(client: EmulatorClient, openid: string, officialPopup: PrivacyHost['officialPopup']): PrivacyHost {
  return {
    async needsConsent() {
      const [users, { apps }] = await Promise.all([client.users(), client.apps()])
      const user = users.find((u) => u.openid === openid)
      const app = apps.find((a) => a.appid === user?.appid)
      if (!user || !app) throw new Error(`no emulator user ${openid}`)
      return app.privacyDeclared && consentIntercepted(user)
    },
    async recordConsent() {
      await client.updateUser(openid, { privacyAuthorized: true })
    },
    officialPopup,
  }
}
