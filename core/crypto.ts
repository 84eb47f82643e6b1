/**
 * @module crypto — WeChat open-data decryption (legacy `encryptedData` + `iv`), its inverse,
 * and the `rawData` signature check.
 *
 * Checks run in the order of the reference checklist (§9) and the FIRST failure is reported,
 * with a code that says which input is wrong — for the server's LOG. A client must never see
 * which check failed once decryption has started: CBC has no MAC, so "bad padding" vs "not
 * JSON" vs "wrong appid" is a decryption oracle that lets a user forge a ciphertext of any
 * plaintext (red-team F1). `clientDecryptFailure` collapses those into DECRYPT_FAILED; only the
 * failures decided by the key's or the input's shape (before any decryption) stay distinct.
 *
 * Error messages come only from the catalog: key, iv, ciphertext and plaintext are never echoed.
 */
import { createCipheriv, createDecipheriv, createHash, timingSafeEqual } from 'node:crypto'
import { isUtf8 } from 'node:buffer'
import type { ErrorInfo, Result } from './contracts'
import { errorInfo, fail, ok, type ErrorCode } from './errors'

/** Decrypted open data: whatever WeChat put in, plus the watermark every payload carries. */
export type OpenData = Record<string, unknown> & { watermark: { appid: string; timestamp: number } }

export interface DecryptOpenDataInput {
  /** The mini program's appid; `watermark.appid` must equal it. */
  appid: string
  /** base64 of the 16-byte `session_key` (24 characters). */
  sessionKey: string
  /** base64 ciphertext from the button event. ASCII whitespace (line wrapping) is tolerated. */
  encryptedData: string
  /** base64 of the 16-byte iv (24 characters). */
  iv: string
  /** Reject data whose `watermark.timestamp` is older than this. */
  maxAgeSeconds?: number
  /** Reject data whose `watermark.timestamp` is more than this ahead of `now` (clock skew
   * allowance). Defaults to `maxAgeSeconds`; only checked together with it. */
  maxFutureSeconds?: number
  /** Current time, epoch milliseconds. Required with `maxAgeSeconds`: core reads no clock. */
  now?: number
}

// ---- strict base64 ---------------------------------------------------------------------

const ASCII_WS = /[\t\n\v\f\r ]/g

/**
 * Decodes canonical, padded standard base64 (no whitespace); `null` if it is not that.
 * Node's decoder is lenient (skips junk, accepts base64url, ignores non-zero trailing bits),
 * so validity is checked by re-encoding: only the canonical form round-trips. That is ~5x
 * cheaper than a validating regex on multi-kilobyte payloads.
 */
export function decodeStrictBase64(s: string): Buffer | null {
  if (s.length === 0 || s.length % 4 !== 0) return null
  const bytes = Buffer.from(s, 'base64')
  return bytes.toString('base64') === s ? bytes : null
}

/** base64 of exactly 16 bytes (24 characters). Stray ASCII whitespace, e.g. a trailing newline
 * from a config file, is tolerated as for the ciphertext. */
function decode16(s: unknown): Buffer | null {
  if (typeof s !== 'string') return null
  const t = s.length === 24 ? s : s.replace(ASCII_WS, '')
  if (t.length !== 24) return null
  const b = decodeStrictBase64(t)
  return b && b.length === 16 ? b : null
}

/** Form decoding turns '+' into ' ' (and a percent-encoder leaves %2B / %2F / %3D). True when
 * undoing exactly that would give a valid value — we report it, we never repair it. */
function looksFormEncoded(s: string, valid: (candidate: string) => boolean): boolean {
  if (s.includes(' ')) {
    const candidate = s.replace(/[\t\n\v\f\r]/g, '').replace(/ /g, '+')
    if (valid(candidate)) return true
  }
  if (/%[0-9A-Fa-f]{2}/.test(s)) {
    try {
      if (valid(decodeURIComponent(s).replace(ASCII_WS, ''))) return true
    } catch {
      // malformed percent sequence: not a URL-encoded value
    }
  }
  return false
}

const isCipherLength = (b: Buffer | null): b is Buffer => b !== null && b.length > 0 && b.length % 16 === 0

// ---- AES-128-CBC, byte level ---------------------------------------------------------

