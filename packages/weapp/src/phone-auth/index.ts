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
import { bindFromButton } from '../services/phoneBinding'
import { privacyCoordinatorInstalled, registerPhoneAuthPrivacy } from '../services/privacy'
import type { BindAttempt } from '../services/phoneBinding'
import type { PhoneButtonDetail, PrivacyResolve } from '../types/wechat'
import { boundMessage, developerHint, nextStepFor, NEXT_STEP_TEXT } from './outcomes'
import { props } from './props'
import type { PhoneAuthBoundDetail, PhoneAuthDeniedDetail, PhoneAuthFailedDetail } from './type'

/** Per-instance state that must not go through setData (functions, and the in-flight latch). */
interface Hidden {
  features: PhoneFeatures
  inFlight: boolean
  pendingPrivacy: PrivacyResolve | null
  /** When the user last declined in our sheet (ms), to respect WeChat's ~10 s lock-out. */
  declinedAt: number
  /** Unregisters from the app's privacy coordinator (null when we own the listener or none). */
  unregisterPrivacy: (() => void) | null
}
const hidden = new WeakMap<object, Hidden>()
const AGREE_BUTTON_ID = 'phone-auth-privacy-agree'
/** After a refusal WeChat fails privacy calls at once for about 10 s; do not nag during it. */
const PRIVACY_LOCKOUT_MS = 10_000

function stateOf(owner: object): Hidden {
  let h = hidden.get(owner)
  if (!h) {
    h = { features: phoneFeatures(), inFlight: false, pendingPrivacy: null, declinedAt: 0, unregisterPrivacy: null }
    hidden.set(owner, h)
  }
  return h
}

/** `getRealtimePhoneNumber` only where the base library has it (≥ 2.24.4); otherwise the quick check. */
function openTypeFor(realtime: boolean, features: PhoneFeatures): string {
  return realtime && features.realtime ? 'getRealtimePhoneNumber' : 'getPhoneNumber'
}

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
    /** idle | bound | unsupported */
    phase: 'idle',
    privacyOpen: false,
    privacyContractName: '《用户隐私保护指引》',
    masked: '',
    statusZh: '',
    statusEn: '',
    errorZh: '',
    errorEn: '',
    nextZh: '',
    nextEn: '',
    hint: '',
  },
  observers: {
    realtime(realtime: boolean) {
      this.setData({ openType: openTypeFor(realtime, stateOf(this).features) })
    },
  },
  lifetimes: {
    attached() {
      const h = stateOf(this)
      h.features = phoneFeatures()
      this.setData({ openType: openTypeFor(this.data.realtime, h.features) })
      if (!this.checkSupport()) return
      this.watchPrivacy()
    },
    detached() {
      // WeChat keeps only the last listener; answer a pending request so the platform is not left waiting.
      const h = stateOf(this)
      if (h.unregisterPrivacy) h.unregisterPrivacy()
      h.unregisterPrivacy = null
      if (h.pendingPrivacy) h.pendingPrivacy({ event: 'disagree' })
      h.pendingPrivacy = null
    },
  },
  methods: {
    /** Public: back to the idle button, e.g. when the page lets the user change the number. */
    reset() {
      stateOf(this).inFlight = false
      this.setData({ phase: 'idle', busy: false, masked: '', statusZh: '', statusEn: '', errorZh: '', errorEn: '', nextZh: '', nextEn: '', hint: '' })
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
          this.setData({ privacyOpen: true, privacyContractName: res.privacyContractName || this.data.privacyContractName })
        },
      })
    },

    onOpenContract() {
      const api = privacyApi()
      if (api) api.openPrivacyContract({})
    },

    /** Must be the `agreePrivacyAuthorization` button's event: a plain tap does not count (errno 104). */
    onAgreePrivacy() {
      const h = stateOf(this)
      if (h.pendingPrivacy) h.pendingPrivacy({ event: 'agree', buttonId: AGREE_BUTTON_ID })
      h.pendingPrivacy = null
      this.setData({ privacyOpen: false, errorZh: '', errorEn: '', nextZh: '', nextEn: '', hint: '', statusZh: '已同意隐私保护指引，请点击按钮获取手机号', statusEn: 'Privacy guide accepted: tap the button to share your number' })
    },

    onDisagreePrivacy() {
      const h = stateOf(this)
      if (h.pendingPrivacy) h.pendingPrivacy({ event: 'disagree' })
      h.pendingPrivacy = null
      h.declinedAt = Date.now()
      this.setData({ privacyOpen: false })
      this.showDenied('privacy-sheet', errorInfo('PRIVACY_NOT_AUTHORIZED'))
    },

    /** `getphonenumber` / `getrealtimephonenumber`. One event → at most one cloud call. */
    async onPhone(e: { detail: PhoneButtonDetail }) {
      const h = stateOf(this)
      if (h.inFlight || this.data.phase !== 'idle' || this.data.disabled) return
      h.inFlight = true
      this.setData({ busy: true, statusZh: '正在验证手机号…', statusEn: 'Verifying your number…', errorZh: '', errorEn: '', nextZh: '', nextEn: '', hint: '' })
      let attempt: BindAttempt
      try {
        attempt = await bindFromButton(e.detail || { errMsg: '' }, { features: h.features, legacy: this.data.legacy })
      } catch {
        attempt = { kind: 'failed', source: null, error: errorInfo('INTERNAL_ERROR') }
      }
      h.inFlight = false
      this.setData({ busy: false })
      this.present(attempt)
    },

    present(attempt: BindAttempt) {
      if (attempt.kind === 'bound') {
        const { phone, change } = attempt.data
        const msg = boundMessage(phone.masked, change)
        this.setData({ phase: 'bound', masked: phone.masked, statusZh: msg.zh, statusEn: msg.en })
        const detail: PhoneAuthBoundDetail = { source: attempt.source, phone, change }
        this.triggerEvent('bound', detail)
      } else if (attempt.kind === 'denied') {
        this.showDenied('phone-button', attempt.error)
      } else {
        this.showFailure(attempt.source, attempt.error)
      }
    },

    shouldReopenPrivacy(source: string | null, error: ErrorInfo): boolean {
      if (source === 'privacy-sheet') return false // the user just declined in our sheet
      if (error.code === 'PRIVACY_NOT_AUTHORIZED') {
        const h = stateOf(this)
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
      })
      const detail: PhoneAuthDeniedDetail = { source, error }
      this.triggerEvent('denied', detail)
    },

    showFailure(source: PhoneAuthFailedDetail['source'], error: ErrorInfo) {
      const nextStep = nextStepFor(error)
      const next = NEXT_STEP_TEXT[nextStep]
      logFailure(error)
      this.setData({
        statusZh: '', statusEn: '',
        errorZh: error.message, errorEn: error.messageEn,
        nextZh: next.zh, nextEn: next.en,
        hint: this.data.debug ? developerHint(error) ?? '' : '',
        privacyOpen: this.shouldReopenPrivacy(source, error),
      })
      const detail: PhoneAuthFailedDetail = { source, error, nextStep }
      this.triggerEvent('failed', detail)
    },
  },
})
