/**
 * @module server/sms/limits — whether one more code may be sent, decided on counters read in
 * the sending transaction. Pure: the store reads and writes, this decides.
 *
 * Days are China days (UTC+8, no DST): Tencent Cloud's daily limits count per 自然日, and its
 * users' "tomorrow" starts at midnight Beijing time. Limits per number keep the send times of
 * the day; the rolling hour and the resend interval look only at today's sends, so just after
 * midnight a number may get a code sooner than the interval — bounded by the daily limit, and
 * by Tencent Cloud's own 30-second rule behind ours.
 */
import type { SmsLimits } from './config'

/**
 * What one send is checked against in the transaction. The mini program's daily total is not here:
 * every send would write it, so it is taken outside the transaction by one atomic conditional
 * increment (./store.ts takeAppSend), where concurrent sends do not collide.
 */
export interface SendCounters {
  /** Send times (ms) to this number today. */
  phoneSends: number[]
  /** Codes this user requested today. */
  userCount: number
}

export type LimitVerdict =
  | { ok: true }
  | { ok: false; code: 'SMS_RATE_LIMITED'; retryAfterSeconds: number }
  | { ok: false; code: 'SMS_DAILY_LIMIT'; which: 'phone' | 'user' | 'app' }

const HOUR_MS = 3600_000
const CHINA_OFFSET_MS = 8 * HOUR_MS

/** `2026-12-04`, the China date of `at`. */
export function chinaDay(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10)
}

/** Daily limits first (they say "tomorrow"), then the interval and the hour (they say "in N s"). */
export function checkSendLimits(c: SendCounters, now: number, limits: SmsLimits): LimitVerdict {
  if (c.phoneSends.length >= limits.perPhonePerDay) return { ok: false, code: 'SMS_DAILY_LIMIT', which: 'phone' }
  if (c.userCount >= limits.perUserPerDay) return { ok: false, code: 'SMS_DAILY_LIMIT', which: 'user' }
  const last = Math.max(0, ...c.phoneSends)
  const nextByInterval = last + limits.resendSeconds * 1000
  if (now < nextByInterval) return { ok: false, code: 'SMS_RATE_LIMITED', retryAfterSeconds: Math.ceil((nextByInterval - now) / 1000) }
  const inHour = c.phoneSends.filter((t) => t > now - HOUR_MS)
  if (inHour.length >= limits.perPhonePerHour) {
    const frees = Math.min(...inHour) + HOUR_MS
    return { ok: false, code: 'SMS_RATE_LIMITED', retryAfterSeconds: Math.max(1, Math.ceil((frees - now) / 1000)) }
  }
  return { ok: true }
}
