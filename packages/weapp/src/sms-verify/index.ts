/**
 * sms-verify — the SMS fallback: a mainland number, 「发送验证码」 with the server's countdown, the
 * 6-digit code, and the same `bound` event as phone-auth (`source: 'sms'`). Business rules (limits,
 * attempts, expiry, binding) live in the `sendSmsCode` / `verifySmsCode` functions; this keeps one
 * request at a time, never resends a code by itself, and explains every answer.
 */
import type { ErrorInfo } from '../../../../core/contracts'
import { sendSmsCode, verifySmsCode } from '../services/sms'
import { boundMessage } from '../phone-auth/outcomes'
import { codeDigits, CODE_LENGTH, looksComplete, mainlandMobile } from './input'
import { INVALID_NUMBER_TEXT, sendLabel, sentMessage, smsDeveloperHint, smsNextStepFor, SMS_NEXT_STEP_TEXT } from './outcomes'
import { props } from './props'
import type { SmsVerifyBoundDetail, SmsVerifyFailedDetail, SmsVerifySentDetail } from './type'

/** Per-instance state kept out of setData: the in-flight latch, the number the code went to, the timer. */
interface Hidden {
  inFlight: boolean
  /** The national number the last code was sent to: verification always uses it, whatever the field shows now. */
  sentTo: string | null
  timer: ReturnType<typeof setInterval> | null
  /** When the resend button comes back (ms since epoch). */
  resendAt: number
}
const hidden = new WeakMap<object, Hidden>()

function stateOf(owner: object): Hidden {
  let h = hidden.get(owner)
  if (!h) {
    h = { inFlight: false, sentTo: null, timer: null, resendAt: 0 }
    hidden.set(owner, h)
  }
  return h
}

/** Logs a failure for the developer: the code and hint only, never the number or the code. */
function logFailure(stage: string, error: ErrorInfo): void {
  const hint = smsDeveloperHint(error)
  if (hint) console.warn(`[sms-verify] ${stage} ${error.code}: ${hint}`)
}

const CLEAR_MESSAGES = { statusZh: '', statusEn: '', errorZh: '', errorEn: '', nextZh: '', nextEn: '', hint: '' }

