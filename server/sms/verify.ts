/**
 * @module server/sms/verify — whether a code entered for a number is the caller's live code,
 * with every attempt counted BEFORE the comparison.
 *
 * The order is the defence: the attempt is claimed by a conditional update (attempts < max, in
 * the database, atomic), and only a claimed attempt is compared. Comparing first and counting
 * after would let N concurrent requests each read "0 attempts so far" and compare N guesses.
 * A correct code is then consumed by `used: false → true`, which one request alone wins.
 */
import { codeMatches } from './codes'
import type { CodeStore } from './store'

export type VerifyOutcome =
  | { ok: true }
  /** `why` is for the log only: the client gets one answer for all of them. */
  | { ok: false; code: 'SMS_CODE_INVALID'; why: 'none' | 'used' | 'expired' | 'wrong' | 'raced' }
  | { ok: false; code: 'SMS_TOO_MANY_ATTEMPTS' }

export interface VerifyInput {
  openid: string
  e164: string
  code: string
  now: Date
  maxAttempts: number
  codeKey: string
}

/** `matches` is the comparison (injectable so a test can count comparisons). */
export async function verifyCode(codes: CodeStore, v: VerifyInput, matches: typeof codeMatches = codeMatches): Promise<VerifyOutcome> {
  const stored = await codes.read(v.openid)
  if (!stored) return { ok: false, code: 'SMS_CODE_INVALID', why: 'none' }
  if (stored.used) return { ok: false, code: 'SMS_CODE_INVALID', why: 'used' }
  if (stored.attempts >= v.maxAttempts) return { ok: false, code: 'SMS_TOO_MANY_ATTEMPTS' }
  if (stored.expiresAt.getTime() <= v.now.getTime()) return { ok: false, code: 'SMS_CODE_INVALID', why: 'expired' }
  if (!(await codes.claimAttempt(v.openid, stored.nonce, v.maxAttempts))) {
    const again = await codes.read(v.openid)
    const exhausted = again !== null && again.nonce === stored.nonce && !again.used && again.attempts >= v.maxAttempts
    return exhausted ? { ok: false, code: 'SMS_TOO_MANY_ATTEMPTS' } : { ok: false, code: 'SMS_CODE_INVALID', why: 'raced' }
  }
  if (!matches(v.code, stored.nonce, { openid: v.openid, e164: v.e164 }, v.codeKey, stored.hash)) {
    // This claim made at least attempts + 1 (others may have claimed meanwhile): dead at max.
    return stored.attempts + 1 >= v.maxAttempts ? { ok: false, code: 'SMS_TOO_MANY_ATTEMPTS' } : { ok: false, code: 'SMS_CODE_INVALID', why: 'wrong' }
  }
  if (!(await codes.consume(v.openid, stored.nonce, v.now))) return { ok: false, code: 'SMS_CODE_INVALID', why: 'raced' }
  return { ok: true }
}
