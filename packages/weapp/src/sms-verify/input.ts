/**
 * @module sms-verify/input — what the user typed, read as the SMS contract wants it: a mainland
 * mobile number (11 digits, `1` then `3`–`9`; an optional `+86` / `86` / `0086` prefix, spaces and
 * dashes are dropped) and a 6-digit code. The server checks both again; this only spares the
 * user a paid round trip for an obvious typo.
 */

/** Digits of a code as typed or pasted (a pasted SMS line may carry spaces), at most 6. */
export const CODE_LENGTH = 6

const MAINLAND_MOBILE = /^1[3-9][0-9]{9}$/

/** The 11 national digits, or null when this is not a mainland mobile number. */
export function mainlandMobile(raw: string): string | null {
  let s = String(raw).replace(/[\s-]/g, '')
  if (s.startsWith('+86')) s = s.slice(3)
  else if (s.startsWith('0086')) s = s.slice(4)
  else if (s.length === 13 && s.startsWith('86')) s = s.slice(2)
  return MAINLAND_MOBILE.test(s) ? s : null
}

/** Whether the input is long enough to judge: a number still being typed is not an error yet. */
export function looksComplete(raw: string): boolean {
  return String(raw).replace(/[^0-9]/g, '').length >= 11
}

/** The code as the server wants it: digits only, never more than 6. */
export function codeDigits(raw: string): string {
  return String(raw).replace(/[^0-9]/g, '').slice(0, CODE_LENGTH)
}
