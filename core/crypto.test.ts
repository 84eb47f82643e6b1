import { aesCbcDecrypt, ciphertextDigest, clientDecryptFailure, decodeStrictBase64, decryptOpenData, encryptOpenData, isDecidedBeforeDecryption, verifySignature } from './crypto'
import { errorInfo } from './errors'
import type { ErrorCode } from './errors'
import { P1, P2, P3, S1, SEED001, V1 } from './testdata/vectors'

const codeOf = (r: ReturnType<typeof decryptOpenData>): ErrorCode | 'ok' => (r.ok ? 'ok' : r.error.code)
const wrap = (s: string, width: number, indent = '    ') =>
  s.match(new RegExp(`.{1,${width}}`, 'g'))!.map((l) => indent + l).join('\n')

describe('decryptOpenData — published vectors', () => {
  it('decrypts the official WeChat sample (V1) to the documented plaintext', () => {
    const r = decryptOpenData(V1)
    expect(r).toEqual({ ok: true, data: JSON.parse(V1.plaintext) })
  })

  it('decrypts V1 identically when the ciphertext is wrapped into indented 32-char lines', () => {
    const wrapped = '\n' + wrap(V1.encryptedData, 32) + '\r\n'
    expect(decryptOpenData({ ...V1, encryptedData: wrapped })).toEqual(decryptOpenData(V1))
  })

  it('tolerates stray whitespace around the key and the iv (e.g. a trailing newline)', () => {
    expect(decryptOpenData({ ...V1, sessionKey: V1.sessionKey + '\n', iv: ' ' + V1.iv + '\r\n' })).toEqual(decryptOpenData(V1))
  })

  it.each([
    ['P1', P1],
    ['P2', P2],
    ['P3', P3],
  ])('decrypts the phone-shaped vector %s', (_name, v) => {
    const r = decryptOpenData(v)
    expect(r).toEqual({ ok: true, data: JSON.parse(v.plaintext) })
  })

  it('encryptOpenData reproduces every vector byte for byte (string and object data)', () => {
    for (const v of [V1, P1, P2, P3]) {
      expect(encryptOpenData({ sessionKey: v.sessionKey, iv: v.iv, data: v.plaintext })).toBe(v.encryptedData)
      expect(encryptOpenData({ sessionKey: v.sessionKey, iv: v.iv, data: JSON.parse(v.plaintext) })).toBe(v.encryptedData)
    }
  })
})