/**
 * AES-128-CBC decrypt with strict PKCS#7 (last byte 1..16, all pad bytes equal). Returns the
 * plaintext as a view into the cipher's single output buffer (no copy), or `null` when the
 * padding is wrong. Callers guarantee 16-byte key/iv and a positive multiple-of-16 length.
 */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Buffer | null {
  const decipher = createDecipheriv('aes-128-cbc', key, iv)
  decipher.setAutoPadding(false) // unpad ourselves: avoids the update/final concat copy
  const out = decipher.update(ciphertext)
  decipher.final()
  const n = out.length
  if (n === 0) return null
  const pad = out[n - 1]
  if (pad < 1 || pad > 16 || pad > n) return null
  for (let i = n - pad; i < n - 1; i++) if (out[i] !== pad) return null
  return out.subarray(0, n - pad)
}

/** AES-128-CBC encrypt with PKCS#7, as WeChat produces `encryptedData`. */
export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-128-cbc', key, iv)
  const head = cipher.update(plaintext)
  const tail = cipher.final()
  return head.length === 0 ? tail : Buffer.concat([head, tail], head.length + tail.length)
}

// ---- open data -------------------------------------------------------------------------

/**
 * Encrypts open data exactly as WeChat does (AES-128-CBC, PKCS#7, base64 without line breaks).
 * Objects are `JSON.stringify`-ed. Throws a TypeError on a malformed key or iv: that is a bug
 * in the caller (the emulator), not user input.
 */
export function encryptOpenData({ sessionKey, iv, data }: { sessionKey: string; iv: string; data: string | object }): string {
  const key = decode16(sessionKey)
  if (!key) throw new TypeError('encryptOpenData: sessionKey must be base64 of 16 bytes')
  const ivBytes = decode16(iv)
  if (!ivBytes) throw new TypeError('encryptOpenData: iv must be base64 of 16 bytes')
  const text = typeof data === 'string' ? data : JSON.stringify(data)
  return aesCbcEncrypt(key, ivBytes, Buffer.from(text, 'utf8')).toString('base64')
}

/** Decrypts and checks legacy open data. Every data problem is a failed Result; the only throw
 * is the TypeError for `maxAgeSeconds` without `now` (a bug in the caller). */
