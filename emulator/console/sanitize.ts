/**
 * @module emulator/console/sanitize — what the console may show of a stored document.
 *
 * Secrets (`session_key`, anything named like a secret) are replaced on the server, so they
 * never reach the page, not even with `?reveal=1`. Phone numbers are masked unless the
 * developer asked to reveal them. `phone_index` ids ARE phone numbers (`p8613800138000`,
 * see core/phone.ts `phoneIndexId`), so they are masked too.
 */
import { maskPhone } from '../../core/phone'

/** What a secret becomes. The page shows it verbatim. */
export const HIDDEN = '(已隐藏 / hidden)'

const SECRET_KEY = /session_?key|secret|token|password/i
/** Keys whose string value is a phone number (never `masked`, which already is one). */
const PHONE_KEY = /^(purePhoneNumber|phoneNumber|e164|phone|mobile|tel)$/i

/** Masks the digits of `value`, keeping a non-digit prefix (`+`, `p`). */
export function maskDigits(value: string, countryCode?: string): string {
  const m = /^(\D*)(\d+)$/.exec(value)
  if (!m) return value.replace(/\d/g, '*')
  const [, prefix, digits] = m as unknown as [string, string, string]
  // Index ids carry no country code beside them; mainland E.164 digits are recognisable.
  const cc = countryCode ?? (digits.length === 13 && digits.startsWith('86') ? '86' : undefined)
  if (cc && digits.length > cc.length + 4 && digits.startsWith(cc)) return prefix + cc + maskPhone(digits.slice(cc.length), cc)
  // A national number beside its country code (`purePhoneNumber`).
  if (cc) return prefix + maskPhone(digits, cc)
  // Unknown country: hide at least half, keeping a short head and tail to recognise it by.
  const n = digits.length
  const tail = n >= 10 ? 4 : n >= 6 ? 2 : 0
  const head = Math.max(0, Math.min(5, n - tail - Math.ceil(n / 2)))
  return prefix + digits.slice(0, head) + '*'.repeat(n - head - tail) + digits.slice(n - tail)
}

function clean(value: unknown, reveal: boolean, countryCode?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => clean(v, reveal, countryCode))
  if (value instanceof Date) return value.toISOString()
  if (typeof value !== 'object' || value === null) return value
  // BSON values (ObjectId, Binary, Long…) keep their own JSON form; only plain objects hold fields.
  const proto = Object.getPrototypeOf(value)
  if (proto !== null && Object.getPrototypeOf(proto) !== null) return value
  const obj = value as Record<string, unknown>
  const cc = typeof obj.countryCode === 'string' || typeof obj.countryCode === 'number' ? String(obj.countryCode) : countryCode
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(obj)) {
    if (SECRET_KEY.test(k)) out[k] = HIDDEN
    else if (!reveal && PHONE_KEY.test(k) && typeof v === 'string' && /\d{4}/.test(v)) out[k] = maskDigits(v, cc)
    else out[k] = clean(v, reveal, cc)
  }
  return out
}

/**
 * A copy of `doc` safe for the page: secrets hidden always, phones masked unless `reveal`.
 * `collection` matters for `phone_index`, whose `_id` is the number itself.
 */
export function sanitizeDocument(collection: string, doc: unknown, reveal: boolean): Record<string, unknown> {
  const out = clean(doc, reveal) as Record<string, unknown>
  if (!reveal && collection === 'phone_index' && typeof out._id === 'string') out._id = maskDigits(out._id)
  return out
}

/** Mainland mobile numbers in free text (log lines), masked as a last line of defence. */
export function scrubPhones(text: string): string {
  return text.replace(/(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)/g, '$1****$3')
}
