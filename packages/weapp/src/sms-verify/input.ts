/**
 * @module sms-verify/input — what the user typed, read as the SMS functions read it: the number
 * by the server's own parser (core/phone.ts `parseMainlandMobile`: 11 digits starting with 1, an
 * optional `+86` / `86`, spaces and dashes dropped), so the form never refuses what the server
 * would take or sends what it would refuse; and a 6-digit code. This only spares the user a paid
 * round trip for an obvious typo: the functions check both again.
 */
import { parseMainlandMobile } from '../../../../core/phone'

export const CODE_LENGTH = 6

/** The 11 national digits, or null when this is not a mainland mobile number. */
export function mainlandMobile(raw: string): string | null {
  const phone = parseMainlandMobile(String(raw))
  return phone ? phone.purePhoneNumber : null
}

/** Whether the input is long enough to judge: a number still being typed is not an error yet. */
export function looksComplete(raw: string): boolean {
  return String(raw).replace(/[^0-9]/g, '').length >= 11
}

/** The code as the server wants it: digits only (a pasted SMS line may carry spaces), at most 6. */
export function codeDigits(raw: string): string {
  return String(raw).replace(/[^0-9]/g, '').slice(0, CODE_LENGTH)
}
