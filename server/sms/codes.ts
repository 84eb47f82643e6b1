/**
 * @module server/sms/codes — one-time SMS codes: made, kept hashed, checked.
 *
 * Why HMAC-SHA256 with a key outside the database, and not scrypt:
 * a code is 6 digits, 10^6 candidates. Whatever is stored in `sms_codes`, someone who reads that
 * collection (a leaked export, an over-broad console role) can try them all. With scrypt at
 * ~50 ms that is about 14 core-hours per code — slow, but a code only needs to be found within
 * its 5 minutes, and a GPU farm does it; meanwhile every verification would burn 50 ms of billed
 * function time. With an HMAC whose key is NOT in the database (derived from the SMS secret key,
 * or `PHONEBIND_SMS_CODE_KEY`, both function environment), the stored hash is useless without the
 * key, however fast the hash: the work factor is the key's 256 bits, not the code's 20. The
 * per-code random salt (also the code's identity, `nonce`) makes two equal codes hash apart and
 * binds each hash to one issue; the openid and number are in the message, so a hash cannot be
 * moved to another user or number. Comparison is constant-time.
 */
import { createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'

/** Digits of a code. Tencent Cloud's own verification templates use 4–6; 6 gives 10^6. */
export const CODE_DIGITS = 6

/** A uniformly random code, leading zeros kept (`crypto.randomInt`: no modulo bias). */
export function newCode(): string {
  return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0')
}

/** A fresh salt, hex; also the id of one issued code. */
export function newNonce(): string {
  return randomBytes(16).toString('hex')
}

/** The HMAC key, derived so the SMS secret key itself is never used for two purposes. */
function hmacKey(material: string): Buffer {
  return Buffer.from(hkdfSync('sha256', material, 'phonebind', 'sms-code-v1', 32))
}

export interface CodeSubject {
  openid: string
  e164: string
}

/** Hex HMAC of the code for this user, number and issue. */
export function hashCode(code: string, nonce: string, subject: CodeSubject, keyMaterial: string): string {
  return createHmac('sha256', hmacKey(keyMaterial)).update(`${nonce}\n${subject.openid}\n${subject.e164}\n${code}`).digest('hex')
}

/** Whether `code` is the one behind `stored`, in constant time. */
export function codeMatches(code: string, nonce: string, subject: CodeSubject, keyMaterial: string, stored: string): boolean {
  const actual = Buffer.from(hashCode(code, nonce, subject, keyMaterial), 'hex')
  const expected = Buffer.from(stored, 'hex')
  return expected.length === actual.length && timingSafeEqual(actual, expected)
}

/**
 * A keyed, stable stand-in for a number where only identity matters (the per-number counter's
 * `_id`): 128 bits of HMAC, so someone reading `sms_counters` cannot list who asked for codes —
 * unlike the number itself, which 11 digits make trivially enumerable from a plain hash.
 */
export function numberTag(e164: string, keyMaterial: string): string {
  return createHmac('sha256', hmacKey(keyMaterial)).update(`number\n${e164}`).digest('hex').slice(0, 32)
}