Component({
  externalClasses: ['sv-class', 'sv-class-input', 'sv-class-button', 'sv-class-status', 'sv-class-error'],
  properties: props,
  data: {
    /** phone (no code sent yet, or the number changed) | code (a code is on its way) | bound */
    phase: 'phone',
    phoneValue: '',
    code: '',
    sending: false,
    verifying: false,
    /** Seconds until a resend is allowed; 0 = allowed. */
    countdown: 0,
    sentBefore: false,
    canSend: false,
    canVerify: false,
    sendText: sendLabel(0, false),
    codeFocus: false,
    phoneErrorZh: '',
    phoneErrorEn: '',
    masked: '',
    ...CLEAR_MESSAGES,
  },
  observers: {
    /** The host's number pre-fills the field (and replaces it when the host changes it). */
    phone(phone: string) {
      if (phone && phone !== this.data.phoneValue) this.updatePhone(phone)
    },
    'phoneValue, code, sending, verifying, countdown, sentBefore, disabled, phase'() {
      const d = this.data
      const busy = d.sending || d.verifying || d.disabled
      this.setData({
        canSend: !busy && d.phase !== 'bound' && d.countdown === 0 && mainlandMobile(d.phoneValue) !== null,
        canVerify: !busy && d.phase === 'code' && d.code.length === CODE_LENGTH,
        sendText: sendLabel(d.countdown, d.sentBefore),
      })
    },
  },
  lifetimes: {
    attached() {
      if (this.data.phone && !this.data.phoneValue) this.updatePhone(this.data.phone)
    },
    detached() {
      this.stopCountdown()
    },
  },
  methods: {
    /** Public: back to an empty form (the countdown stays: the server's limits do not reset). */
    reset() {
      stateOf(this).sentTo = null
      this.setData({ phase: 'phone', phoneValue: '', code: '', masked: '', phoneErrorZh: '', phoneErrorEn: '', ...CLEAR_MESSAGES })
    },

    onPhoneInput(e: { detail: { value: string } }) {
      this.updatePhone(e.detail.value)
    },

    updatePhone(value: string) {
      const national = mainlandMobile(value)
      const invalid = national === null && looksComplete(value)
      const patch: Record<string, unknown> = {
        phoneValue: value,
        phoneErrorZh: invalid ? INVALID_NUMBER_TEXT.zh : '',
        phoneErrorEn: invalid ? INVALID_NUMBER_TEXT.en : '',
      }
      // A code belongs to the number it was sent to: a different number needs its own code.
      const h = stateOf(this)
      if (this.data.phase === 'code' && national !== h.sentTo) {
        h.sentTo = null
        Object.assign(patch, { phase: 'phone', code: '', ...CLEAR_MESSAGES })
      }
      this.setData(patch)
    },

    onCodeInput(e: { detail: { value: string } }) {
      const code = codeDigits(e.detail.value)
      this.setData({ code })
      if (code.length === CODE_LENGTH && this.data.autoSubmit) void this.onVerify()
    },

    /** 「发送验证码」 / 「重新发送」: one send at a time, only after the countdown, only for a valid number. */
    async onSend() {
      const h = stateOf(this)
      const d = this.data
      if (h.inFlight || d.disabled || d.phase === 'bound' || d.countdown > 0) return
      const national = mainlandMobile(d.phoneValue)
      if (!national) {
        this.setData({ phoneErrorZh: INVALID_NUMBER_TEXT.zh, phoneErrorEn: INVALID_NUMBER_TEXT.en })
        return
      }
      h.inFlight = true
      this.setData({ sending: true, ...CLEAR_MESSAGES, statusZh: '正在发送验证码…', statusEn: 'Sending the code…' })
      const res = await sendSmsCode(national)
      h.inFlight = false
      this.setData({ sending: false })
      if (!res.ok) {
        this.showFailure('send', res.error)
        return
      }
      const { maskedPhone, resendAfterSeconds, expiresInSeconds } = res.data
      h.sentTo = national
      const msg = sentMessage(maskedPhone, expiresInSeconds)
      this.setData({ phase: 'code', sentBefore: true, code: '', codeFocus: true, statusZh: msg.zh, statusEn: msg.en })
      this.startCountdown(resendAfterSeconds)
      const detail: SmsVerifySentDetail = { maskedPhone, resendAfterSeconds, expiresInSeconds }
      this.triggerEvent('sent', detail)
    },

    /** 「验证」 or the 6th digit: one verification per code typed; a refused code is never sent again. */
    async onVerify() {
      const h = stateOf(this)
      const d = this.data
      if (h.inFlight || d.disabled || d.phase !== 'code' || !h.sentTo || d.code.length !== CODE_LENGTH) return
      h.inFlight = true
      this.setData({ verifying: true, ...CLEAR_MESSAGES, statusZh: '正在验证…', statusEn: 'Verifying…' })
      const res = await verifySmsCode(h.sentTo, d.code)
      h.inFlight = false
      this.setData({ verifying: false })
      if (!res.ok) {
        // Clear the field: the same digits would fail the same way, and the user retypes or resends.
        this.setData({ code: '', codeFocus: true })
        this.showFailure('verify', res.error)
        return
      }
      const { phone, change } = res.data
      const msg = boundMessage(phone.masked, change)
      h.sentTo = null
      this.stopCountdown()
      this.setData({ phase: 'bound', masked: phone.masked, code: '', statusZh: msg.zh, statusEn: msg.en })
      const detail: SmsVerifyBoundDetail = { source: 'sms', phone, change }
      this.triggerEvent('bound', detail)
    },

    showFailure(stage: SmsVerifyFailedDetail['stage'], error: ErrorInfo) {
      const nextStep = smsNextStepFor(error)
      const next = SMS_NEXT_STEP_TEXT[nextStep]
      logFailure(stage, error)
      this.setData({
        statusZh: '', statusEn: '',
        errorZh: error.message, errorEn: error.messageEn,
        nextZh: next.zh, nextEn: next.en,
        hint: this.data.debug ? smsDeveloperHint(error) ?? '' : '',
      })
      // The server says how long to wait: the resend button counts it down instead of failing again.
      if (error.code === 'SMS_RATE_LIMITED' && typeof error.retryAfterSeconds === 'number') this.startCountdown(error.retryAfterSeconds)
      const detail: SmsVerifyFailedDetail = { stage, error, nextStep }
      this.triggerEvent('failed', detail)
    },

    startCountdown(seconds: number) {
      const h = stateOf(this)
      this.stopCountdown()
      if (!(seconds > 0)) return
      // From a deadline, not by counting ticks: timers are throttled while the app is in the background.
      h.resendAt = Date.now() + Math.ceil(seconds) * 1000
      this.setData({ countdown: Math.ceil(seconds) })
      h.timer = setInterval(() => {
        const left = Math.max(0, Math.ceil((h.resendAt - Date.now()) / 1000))
        if (left === 0) this.stopCountdown()
        else if (left !== this.data.countdown) this.setData({ countdown: left })
      }, 1000)
    },

    stopCountdown() {
      const h = stateOf(this)
      if (h.timer !== null) clearInterval(h.timer)
      h.timer = null
      if (this.data.countdown !== 0) this.setData({ countdown: 0 })
    },
  },
})
