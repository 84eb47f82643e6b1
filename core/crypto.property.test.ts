import fc from 'fast-check'
import { decryptOpenData, encryptOpenData } from './crypto'
import { ERROR_CODES } from './errors'

const b64of16 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64'))
const appid = fc.stringMatching(/^wx[0-9a-f]{16}$/)
const payload = fc.record({
  extra: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  timestamp: fc.integer({ min: 0, max: 4_000_000_000 }),
})
// WeChat's field order for phone data: the first 16 plaintext bytes are `{"phoneNumber":"`.
const phonePayload = fc.record({
  pure: fc.stringMatching(/^1[3-9][0-9]{9}$/),
  timestamp: fc.integer({ min: 0, max: 4_000_000_000 }),
})
// Replacement characters: the base64 alphabet, padding, whitespace, URL-ish and non-ASCII.
const replacement = fc.constantFrom(...'ABCabc019+/= \n-_%é手\u0000'.split(''), 'z', 'Q', 'w')

function corrupt(s: string, pos: number, ch: string): string | null {
  const i = pos % s.length
  return s[i] === ch ? null : s.slice(0, i) + ch + s.slice(i + 1)
}

const knownCode = (code: string) => (ERROR_CODES as string[]).includes(code)

describe('crypto properties', () => {
  it('encrypt → decrypt round-trips arbitrary payloads, keys and ivs', () => {
    fc.assert(
      fc.property(b64of16, b64of16, appid, payload, (sessionKey, iv, id, p) => {
        const data = JSON.parse(JSON.stringify({ ...p.extra, watermark: { appid: id, timestamp: p.timestamp } }))
        const encryptedData = encryptOpenData({ sessionKey, iv, data })
        const r = decryptOpenData({ appid: id, sessionKey, iv, encryptedData })
        expect(r).toEqual({ ok: true, data })
      }),
      { numRuns: 200 },
    )
  })

  it('any single-character corruption of the key or the ciphertext is a typed error, or (only for an inert change) the identical data', () => {
    fc.assert(
      fc.property(b64of16, b64of16, appid, payload, fc.nat(), replacement, fc.boolean(), (sessionKey, iv, id, p, pos, ch, hitKey) => {
        const data = JSON.parse(JSON.stringify({ ...p.extra, watermark: { appid: id, timestamp: p.timestamp } }))
        const encryptedData = encryptOpenData({ sessionKey, iv, data })
        const input = { appid: id, sessionKey, iv, encryptedData }
        const target = hitKey ? 'sessionKey' : 'encryptedData'
        const damaged = corrupt(input[target], pos, ch)
        fc.pre(damaged !== null)
        const r = decryptOpenData({ ...input, [target]: damaged })
        if (r.ok) expect(r.data).toEqual(data)
        else expect(knownCode(r.error.code)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('any single-character corruption of the iv is a typed error or alters at most the first plaintext block, never the phone values', () => {
    // CBC without a MAC: the iv is XORed into block 1 only, so a damaged iv can rename the
    // first key (`phoneNumber`) but cannot touch purePhoneNumber/countryCode/watermark.
    fc.assert(
      fc.property(b64of16, b64of16, appid, phonePayload, fc.nat(), replacement, (sessionKey, iv, id, p, pos, ch) => {
        const data = { phoneNumber: p.pure, purePhoneNumber: p.pure, countryCode: '86', watermark: { timestamp: p.timestamp, appid: id } }
        const encryptedData = encryptOpenData({ sessionKey, iv, data })
        const damaged = corrupt(iv, pos, ch)
        fc.pre(damaged !== null)
        const r = decryptOpenData({ appid: id, sessionKey, iv: damaged, encryptedData })
        if (!r.ok) {
          expect(knownCode(r.error.code)).toBe(true)
          return
        }
        expect(r.data.purePhoneNumber).toBe(p.pure)
        expect(r.data.countryCode).toBe('86')
        expect(r.data.watermark).toEqual(data.watermark)
      }),
      { numRuns: 500 },
    )
  })

  it('any single-byte change of the decoded key or ciphertext is a typed error', () => {
    fc.assert(
      fc.property(b64of16, b64of16, appid, payload, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (sessionKey, iv, id, p, pos, xor, hitKey) => {
        const data = { ...p.extra, watermark: { appid: id, timestamp: p.timestamp } }
        const encryptedData = encryptOpenData({ sessionKey, iv, data })
        const bytes = Buffer.from(hitKey ? sessionKey : encryptedData, 'base64')
        bytes[pos % bytes.length] ^= xor
        const damaged = bytes.toString('base64')
        const r = decryptOpenData({ appid: id, sessionKey, iv, encryptedData, [hitKey ? 'sessionKey' : 'encryptedData']: damaged })
        expect(r.ok).toBe(false)
        if (!r.ok) expect(['DECRYPT_SESSION_KEY_MISMATCH', 'DECRYPT_NOT_JSON']).toContain(r.error.code)
      }),
      { numRuns: 500 },
    )
  })

  it('never throws for arbitrary (even non-string) inputs', () => {
    const anything = fc.oneof(fc.string(), fc.base64String(), fc.anything())
    fc.assert(
      fc.property(anything, anything, anything, anything, (a, k, e, i) => {
        const r = decryptOpenData({ appid: a, sessionKey: k, encryptedData: e, iv: i } as never)
        expect(r.ok).toBe(false)
      }),
      { numRuns: 300 },
    )
  })
})