export function decryptOpenData(input: DecryptOpenDataInput): Result<OpenData> {
  const { appid, sessionKey, encryptedData, iv, maxAgeSeconds, maxFutureSeconds, now } = input
  if (maxAgeSeconds !== undefined && !(typeof now === 'number' && Number.isFinite(now))) {
    // A programming error, not bad input: the caller must pass its clock.
    throw new TypeError('decryptOpenData: `now` (epoch ms) is required with maxAgeSeconds')
  }

  // 1. session key. If key and iv are both malformed, the key is reported (official order).
  const key = decode16(sessionKey)
  if (!key) return fail('DECRYPT_ILLEGAL_SESSION_KEY', { field: 'sessionKey' })

  // 2. iv — the commonest transport damage ('+' → ' ') is named as such.
  const ivBytes = decode16(iv)
  if (!ivBytes) {
    if (typeof iv === 'string' && looksFormEncoded(iv, (c) => decode16(c) !== null)) {
      return fail('DECRYPT_FORM_ENCODED', { field: 'iv' })
    }
    return fail('DECRYPT_ILLEGAL_IV', { field: 'iv' })
  }

  // 3./4. ciphertext: strict base64, whitespace tolerated, positive multiple of 16 bytes.
  if (typeof encryptedData !== 'string') return fail('DECRYPT_ILLEGAL_BUFFER', { field: 'encryptedData' })
  let ct = decodeStrictBase64(encryptedData) // fast path: no whitespace, no copies
  if (!isCipherLength(ct)) {
    const validCipher = (c: string) => isCipherLength(decodeStrictBase64(c))
    // Spaces but no line breaks is the signature of form decoding, not of line wrapping. It is
    // checked first because dropping the spaces can, rarely, also give a valid-length string
    // (64 lost '+' keep the length a multiple of 16), which would then decrypt to garbage.
    const spacesOnly = encryptedData.includes(' ') && !/[\t\n\v\f\r]/.test(encryptedData)
    if (spacesOnly && looksFormEncoded(encryptedData, validCipher)) return fail('DECRYPT_FORM_ENCODED', { field: 'encryptedData' })
    ct = decodeStrictBase64(encryptedData.replace(ASCII_WS, ''))
    if (!isCipherLength(ct)) {
      if (looksFormEncoded(encryptedData, validCipher)) return fail('DECRYPT_FORM_ENCODED', { field: 'encryptedData' })
      return fail('DECRYPT_ILLEGAL_BUFFER', { field: 'encryptedData' })
    }
  }

  // 5./6. Well-formed input whose padding or UTF-8 is broken was encrypted under another key
  // (or another iv: a wrong iv garbles the first block, which then is almost never UTF-8).
  let plain: Buffer | null
  try {
    plain = aesCbcDecrypt(key, ivBytes, ct)
  } catch {
    plain = null // OpenSSL failures are reported like bad padding: the bytes do not decrypt
  }
  if (plain === null || !isUtf8(plain)) return fail('DECRYPT_SESSION_KEY_MISMATCH')

  let parsed: unknown
  try {
    parsed = JSON.parse(plain.toString('utf8'))
  } catch {
    return fail('DECRYPT_NOT_JSON')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('DECRYPT_NOT_JSON')

  // 7. watermark: the data must have been issued to this mini program.
  const wm = (parsed as { watermark?: unknown }).watermark
  const wmAppid = wm !== null && typeof wm === 'object' ? (wm as { appid?: unknown }).appid : undefined
  if (typeof wmAppid !== 'string' || typeof appid !== 'string' || wmAppid !== appid) {
    return fail('WATERMARK_APPID_MISMATCH', { field: 'watermark.appid' })
  }
  const ts = (wm as { timestamp?: unknown }).timestamp
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return fail('DECRYPT_NOT_JSON', { field: 'watermark.timestamp' })

  // 8. optional age bound. A timestamp ahead of the clock beyond the skew allowance is as
  // implausible as an old one (and would otherwise stretch the replay window).
  if (maxAgeSeconds !== undefined) {
    const age = (now as number) / 1000 - ts
    if (age > maxAgeSeconds || -age > (maxFutureSeconds ?? maxAgeSeconds)) return fail('DATA_STALE')
  }
  return ok(parsed as OpenData)
}

// ---- what the client may learn --------------------------------------------------------

/** Failures decided before any decryption, by the stored key's or the input's shape alone: they
 * depend on nothing the key would reveal, so the client may be told which one it was. */
const DECIDED_BEFORE_DECRYPTION: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['DECRYPT_ILLEGAL_SESSION_KEY', 'DECRYPT_ILLEGAL_IV', 'DECRYPT_ILLEGAL_BUFFER', 'DECRYPT_FORM_ENCODED'])

/** True for the failures a client may see as they are (see `clientDecryptFailure`). */
export function isDecidedBeforeDecryption(code: ErrorCode): boolean {
  return DECIDED_BEFORE_DECRYPTION.has(code)
}

/**
 * The error a client gets for a failed legacy decryption: shape failures as they are, every
 * other one (padding, UTF-8, JSON, watermark appid or age, and the server's own later checks)
 * as the one DECRYPT_FAILED, so no answer tells a chosen ciphertext's plaintext apart.
 */
export function clientDecryptFailure(error: ErrorInfo): ErrorInfo {
  return isDecidedBeforeDecryption(error.code) ? error : errorInfo('DECRYPT_FAILED')
}

/**
 * A digest naming one tap's `encryptedData` (hex SHA-256 of the ciphertext bytes; `null` if it
 * is not valid base64), to refuse it once consumed. The iv is left out on purpose: a new iv
 * changes only the first plaintext block, and `{"phoneNumber":"` can be bent into other valid
 * JSON (`{"phoneNumbez":"`) by a client flipping iv bits, which must still count as a replay.
 */
export function ciphertextDigest(encryptedData: string): string | null {
  const bytes = decodeStrictBase64(encryptedData) ?? decodeStrictBase64(encryptedData.replace(ASCII_WS, ''))
  return bytes ? createHash('sha256').update(bytes).digest('hex') : null
}

// ---- rawData signature ---------------------------------------------------------------

/** `signature === hex(sha1(rawData + sessionKey))`, compared in constant time. Never throws. */
export function verifySignature(rawData: string, sessionKey: string, signature: string): boolean {
  if (typeof rawData !== 'string' || typeof sessionKey !== 'string' || typeof signature !== 'string') return false
  const expected = createHash('sha1').update(rawData + sessionKey, 'utf8').digest('hex')
  const given = Buffer.from(signature, 'utf8')
  if (given.length !== expected.length) return false
  return timingSafeEqual(given, Buffer.from(expected, 'utf8'))
}
