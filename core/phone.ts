/**
 * @module phone — turn WeChat's phone info into one normalised record, mask it, and derive the
 * uniqueness key of the `phone_index` collection. Pure TS (no Node APIs): shared with the
 * mini program.
 */
import type { Result } from './contracts'
import { fail, ok } from './errors'

/** A plausible phone number in every form phonebind stores or shows. */
export interface PhoneRecord {
  /** `+{countryCode}{purePhoneNumber}`, e.g. `+8613800138000`. */
  e164: string
  /** National number without country code, digits only. */
  purePhoneNumber: string
  /** Country calling code, digits only, e.g. `86`. */
  countryCode: string
  /** Safe to show and log, e.g. `138****0000`. */
  masked: string
}

const MAX_E164_DIGITS = 15 // ITU-T E.164
const CN = '86'

/**
 * Parses `{ phoneNumber?, purePhoneNumber, countryCode }` as returned by all three paths
 * (code: `phoneInfo`, cloudID: `data`, legacy: the decrypted object).
 *
 * E.164 is built from `countryCode` + `purePhoneNumber`: the format of `phoneNumber` for
 * foreign numbers is undocumented. `phoneNumber`, when present, must still agree (its
 * digits end with the pure number) — a cheap guard against mixed-up or tampered fields.
 */
export function normalisePhone(info: unknown): Result<PhoneRecord> {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) return fail('PHONE_INVALID')
  const { phoneNumber, purePhoneNumber, countryCode } = info as Record<string, unknown>

  const cc = normaliseCountryCode(countryCode)
  if (cc === null) return fail('PHONE_INVALID', { field: 'countryCode' })

  if (typeof purePhoneNumber !== 'string' || !/^[0-9]{4,14}$/.test(purePhoneNumber)) {
    return fail('PHONE_INVALID', { field: 'purePhoneNumber' })
  }
  const pure = purePhoneNumber
  if (cc.length + pure.length > MAX_E164_DIGITS) return fail('PHONE_INVALID', { field: 'purePhoneNumber' })
  // Mainland China: WeChat binds mobile numbers only, always 11 digits starting with 1.
  if (cc === CN && !/^1[0-9]{10}$/.test(pure)) return fail('PHONE_INVALID', { field: 'purePhoneNumber' })

  if (phoneNumber !== undefined) {
    if (typeof phoneNumber !== 'string' || !phoneNumber.replace(/[^0-9]/g, '').endsWith(pure)) {
      return fail('PHONE_INVALID', { field: 'phoneNumber' })
    }
  }

  return ok({ e164: `+${cc}${pure}`, purePhoneNumber: pure, countryCode: cc, masked: maskPhone(pure, cc) })
}

/** `86`, `"86"` and `"+86"` → `"86"`; `null` when not 1–3 digits without a leading 0. */
function normaliseCountryCode(value: unknown): string | null {
  let s: string
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return null
    s = String(value)
  } else if (typeof value === 'string') {
    s = value.startsWith('+') ? value.slice(1) : value
  } else return null
  return /^[1-9][0-9]{0,2}$/.test(s) ? s : null
}

/**
 * Masks a national number for display and logs. CN mobiles: `138****0000`. Others keep a
 * short head and tail (2–3 and 2–4 digits) so the user recognises the number while at least
 * a third of the digits stay hidden; very short numbers show one digit each side.
 */
export function maskPhone(pure: string, countryCode: string): string {
  const n = pure.length
  if (countryCode === CN && n === 11) return `${pure.slice(0, 3)}****${pure.slice(7)}`
  let head: number
  let tail: number
  if (n >= 11) [head, tail] = [3, 4]
  else if (n === 10) [head, tail] = [3, 3]
  else if (n >= 8) [head, tail] = [2, 3]
  else if (n >= 6) [head, tail] = [2, 2]
  else if (n >= 3) [head, tail] = [1, 1]
  else return '*'.repeat(n)
  return pure.slice(0, head) + '*'.repeat(n - head - tail) + pure.slice(n - tail)
}

/**
 * The `_id` of a number's `phone_index` document: `p` + the E.164 digits, e.g.
 * `p8613800138000`.
 *
 * - one per number: E.164 is canonical and country codes are prefix-free, so the digits
 *   alone identify the number (`+86 138…` and `+8 6138…` cannot both be valid);
 * - deterministic and readable, so an operator can find a number's owner;
 * - only `[a-z0-9]`, valid as a CloudBase `_id` and in any URL or log field;
 * - it IS the phone number: never log it (log `masked`). A hash would not hide it either —
 *   11-digit numbers are trivially enumerable — so we do not pretend.
 */
export function phoneIndexId(e164: string): string {
  if (typeof e164 !== 'string' || !/^\+[1-9][0-9]{4,14}$/.test(e164)) {
    throw new TypeError('phoneIndexId: expected an E.164 number from normalisePhone')
  }
  return 'p' + e164.slice(1)
}

/**
 * A mainland mobile number as a user types it for SMS verification — `13800138000`,
 * `+86 138 0013 8000`, `86-138-0013-8000` — as a record, or null. Spaces and dashes are
 * separators people type; anything else (letters, a `+` elsewhere, other country codes) is
 * refused rather than guessed. Only mainland numbers: the SMS template and sign phonebind
 * configures are mainland ones (国内短信), and international SMS needs its own templates.
 */
export function parseMainlandMobile(input: string): PhoneRecord | null {
  if (typeof input !== 'string' || input.length > 32) return null
  const compact = input.trim().replace(/[ -]/g, '')
  const m = /^(?:\+86|86)?(1[0-9]{10})$/.exec(compact)
  if (!m) return null
  const pure = m[1]!
  return { e164: `+${CN}${pure}`, purePhoneNumber: pure, countryCode: CN, masked: maskPhone(pure, CN) }
}
