/**
 * phone-auth — privacy consent + the phone button + every outcome, as one drop-in component.
 * See README.md for properties, events and external classes. Business rules live in the cloud
 * functions; this only picks the path, keeps one tap = one request, and explains the result.
 */
import { hasFeature } from '../../../../core/baseLibrary'
import type { ErrorInfo } from '../../../../core/contracts'
import { errorInfo } from '../../../../core/errors'
import { phoneFeatures, privacyApi } from '../services/baseLibrary'
import type { PhoneFeatures } from '../services/baseLibrary'
import { knownPhone, watchKnownPhone } from '../services/knownPhone'
import { phoneApiAvailable, requestPhoneByApi } from '../services/phoneApi'
import { bindFromButton } from '../services/phoneBinding'
import { privacyCoordinatorInstalled, registerPhoneAuthPrivacy } from '../services/privacy'
import type { BindAttempt } from '../services/phoneBinding'
import { clearTapCooldown, cooldownRemaining, normaliseSettings, recordAbandonedTap } from '../services/tapCooldown'
import type { CooldownSettings } from '../services/tapCooldown'
import type { PhoneButtonDetail, PrivacyResolve } from '../types/wechat'
import { boundMessage, cooldownMessage, developerHint, isAbandonedTap, nextStepFor, NEXT_STEP_TEXT } from './outcomes'
import { offersSmsFallback } from '../sms-verify/fallback'
import type { SmsVerifyBoundDetail, SmsVerifyFailedDetail } from '../sms-verify/type'
import { props } from './props'
import type { PhoneAuthBoundDetail, PhoneAuthButtonFailedDetail, PhoneAuthDeniedDetail, PhoneAuthSmsFailedDetail, PrivacyMode } from './type'

/** Per-instance state that must not go through setData (functions, and the in-flight latch). */
interface Hidden {
  features: PhoneFeatures
  inFlight: boolean
  pendingPrivacy: PrivacyResolve | null
  /** When the user last declined in our sheet (ms), to respect WeChat's ~10 s lock-out. */
  declinedAt: number
  /** Unregisters from the app's privacy coordinator (null when we own the listener or none). */
  unregisterPrivacy: (() => void) | null
  /** Stops watching what the functions say about the binding. */
  unwatchPhone: (() => void) | null
  /** Ends the current cooldown (a timer; cleared on detach). */
  cooldownTimer: ReturnType<typeof setTimeout> | null
  /** The coupled button answered errno 104 on this client (reported on some 3.0.0 clients): use the sheet from now on. */
  coupledFailed: boolean
  /** `wx.getPrivacySetting` said consent is still needed (and no agree has happened since). */
  consentPending: boolean
}
const hidden = new WeakMap<object, Hidden>()
const AGREE_BUTTON_ID = 'phone-auth-privacy-agree'
/** The phone button's own id. WeChat checks that `resolve({ event: 'agree', buttonId })` names an
 * agree button that was tapped, and in the coupled form that button is this one: the id sits on
 * the NATIVE <button>, not on a wrapper (TDesign's t-button puts the page's id on its host
 * element, so the native button inside has none — see README, "One-tap consent"). */
const PHONE_BUTTON_ID = 'phone-auth-phone-button'
/** After a refusal WeChat fails privacy calls at once for about 10 s; do not nag during it. */
const PRIVACY_LOCKOUT_MS = 10_000

function stateOf(owner: object): Hidden {
  let h = hidden.get(owner)
  if (!h) {
    h = { features: phoneFeatures(), inFlight: false, pendingPrivacy: null, declinedAt: 0, unregisterPrivacy: null, unwatchPhone: null, cooldownTimer: null, coupledFailed: false, consentPending: false }
    hidden.set(owner, h)
  }
  return h
}

/** `getRealtimePhoneNumber` only where the base library has it (≥ 2.24.4); otherwise the quick check. */
function phoneOpenType(realtime: boolean, features: PhoneFeatures): string {
  return realtime && features.realtime ? 'getRealtimePhoneNumber' : 'getPhoneNumber'
}