describe('decryptOpenData — every failure names its code', () => {
  it('DECRYPT_ILLEGAL_SESSION_KEY: key not base64 of exactly 16 bytes', () => {
    for (const sessionKey of ['', 'tiihtNczf5v6AKRyjwEUhQ=', 'tiihtNczf5v6AKRyjwEUhQ', 'AAAAAAAAAAAAAAAAAAAA', 'tiihtNczf5v6AKRyjwEUhQ==AAAA', 'tiihtNczf5v6AKRyjwEUh-==', 'tiihtNczf5v6AKRyjwEUhR==', ' tiihtNczf5v6AKRyjwEUhQ=', 'tiihtNczf5v6 KRyjwEUhQ==', 42 as unknown as string]) {
      expect(codeOf(decryptOpenData({ ...V1, sessionKey }))).toBe('DECRYPT_ILLEGAL_SESSION_KEY')
    }
  })

  it('DECRYPT_ILLEGAL_SESSION_KEY wins when key and iv are both malformed', () => {
    expect(codeOf(decryptOpenData({ ...V1, sessionKey: 'x', iv: 'y' }))).toBe('DECRYPT_ILLEGAL_SESSION_KEY')
  })

  it('DECRYPT_ILLEGAL_IV: iv not base64 of exactly 16 bytes', () => {
    for (const iv of ['', 'r7BXXKkLb8qrSNn05n0qiA=', 'r7BXXKkLb8qrSNn05n0qiA==r7BX', 'r7BXXKkLb8qrSNn05n0qi_==', 'r7BXXKkLb8qrSNn05n0qiB==', null as unknown as string]) {
      const r = decryptOpenData({ ...V1, iv })
      expect(codeOf(r)).toBe('DECRYPT_ILLEGAL_IV')
    }
  })

  it("DECRYPT_FORM_ENCODED: '+' turned into spaces in encryptedData is reported, not repaired", () => {
    const damaged = V1.encryptedData.replace(/\+/g, ' ')
    const r = decryptOpenData({ ...V1, encryptedData: damaged })
    expect(r).toMatchObject({ ok: false, error: { code: 'DECRYPT_FORM_ENCODED', field: 'encryptedData' } })
  })

  it("DECRYPT_FORM_ENCODED even when exactly 64 '+' were lost (dropping them would leave a valid length)", () => {
    // Find a large payload whose ciphertext has a multiple of 64 '+' characters.
    let encryptedData = ''
    for (let i = 0; ; i++) {
      encryptedData = encryptOpenData({ sessionKey: V1.sessionKey, iv: V1.iv, data: { pad: 'x'.repeat(3000 + i), watermark: { appid: V1.appid, timestamp: 1 } } })
      if ((encryptedData.match(/\+/g) ?? []).length % 64 === 0) break
    }
    expect(decodeStrictBase64(encryptedData.replace(/\+/g, ''))?.length! % 16).toBe(0)
    const r = decryptOpenData({ ...V1, encryptedData: encryptedData.replace(/\+/g, ' ') })
    expect(r).toMatchObject({ ok: false, error: { code: 'DECRYPT_FORM_ENCODED' } })
  })

  it("DECRYPT_FORM_ENCODED: '+' turned into a space in the iv", () => {
    const iv = 'AAAAAAAAAAAAAAAA+AAAAA=='
    const encryptedData = encryptOpenData({ sessionKey: V1.sessionKey, iv, data: JSON.parse(P2.plaintext) })
    expect(decryptOpenData({ ...P2, iv, encryptedData }).ok).toBe(true)
    const r = decryptOpenData({ ...P2, iv: iv.replace('+', ' '), encryptedData })
    expect(r).toMatchObject({ ok: false, error: { code: 'DECRYPT_FORM_ENCODED', field: 'iv' } })
  })

  it('DECRYPT_FORM_ENCODED: a percent-encoded ciphertext', () => {
    expect(codeOf(decryptOpenData({ ...V1, encryptedData: encodeURIComponent(V1.encryptedData) }))).toBe('DECRYPT_FORM_ENCODED')
  })

  it('DECRYPT_ILLEGAL_BUFFER: bad base64, wrong length, empty, not a string', () => {
    const cases = [
      '',
      '   \n ',
      'abc',
      V1.encryptedData.slice(0, -4), // 4 chars short: not a multiple of 16 bytes
      V1.encryptedData.replace(/\//g, '_'), // base64url is not what WeChat sends
      V1.encryptedData.slice(0, 10) + '!' + V1.encryptedData.slice(11),
      Buffer.alloc(15).toString('base64'),
      { length: 3 } as unknown as string,
    ]
    for (const encryptedData of cases) {
      const r = decryptOpenData({ ...V1, encryptedData })
      expect(r).toMatchObject({ ok: false, error: { code: 'DECRYPT_ILLEGAL_BUFFER', field: 'encryptedData' } })
    }
  })

  it('DECRYPT_SESSION_KEY_MISMATCH: the data was encrypted under another (rotated) key', () => {
    expect(codeOf(decryptOpenData({ ...V1, sessionKey: P1.sessionKey }))).toBe('DECRYPT_SESSION_KEY_MISMATCH')
    expect(codeOf(decryptOpenData({ ...P2, sessionKey: P1.sessionKey }))).toBe('DECRYPT_SESSION_KEY_MISMATCH')
  })

  it('DECRYPT_SESSION_KEY_MISMATCH: a wrong iv garbles the first block into non-UTF-8', () => {
    expect(codeOf(decryptOpenData({ ...V1, iv: P1.iv }))).toBe('DECRYPT_SESSION_KEY_MISMATCH')
  })

  it('DECRYPT_NOT_JSON: the seed-001 ciphertext decrypts cleanly to a placeholder that is not JSON', () => {
    const r = decryptOpenData({ appid: 'wx4f4bc4dec97d474b', ...SEED001 })
    expect(r).toMatchObject({ ok: false, error: { code: 'DECRYPT_NOT_JSON', retryable: false } })
    // The message must not contain the plaintext (or any input).
    expect(JSON.stringify(r)).not.toMatch(/手机号"|时间戳|zF6lhh|CO5eq|JXZ5dx/)
  })

  it('DECRYPT_NOT_JSON: JSON that is not an object, or a watermark without a numeric timestamp', () => {
    for (const data of ['null', '[1,2]', '"text"', '42', '{"watermark":{"appid":"wx4f4bc4dec97d474b","timestamp":"x"}}']) {
      const encryptedData = encryptOpenData({ sessionKey: V1.sessionKey, iv: V1.iv, data })
      expect(codeOf(decryptOpenData({ ...V1, encryptedData }))).toBe('DECRYPT_NOT_JSON')
    }
  })

  it('WATERMARK_APPID_MISMATCH: data issued to another mini program, or no watermark', () => {
    expect(codeOf(decryptOpenData({ ...P1, appid: V1.appid }))).toBe('WATERMARK_APPID_MISMATCH')
    for (const data of [{ a: 1 }, { watermark: null }, { watermark: { appid: 7, timestamp: 1 } }]) {
      const encryptedData = encryptOpenData({ sessionKey: V1.sessionKey, iv: V1.iv, data })
      expect(codeOf(decryptOpenData({ ...V1, encryptedData }))).toBe('WATERMARK_APPID_MISMATCH')
    }
  })

  it('DATA_STALE: the watermark is older (or further in the future) than maxAgeSeconds, by the injected clock', () => {
    const ts = 1637744274
    expect(codeOf(decryptOpenData({ ...P2, maxAgeSeconds: 300, now: (ts + 299) * 1000 }))).toBe('ok')
    expect(codeOf(decryptOpenData({ ...P2, maxAgeSeconds: 300, now: (ts + 301) * 1000 }))).toBe('DATA_STALE')
    expect(codeOf(decryptOpenData({ ...P2, maxAgeSeconds: 300, now: (ts - 301) * 1000 }))).toBe('DATA_STALE')
    expect(codeOf(decryptOpenData({ ...P2 }))).toBe('ok') // no bound: old vectors still decrypt
  })

  it('a separate future bound (clock-skew allowance) limits data from ahead of the clock', () => {
    const ts = 1637744274
    const bounded = { ...P2, maxAgeSeconds: 300, maxFutureSeconds: 60 }
    expect(codeOf(decryptOpenData({ ...bounded, now: (ts - 59) * 1000 }))).toBe('ok')
    expect(codeOf(decryptOpenData({ ...bounded, now: (ts - 61) * 1000 }))).toBe('DATA_STALE')
    expect(codeOf(decryptOpenData({ ...bounded, now: (ts + 299) * 1000 }))).toBe('ok')
  })

  it('requires a clock with maxAgeSeconds (a programming error, so it throws)', () => {
    expect(() => decryptOpenData({ ...P2, maxAgeSeconds: 300 })).toThrow(TypeError)
  })

  it('never echoes key, iv or ciphertext in any error', () => {
    const results = [
      decryptOpenData({ ...V1, sessionKey: V1.sessionKey.slice(1) }),
      decryptOpenData({ ...V1, iv: V1.iv.slice(1) }),
      decryptOpenData({ ...V1, encryptedData: V1.encryptedData.slice(1) }),
      decryptOpenData({ ...V1, sessionKey: P1.sessionKey }),
    ]
    for (const r of results) {
      expect(r.ok).toBe(false)
      const text = JSON.stringify(r)
      for (const secret of [V1.sessionKey.slice(2, 20), P1.sessionKey.slice(2, 20), V1.iv.slice(2, 20), V1.encryptedData.slice(2, 30)]) {
        expect(text).not.toContain(secret)
      }
    }
  })
})

describe('encryptOpenData', () => {
  it('rejects a malformed key or iv (a caller bug)', () => {
    expect(() => encryptOpenData({ sessionKey: 'short', iv: V1.iv, data: {} })).toThrow(TypeError)
    expect(() => encryptOpenData({ sessionKey: V1.sessionKey, iv: 'short', data: {} })).toThrow(TypeError)
  })
})

describe('byte level', () => {
  it('decodeStrictBase64 accepts only canonical padded base64', () => {
    expect(decodeStrictBase64('QQ==')).toEqual(Buffer.from('A'))
    expect(decodeStrictBase64('QR==')).toBeNull() // non-zero unused bits
    expect(decodeStrictBase64('QUI=')).toEqual(Buffer.from('AB'))
    expect(decodeStrictBase64('QUJ=')).toBeNull()
    expect(decodeStrictBase64('QQ')).toBeNull()
    expect(decodeStrictBase64('Q===')).toBeNull()
    expect(decodeStrictBase64('')).toBeNull()
  })

  it('aesCbcDecrypt rejects every invalid PKCS#7 ending', () => {
    const key = Buffer.alloc(16, 1)
    const iv = Buffer.alloc(16, 2)
    const { createCipheriv } = require('node:crypto') as typeof import('node:crypto')
    const raw = (block: Buffer) => {
      const c = createCipheriv('aes-128-cbc', key, iv)
      c.setAutoPadding(false)
      return Buffer.concat([c.update(block), c.final()])
    }
    const block = (last: number[]) => Buffer.concat([Buffer.alloc(16 - last.length, 0x41), Buffer.from(last)])
    expect(aesCbcDecrypt(key, iv, raw(block([0])))).toBeNull()
    expect(aesCbcDecrypt(key, iv, raw(block([17])))).toBeNull()
    expect(aesCbcDecrypt(key, iv, raw(block([3, 2, 3])))).toBeNull()
    expect(aesCbcDecrypt(key, iv, raw(block([3, 3, 3])))).toEqual(Buffer.alloc(13, 0x41))
    expect(aesCbcDecrypt(key, iv, raw(Buffer.alloc(16, 16)))).toEqual(Buffer.alloc(0))
  })
})

describe('verifySignature', () => {
  it('accepts the official signature vector S1', () => {
    expect(verifySignature(S1.rawData, S1.sessionKey, S1.signature)).toBe(true)
  })

  it('rejects tampered data, another key, a wrong or malformed signature', () => {
    expect(verifySignature(S1.rawData.replace('Band', 'Bend'), S1.sessionKey, S1.signature)).toBe(false)
    expect(verifySignature(S1.rawData, V1.sessionKey, S1.signature)).toBe(false)
    expect(verifySignature(S1.rawData, S1.sessionKey, S1.signature.slice(0, -1) + '0')).toBe(false)
    expect(verifySignature(S1.rawData, S1.sessionKey, S1.signature.slice(0, -1))).toBe(false)
    expect(verifySignature(S1.rawData, S1.sessionKey, '')).toBe(false)
    expect(verifySignature(S1.rawData, S1.sessionKey, S1.signature + 'é')).toBe(false)
    expect(verifySignature(S1.rawData, S1.sessionKey, undefined as unknown as string)).toBe(false)
  })

  it('hashes CJK rawData as UTF-8', () => {
    const { createHash } = require('node:crypto') as typeof import('node:crypto')
    const raw = '{"nickName":"微信用户"}'
    const sig = createHash('sha1').update(Buffer.from(raw + S1.sessionKey, 'utf8')).digest('hex')
    expect(verifySignature(raw, S1.sessionKey, sig)).toBe(true)
  })
})

describe('what a client may learn about a failed decryption', () => {
  it('keeps failures decided by the shape of the key or the input, collapses everything after decryption into DECRYPT_FAILED', () => {
    const failures = [
      decryptOpenData({ ...V1, sessionKey: 'x' }),
      decryptOpenData({ ...V1, iv: 'short' }),
      decryptOpenData({ ...V1, encryptedData: 'not base64!!' }),
      decryptOpenData({ ...V1, encryptedData: V1.encryptedData.replace(/[+]/g, ' ') }),
      decryptOpenData({ ...V1, sessionKey: P1.sessionKey }), // padding / UTF-8
      decryptOpenData({ ...V1, encryptedData: encryptOpenData({ sessionKey: V1.sessionKey, iv: V1.iv, data: 'not json' }) }),
      decryptOpenData({ ...V1, appid: 'wxother' }),
      decryptOpenData({ ...P2, maxAgeSeconds: 1, now: 0 }),
    ].map((r) => (r.ok ? null : r.error))
    const shown = failures.map((e) => clientDecryptFailure(e!).code)
    expect(shown).toEqual(['DECRYPT_ILLEGAL_SESSION_KEY', 'DECRYPT_ILLEGAL_IV', 'DECRYPT_ILLEGAL_BUFFER', 'DECRYPT_FORM_ENCODED', 'DECRYPT_FAILED', 'DECRYPT_FAILED', 'DECRYPT_FAILED', 'DECRYPT_FAILED'])
    expect(clientDecryptFailure(errorInfo('PHONE_INVALID', { field: 'purePhoneNumber' }))).toEqual(errorInfo('DECRYPT_FAILED')) // no field either
    expect(isDecidedBeforeDecryption('DECRYPT_SESSION_KEY_MISMATCH')).toBe(false)
  })

  it('names a ciphertext by its bytes: the same whatever the iv or the base64 line wrapping, different for other bytes', () => {
    const d = ciphertextDigest(V1.encryptedData)
    expect(d).toMatch(/^[0-9a-f]{64}$/)
    expect(ciphertextDigest('\n' + wrap(V1.encryptedData, 32) + '\n')).toBe(d)
    expect(ciphertextDigest(P1.encryptedData)).not.toBe(d)
    expect(ciphertextDigest('not base64!!')).toBeNull()
  })
})
