/**
 * @module server/sms/sender — the seam between phonebind's SMS rules and whoever delivers the
 * text. phonebind decides the code, the limits and the binding; a sender only delivers, and says
 * in phonebind's words why it could not. Tencent Cloud SMS is the first adapter (./tencent.ts);
 * another provider is one more class with this shape.
 */

/** One verification text to deliver. */
export interface SmsMessage {
  /** `+86…`, from core/phone. */
  e164: string
  code: string
  /** Validity, for templates that say 「{2}分钟内有效」. */
  ttlMinutes: number
}

/** Why a provider did not deliver, in phonebind's words. */
export type SendFailureReason =
  /** The provider's per-number frequency limit (seconds / hour). */
  | 'rate-limited'
  /** A daily limit of the provider (per number, per app). */
  | 'daily-limit'
  /** The provider refused the number itself. */
  | 'invalid-number'
  /** Anything else: configuration (template, sign, credentials), network, provider outage. */
  | 'failed'

export type SendOutcome =
  | { ok: true; serialNo?: string }
  /** `providerCode`: the provider's own code (e.g. `FailedOperation.TemplateIncorrectOrUnapproved`), for the log. */
  | { ok: false; reason: SendFailureReason; providerCode: string }

export interface SmsSender {
  send(message: SmsMessage): Promise<SendOutcome>
}