/**
 * One-tap consent: `auto` couples where the base library documents it (≥ 2.33.1); `coupled` forces
 * it wherever the privacy APIs exist (≥ 2.32.3: below, there is no consent to couple); `sheet`
 * never couples. Only while consent is pending: the coupled form has reported failures of its own
 * (the phone event not firing, errno 104), so a user who has agreed gets the plain button. After a
 * coupled tap answered errno 104 this instance keeps to the sheet.
 */
function usesCoupled(mode: PrivacyMode, h: Hidden): boolean {
  if (h.coupledFailed || !h.consentPending || !h.features.privacy) return false
  if (mode === 'coupled') return true
  if (mode === 'sheet') return false
  return h.features.coupledPrivacy
}

/** Answers WeChat's pending privacy request, if any: each `resolve` is answered once. */
function answerPrivacy(h: Hidden, option: Parameters<PrivacyResolve>[0]): void {
  if (h.pendingPrivacy) h.pendingPrivacy(option)
  h.pendingPrivacy = null
}

function openTypeFor(realtime: boolean, mode: PrivacyMode, h: Hidden): string {
  const phone = phoneOpenType(realtime, h.features)
  return usesCoupled(mode, h) ? `${phone}|agreePrivacyAuthorization` : phone
}

function cooldownSettings(data: { cooldownAfter: number; cooldownWindow: number; cooldownSeconds: number }): CooldownSettings {
  return normaliseSettings({ after: data.cooldownAfter, windowSeconds: data.cooldownWindow, seconds: data.cooldownSeconds })
}

/** Every message line empty: spread first, then set the line(s) to show. */
const CLEAR_MESSAGES = { statusZh: '', statusEn: '', errorZh: '', errorEn: '', nextZh: '', nextEn: '', hint: '' }

/** Logs a failure for the developer: the code and hint only, never a code, cloudID or number. */
function logFailure(error: ErrorInfo): void {
  const hint = developerHint(error)
  if (hint) console.warn(`[phone-auth] ${error.code}${error.wechatCode !== undefined ? ` (${error.wechatCode})` : ''}: ${hint}`)
}

