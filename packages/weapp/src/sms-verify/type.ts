/**
 * @module sms-verify/type — the SMS fallback component's public surface: properties and event
 * details. Type-only, like phone-auth/type.ts: nothing here reaches the package at runtime.
 */
import type { ErrorInfo } from '../../../../core/contracts'
import type { PhoneAuthBoundDetail } from '../phone-auth/type'

/** What the user (or developer) should do next after an SMS step failed. */
export type SmsNextStep =
  /** The number is not a mainland mobile number: correct it. */
  | 'fix-number'
  /** The code was wrong or no longer valid: type it again or request a new one. */
  | 'retype-code'
  /** This code is dead (too many wrong tries): request a new one. */
  | 'new-code'
  /** Sent too often: wait for the countdown, then resend. */
  | 'wait'
  /** Today's messages for this number or user are used up. */
  | 'try-tomorrow'
  /** A transient failure (network, SMS delivery): try again. */
  | 'retry'
  /** Nothing the user can do here (e.g. the number belongs to another account). */
  | 'contact-operator'
  /** A configuration problem only the developer can fix (see `hint`). */
  | 'developer-fix'

/** `bind:bound` — exactly phone-auth's payload, with `source: 'sms'`, so one page handler serves both. */
export type SmsVerifyBoundDetail = PhoneAuthBoundDetail

/** `bind:sent` — a code is on its way. Never the number itself, never the code. */
export interface SmsVerifySentDetail {
  /** e.g. `138****8000`, as the server masked it. */
  maskedPhone: string
  /** Seconds until the resend button comes back (the server's `resendAfterSeconds`). */
  resendAfterSeconds: number
  expiresInSeconds: number
}

/** `bind:failed` — a send or a verification failed. */
export interface SmsVerifyFailedDetail {
  stage: 'send' | 'verify'
  error: ErrorInfo
  nextStep: SmsNextStep
}

/** Properties; the defaults live in props.ts (the README and these tags are checked against it). */
export interface SmsVerifyProps {
  /** A number to start with, e.g. the one the user typed elsewhere. @default '' */
  phone: string
  /** Verify as soon as the 6th digit is typed. @default true */
  autoSubmit: boolean
  /** Show developer configuration hints in the UI (they are always logged). @default false */
  debug: boolean
  /** Disable sending and verifying from the host page. @default false */
  disabled: boolean
}
