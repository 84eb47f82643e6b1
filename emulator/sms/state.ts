/**
 * @module emulator/sms/state — the simulated Tencent Cloud SMS account: its API key, SdkAppId,
 * approved sign and template, what each number received (the inbox), the sends its frequency
 * rules count, and the faults a test or the console injects. Kept in memory: a restart empties
 * the inboxes (texts are not data a developer needs to survive a restart).
 */
import { randomBytes } from 'node:crypto'
import type { Clock } from '../types'

/** One text as the phone received it. */
export interface InboxMessage {
  /** `+8613800138000` */
  phone: string
  /** What the phone shows: 【sign】 + the template with its parameters. */
  text: string
  sign: string
  templateId: string
  params: string[]
  serialNo: string
  /** ms */
  at: number
}

/** What goes wrong on purpose, until switched off. */
export interface SmsFaults {
  /** SendSms answers the number's status `InternalError.OtherError`: nothing is sent. */
  sendFailure: boolean
  /** SendSms answers `Ok`, but the text never arrives (a carrier loss; the receipt would say so). */
  lostInDelivery: boolean
  /** Every send hits `LimitExceeded.PhoneNumberThirtySecondLimit`, whatever the timing. */
  rateLimit: boolean
}

/** The account's settings; what the emulator gives functions as PHONEBIND_SMS_*. */
export interface SmsAccount {
  secretId: string
  secretKey: string
  sdkAppId: string
  region: string
  sign: string
  templateId: string
  /** 「您的验证码为{1}，{2}分钟内有效…」: `{n}` are TemplateParamSet entries, 1-based. */
  template: string
}

/**
 * Tencent Cloud's default frequency policy per number (https://cloud.tencent.com/developer/techpedia/1295/8938,
 * 「短信默认的频率限制」): one text with the same content per 30 s, 10 per 自然日. The hourly limit
 * (LimitExceeded.PhoneNumberOneHourLimit) exists but its default is not documented: 5 is a GUESS.
 * "Same content" is read as "same template": a verification text differs by its code every time,
 * and the 30-second rule is what stops code bombing — also a guess about the real behaviour.
 */
export const TENCENT_DEFAULT_LIMITS = { thirtySeconds: 1, perHour: 5, perDay: 10 } as const

const MAX_INBOX = 50

export class SmsState {
  readonly account: SmsAccount
  readonly faults: SmsFaults = { sendFailure: false, lostInDelivery: false, rateLimit: false }
  private readonly inboxes = new Map<string, InboxMessage[]>()
  /** Send times per `phone|templateId`, for the frequency rules. */
  private readonly sends = new Map<string, number[]>()

  constructor(readonly clock: Clock) {
    this.account = {
      // A fresh key pair per emulator: only the functions it starts are given it.
      secretId: `AKIDlocal${randomBytes(12).toString('hex')}`,
      secretKey: randomBytes(16).toString('hex'),
      sdkAppId: '1400000000',
      region: 'ap-guangzhou',
      sign: 'phonebind',
      templateId: '100001',
      template: '您的验证码为{1}，{2}分钟内有效。如非本人操作，请忽略本短信。',
    }
  }

  /** The texts `phone` received, newest first. */
  inbox(phone: string): InboxMessage[] {
    return [...(this.inboxes.get(phone) ?? [])].reverse()
  }

  /** Every text, newest first. */
  allMessages(): InboxMessage[] {
    return [...this.inboxes.values()].flat().sort((a, b) => b.at - a.at)
  }

  deliver(message: InboxMessage): void {
    const list = this.inboxes.get(message.phone) ?? []
    list.push(message)
    if (list.length > MAX_INBOX) list.shift()
    this.inboxes.set(message.phone, list)
  }

  /** The frequency rule a send to `phone` with `templateId` breaks now, or undefined (and the send is counted). */
  countSend(phone: string, templateId: string): string | undefined {
    const now = this.clock.now()
    const key = `${phone}|${templateId}`
    const dayStart = chinaDayStart(now)
    const times = (this.sends.get(key) ?? []).filter((t) => t >= dayStart)
    if (times.filter((t) => t > now - 30_000).length >= TENCENT_DEFAULT_LIMITS.thirtySeconds) return 'LimitExceeded.PhoneNumberThirtySecondLimit'
    if (times.filter((t) => t > now - 3600_000).length >= TENCENT_DEFAULT_LIMITS.perHour) return 'LimitExceeded.PhoneNumberOneHourLimit'
    if (times.length >= TENCENT_DEFAULT_LIMITS.perDay) return 'LimitExceeded.PhoneNumberDailyLimit'
    times.push(now)
    this.sends.set(key, times)
    return undefined
  }

  setFaults(change: Partial<SmsFaults>): SmsFaults {
    for (const k of Object.keys(this.faults) as Array<keyof SmsFaults>) if (typeof change[k] === 'boolean') this.faults[k] = change[k]!
    return { ...this.faults }
  }

  /** Empties inboxes and frequency counters, clears faults (the console's Reset). */
  reset(): void {
    this.inboxes.clear()
    this.sends.clear()
    this.setFaults({ sendFailure: false, lostInDelivery: false, rateLimit: false })
  }
}

/** Start (ms) of the China day (UTC+8) containing `ms`: Tencent Cloud counts per 自然日 in Beijing time. */
function chinaDayStart(ms: number): number {
  const offset = 8 * 3600_000
  return Math.floor((ms + offset) / 86_400_000) * 86_400_000 - offset
}