Component({
  externalClasses: ['pa-class', 'pa-class-button', 'pa-class-status', 'pa-class-error', 'pa-class-privacy'],
  properties: props,
  data: {
    openType: 'getPhoneNumber',
    busy: false,
    /** idle | bound | unsupported | cooldown */
    phase: 'idle',
    privacyOpen: false,
    /** Coupled mode, consent still needed: a line under the button says the tap accepts the guide. */
    consentNote: false,
    cooldownZh: '',
    cooldownEn: '',
    privacyContractName: '《用户隐私保护指引》',
    masked: '',
    statusZh: '',
    statusEn: '',
    errorZh: '',
    errorEn: '',
    nextZh: '',
    nextEn: '',
    hint: '',
    /** 「短信验证」 is offered (the button cannot help) / its form is open. */
    smsOffer: false,
    smsOpen: false,
  },
  observers: {
    'realtime, privacyMode'(realtime: boolean, mode: PrivacyMode) {
      this.setData({ openType: openTypeFor(realtime, mode, stateOf(this)) })
    },
    changeNumber(change: boolean) {
      // The page starts a change of number: leave the "already bound" state for the button.
      if (change && this.data.phase === 'bound') this.reset()
    },
  },
  lifetimes: {
    attached() {
      const h = stateOf(this)
      h.features = phoneFeatures()
      this.syncOpenType()
      if (!this.checkSupport()) return
      // Cost guard: a user already bound sees their number, not a paid button.
      h.unwatchPhone = watchKnownPhone((phone) => {
        // Unbound elsewhere (unbindPhone): the number shown is gone, the button is back.
        if (!phone && this.data.phase === 'bound') this.reset()
        else this.showKnownBinding()
      })
      if (!this.showKnownBinding()) this.resumeCooldown()
      this.watchPrivacy()
    },
    detached() {
      // WeChat keeps only the last listener; answer a pending request so the platform is not left waiting.
      const h = stateOf(this)
      if (h.unregisterPrivacy) h.unregisterPrivacy()
      h.unregisterPrivacy = null
      if (h.unwatchPhone) h.unwatchPhone()
      h.unwatchPhone = null
      if (h.cooldownTimer) clearTimeout(h.cooldownTimer)
      h.cooldownTimer = null
      answerPrivacy(h, { event: 'disagree' })
    },
  },
  methods: {
    /** Public: back to the idle button, e.g. when the page lets the user change the number. */
    reset() {
      stateOf(this).inFlight = false
      this.setData({ phase: 'idle', busy: false, masked: '', smsOffer: false, smsOpen: false, ...CLEAR_MESSAGES })
    },

    syncOpenType() {
      this.setData({ openType: openTypeFor(this.data.realtime, this.data.privacyMode as PrivacyMode, stateOf(this)) })
    },

    /** Shows the user's number instead of the button when the functions said they are bound. True when shown. */
    showKnownBinding(): boolean {
      const phone = knownPhone()
      if (!phone || this.data.changeNumber || stateOf(this).inFlight) return false
      if (this.data.phase !== 'idle' && this.data.phase !== 'cooldown' && this.data.phase !== 'bound') return false
      const msg = boundMessage(phone.masked, 'unchanged')
      this.setData({ phase: 'bound', masked: phone.masked, ...CLEAR_MESSAGES, statusZh: msg.zh, statusEn: msg.en })
      return true
    },

    /** A cooldown recorded earlier (another page, a reload) still holds: keep the button resting. */
    resumeCooldown() {
      const left = cooldownRemaining(Date.now(), cooldownSettings(this.data))
      if (left > 0) this.enterCooldown(left)
    },

    /** Replaces the button by a message for `ms`, and tells the page (`failed`, PHONE_TAP_COOLDOWN). */
    enterCooldown(ms: number) {
      const h = stateOf(this)
      const msg = cooldownMessage(ms)
      const error = errorInfo('PHONE_TAP_COOLDOWN')
      this.setData({ phase: 'cooldown', cooldownZh: msg.zh, cooldownEn: msg.en, privacyOpen: false, smsOffer: this.offersSms(error) })
      if (h.cooldownTimer) clearTimeout(h.cooldownTimer)
      h.cooldownTimer = setTimeout(() => {
        h.cooldownTimer = null
        if (this.data.phase === 'cooldown') this.setData({ phase: 'idle', cooldownZh: '', cooldownEn: '' })
      }, ms)
      const detail: PhoneAuthButtonFailedDetail = { source: null, error, nextStep: nextStepFor(error) }
      this.triggerEvent('failed', detail)
    },

    /** No `wx.cloud` or a base library that can deliver neither code nor cloudID: say so up front. */
    checkSupport(): boolean {
      const { features } = stateOf(this)
      let error: ErrorInfo | null = null
      if (!hasFeature(features.version, 'cloud')) error = errorInfo('NOT_SUPPORTED')
      else if (!features.cloud) error = errorInfo('CLOUD_NOT_INITIALIZED')
      else if (!features.cloudID && !this.data.legacy) error = errorInfo('NOT_SUPPORTED')
      if (!error) return true
      this.setData({ phase: 'unsupported' })
      this.showFailure(null, error)
      return false
    },

    watchPrivacy() {
      const api = stateOf(this).features.privacy ? privacyApi() : null
      if (!api) return // below 2.32.3 the platform shows its own consent
      const listener = (resolve: PrivacyResolve) => {
        stateOf(this).pendingPrivacy = resolve
        this.setData({ privacyOpen: true })
        resolve({ event: 'exposureAuthorization' })
      }
      // With the app's coordinator installed, it owns WeChat's one listener and routes the phone
      // button's triggers here; without it, register our own (which replaces any host listener).
      if (privacyCoordinatorInstalled()) stateOf(this).unregisterPrivacy = registerPhoneAuthPrivacy(listener)
      else api.onNeedPrivacyAuthorization(listener)
      api.getPrivacySetting({
        success: (res) => {
          if (!res.needAuthorization) return
          const privacyContractName = res.privacyContractName || this.data.privacyContractName
          const h = stateOf(this)
          h.consentPending = true
          this.syncOpenType()
          // Coupled: the phone button itself accepts the guide; say so next to it, with the link.
          if (usesCoupled(this.data.privacyMode as PrivacyMode, h)) this.setData({ consentNote: true, privacyContractName })
          else this.setData({ privacyOpen: true, privacyContractName })
        },
      })
    },

    /** `agreeprivacyauthorization` of the coupled phone button: consent is given, WeChat goes on to the phone sheet. */
    onCoupledAgree() {
      const h = stateOf(this)
      answerPrivacy(h, { event: 'agree', buttonId: PHONE_BUTTON_ID })
      this.setData({ consentNote: false, privacyOpen: false })
      this.consentGiven()
    },

    /** Consent is recorded: later taps need no coupling (if this tap's phone event never comes, the next plain tap works). */
    consentGiven() {
      const h = stateOf(this)
      h.consentPending = false
      // Deferred: the open-type must not change under the tap WeChat is still handling.
      setTimeout(() => this.syncOpenType(), 0)
    },

    onOpenContract() {
      const api = privacyApi()
      if (api) api.openPrivacyContract({})
    },

    /** Must be the `agreePrivacyAuthorization` button's event: a plain tap does not count (errno 104). */
    onAgreePrivacy() {
      const h = stateOf(this)
      answerPrivacy(h, { event: 'agree', buttonId: AGREE_BUTTON_ID })
      h.consentPending = false
      this.setData({ privacyOpen: false, ...CLEAR_MESSAGES, statusZh: '已同意隐私保护指引，请点击按钮获取手机号', statusEn: 'Privacy guide accepted: tap the button to share your number' })
    },

    onDisagreePrivacy() {
      const h = stateOf(this)
      answerPrivacy(h, { event: 'disagree' })
      h.declinedAt = Date.now()
      this.setData({ privacyOpen: false })
      this.showDenied('privacy-sheet', errorInfo('PRIVACY_NOT_AUTHORIZED'))
    },

    /** `getphonenumber` / `getrealtimephonenumber`. One event → at most one cloud call. */
    onPhone(e: { detail: unknown }) {
      // The raw detail: bindFromButton normalises the Skyline renderer's nested shape.
      void this.handleTap(() => Promise.resolve(e.detail as PhoneButtonDetail))
    },

    /**
     * Public: the API form, for hosts that offer `wx.getPhoneNumber` / `wx.getRealtimePhoneNumber`
     * without a button (minigames, AI-mode atomic interfaces). Call it from the page's tap handler.
     * Resolves when the outcome has been shown and emitted (`bound` / `denied` / `failed`).
     */
    requestByApi(): Promise<void> {
      if (!phoneApiAvailable()) {
        if (this.data.phase === 'idle') this.showFailure(null, errorInfo('NOT_SUPPORTED'))
        return Promise.resolve()
      }
      const realtime = this.data.realtime && stateOf(this).features.realtime
      return this.handleTap(async () => (await requestPhoneByApi(realtime)) ?? { errMsg: 'getPhoneNumber:fail not supported' })
    },

    async handleTap(detailOf: () => Promise<PhoneButtonDetail>) {
      const h = stateOf(this)
      if (h.inFlight || this.data.phase !== 'idle' || this.data.disabled) return
      h.inFlight = true
      this.setData({ busy: true, ...CLEAR_MESSAGES, statusZh: '正在验证手机号…', statusEn: 'Verifying your number…' })
      let attempt: BindAttempt
      try {
        attempt = await bindFromButton(await detailOf(), { features: h.features, legacy: this.data.legacy })
      } catch {
        attempt = { kind: 'failed', source: null, error: errorInfo('INTERNAL_ERROR') }
      }
      h.inFlight = false
      this.setData({ busy: false })
      this.present(attempt)
    },

    present(attempt: BindAttempt) {
      if (attempt.kind === 'bound') {
        clearTapCooldown() // a success forgives earlier cancels
        const { phone, change } = attempt.data
        const msg = boundMessage(phone.masked, change)
        // The button bound after all: an SMS form the user had opened is not needed any more.
        this.setData({ phase: 'bound', masked: phone.masked, statusZh: msg.zh, statusEn: msg.en, smsOffer: false, smsOpen: false })
        const detail: PhoneAuthBoundDetail = { source: attempt.source, phone, change }
        this.triggerEvent('bound', detail)
      } else if (attempt.kind === 'denied') {
        this.showDenied('phone-button', attempt.error)
        if (isAbandonedTap(attempt.error)) {
          const rest = recordAbandonedTap(Date.now(), cooldownSettings(this.data))
          if (rest > 0) this.enterCooldown(rest)
        }
      } else {
        this.showFailure(attempt.source, attempt.error)
      }
    },

    shouldReopenPrivacy(source: string | null, error: ErrorInfo): boolean {
      if (source === 'privacy-sheet') return false // the user just declined in our sheet
      if (error.code === 'PRIVACY_NOT_AUTHORIZED') {
        const h = stateOf(this)
        // 104 from the coupled button means this client did not couple (reported on 2.32.3 and
        // 3.0.0, community thread 000c0aef6246c0b106303eba461c00): fall back to our sheet.
        if (source === 'phone-button' && usesCoupled(this.data.privacyMode as PrivacyMode, h)) {
          h.coupledFailed = true
          this.syncOpenType()
          this.setData({ consentNote: false })
        }
        return h.features.privacy && Date.now() - h.declinedAt >= PRIVACY_LOCKOUT_MS
      }
      return this.data.privacyOpen
    },

    showDenied(source: PhoneAuthDeniedDetail['source'], error: ErrorInfo) {
      const next = NEXT_STEP_TEXT[nextStepFor(error)]
      if (source === 'phone-button') logFailure(error)
      // A refusal is not an error: polite status, no alert, and the button stays for a change of mind.
      this.setData({
        statusZh: error.message, statusEn: error.messageEn,
        errorZh: '', errorEn: '', nextZh: next.zh, nextEn: next.en,
        hint: this.data.debug ? developerHint(error) ?? '' : '',
        // errno 104 from the button: bring the consent sheet back so the next tap can succeed.
        privacyOpen: this.shouldReopenPrivacy(source, error),
        smsOffer: this.offersSms(error),
      })
      const detail: PhoneAuthDeniedDetail = { source, error }
      this.triggerEvent('denied', detail)
    },

    showFailure(source: PhoneAuthButtonFailedDetail['source'], error: ErrorInfo) {
      const nextStep = nextStepFor(error)
      const next = NEXT_STEP_TEXT[nextStep]
      logFailure(error)
      this.setData({
        statusZh: '', statusEn: '',
        errorZh: error.message, errorEn: error.messageEn,
        nextZh: next.zh, nextEn: next.en,
        hint: this.data.debug ? developerHint(error) ?? '' : '',
        privacyOpen: this.shouldReopenPrivacy(source, error),
        smsOffer: this.offersSms(error),
      })
      const detail: PhoneAuthButtonFailedDetail = { source, error, nextStep }
      this.triggerEvent('failed', detail)
    },

    /** Whether to offer 「短信验证」 after `error` (sms-verify/fallback.ts decides which outcomes). */
    offersSms(error: ErrorInfo): boolean {
      return this.data.smsFallback && offersSmsFallback(error, stateOf(this).features.cloud)
    },

    onOpenSms() {
      this.setData({ smsOpen: true })
    },

    /** sms-verify bound the number: the same `bound` event as the button's, so one page handler serves both. */
    onSmsBound(e: { detail: SmsVerifyBoundDetail }) {
      clearTapCooldown()
      const { phone, change } = e.detail
      const msg = boundMessage(phone.masked, change)
      this.setData({ phase: 'bound', masked: phone.masked, smsOffer: false, smsOpen: false, ...CLEAR_MESSAGES, statusZh: msg.zh, statusEn: msg.en })
      this.triggerEvent('bound', e.detail)
    },

    /**
     * sms-verify failed (a send or a verification): the page hears it as phone-auth's own `failed`,
     * so one handler sees every failure, with `source: 'sms'` and the form's `stage`. The form
     * already shows the reason and its next step; phone-auth's own message area is left alone.
     */
    onSmsFailed(e: { detail: SmsVerifyFailedDetail }) {
      const { stage, error, nextStep } = e.detail
      const detail: PhoneAuthSmsFailedDetail = { source: 'sms', stage, error, nextStep }
      this.triggerEvent('failed', detail)
    },
  },
})
