/**
 * @module phone-auth/type — the component's public surface: property types and event details.
 * Pages import these as types only (`import type`), so nothing here reaches the package at runtime.
 */
import type { BindChange, ErrorInfo, PhoneSource, PhoneView } from '../../../../core/contracts'
import type { SmsNextStep, SmsVerifyFailedDetail } from '../sms-verify/type'

/** What the user (or developer) should do next after a failure. */
export type NextStep =
  /** Tap the phone button again: a fresh tap brings a fresh single-use code. */
  | 'tap-again'
  /** Agree to the privacy guide in the sheet, then tap again. */
  | 'agree-privacy'
  /** Use another way to verify the number (manual entry, SMS): the user said no. */
  | 'other-method'
  /** Nothing the user can do here: contact the mini program operator / support. */
  | 'contact-operator'
  /** Update WeChat: this base library cannot deliver the number. */
  | 'update-wechat'
  /** A configuration problem only the developer can fix (see `hint`). */
  | 'developer-fix'

/** `bind:bound` — the number is bound to the current user. */
export interface PhoneAuthBoundDetail {
  source: PhoneSource
  /** Masked only, unless the function opted in to the full number. */
  phone: PhoneView
  change: BindChange
}

/** `bind:denied` — the user declined the phone sheet or the privacy guide. Not an error. */
export interface PhoneAuthDeniedDetail {
  source: 'phone-button' | 'privacy-sheet'
  error: ErrorInfo
}

/** The paths a phone-button event can take ('sms' is the SMS form's, never the button's). */
export type ButtonSource = Exclude<PhoneSource, 'sms'>

/** `bind:failed` from the phone button — `source` is the path tried, or null when no path started. */
export interface PhoneAuthButtonFailedDetail {
  source: ButtonSource | null
  error: ErrorInfo
  nextStep: NextStep
}

/** `bind:failed` forwarded from the SMS form (sms-verify's own `failed`): `stage` says which request failed. */
export interface PhoneAuthSmsFailedDetail {
  source: 'sms'
  stage: SmsVerifyFailedDetail['stage']
  error: ErrorInfo
  nextStep: SmsNextStep
}

/**
 * `bind:failed` — anything else, from either path: one page handler hears both, and tells them
 * apart by `source` (`'sms'` = the SMS form, with its `stage`; otherwise the button's path).
 */
export type PhoneAuthFailedDetail = PhoneAuthButtonFailedDetail | PhoneAuthSmsFailedDetail

/** Properties; the defaults live in props.ts (the README and these tags are checked against it). */
export interface PhoneAuthProps {
  /** Use `open-type="getRealtimePhoneNumber"` (real-time check, ¥0.04) where supported (≥ 2.24.4). @default false */
  realtime: boolean
  /** Button text. @default '手机号快捷验证 / Verify with WeChat phone' */
  text: string
  /** Accessible label of the phone button. @default '使用微信手机号 / Use WeChat phone number' */
  buttonLabel: string
  /** Accept the legacy `encryptedData` path. @default false */
  legacy: boolean
  /** Show developer configuration hints in the UI (they are always logged). @default false */
  debug: boolean
  /** Disable the button from the host page. @default false */
  disabled: boolean
  /**
   * How consent is asked (base library ≥ 2.32.3): `auto` = the one-tap coupled button
   * (`getPhoneNumber|agreePrivacyAuthorization`) where the base library is ≥ 2.33.1, else our sheet;
   * `coupled` / `sheet` force one (`coupled` still needs the privacy APIs, ≥ 2.32.3).
   * @default 'auto' */
  privacyMode: PrivacyMode
  /** The page is changing the number: show the button even though the user is already bound. @default false */
  changeNumber: boolean
  /** Cancelled phone taps (within `cooldownWindow`) that make the button rest; 0 = never. @default 3 */
  cooldownAfter: number
  /** Window in seconds in which the cancelled taps count. @default 600 */
  cooldownWindow: number
  /** How long in seconds the button rests (kept in storage across page loads). @default 300 */
  cooldownSeconds: number
  /** Offer 「短信验证」 (the sms-verify component) when the button cannot be used. @default true */
  smsFallback: boolean
}

/** See `PhoneAuthProps.privacyMode`. */
export type PrivacyMode = 'auto' | 'coupled' | 'sheet'
