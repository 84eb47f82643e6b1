import fc from 'fast-check'
import { LIMITS, parseGetOpenDataRequest, parseGetPhoneNumberRequest, parseLoginRequest, parseUnbindPhoneRequest } from './validate'

const platform = { userInfo: { appId: 'wx4f4bc4dec97d474b', openId: 'oUSER' }, tcbContext: { x: 1 } }
const fieldOf = (r: { ok: boolean; error?: { code: string; field?: string } }) => (r.ok ? 'ok' : `${r.error!.code}:${r.error!.field ?? ''}`)

describe('parseLoginRequest', () => {
  it('accepts an empty event and a code, ignoring platform keys', () => {
    expect(parseLoginRequest({ ...platform })).toEqual({ ok: true, data: {} })
    expect(parseLoginRequest({ ...platform, code: '0a1b2c' })).toEqual({ ok: true, data: { code: '0a1b2c' } })
  })

  it('INVALID_INPUT: wrong type, empty, over-long code', () => {
    expect(fieldOf(parseLoginRequest({ code: 42 }))).toBe('INVALID_INPUT:code')
    expect(fieldOf(parseLoginRequest({ code: null }))).toBe('INVALID_INPUT:code')
    expect(fieldOf(parseLoginRequest({ code: '' }))).toBe('INVALID_INPUT:code')
    expect(fieldOf(parseLoginRequest({ code: 'x'.repeat(LIMITS.code + 1) }))).toBe('INVALID_INPUT:code')
    expect(fieldOf(parseLoginRequest({ code: 'x'.repeat(LIMITS.code) }))).toBe('ok')
  })

  it('INVALID_INPUT: an event that is not an object', () => {
    for (const e of [null, undefined, 'code', 42, [], [{ code: 'x' }]]) expect(fieldOf(parseLoginRequest(e))).toBe('INVALID_INPUT:')
  })

  it('INVALID_INPUT: a client that sends identity or phone fields gets told, not trusted', () => {
    expect(fieldOf(parseLoginRequest({ code: 'c', openid: 'oSOMEONE_ELSE' }))).toBe('INVALID_INPUT:openid')
    expect(fieldOf(parseGetPhoneNumberRequest({ code: 'c', phoneNumber: '13800138000' }))).toBe('INVALID_INPUT:phoneNumber')
  })
})

describe('parseGetPhoneNumberRequest', () => {
  it('requires a code string of at most 128 characters', () => {
    expect(parseGetPhoneNumberRequest({ ...platform, code: 'abc' })).toEqual({ ok: true, data: { code: 'abc' } })
    for (const code of [undefined, '', 7, { a: 1 }, ['x'], 'y'.repeat(129)]) {
      expect(fieldOf(parseGetPhoneNumberRequest({ code }))).toBe('INVALID_INPUT:code')
    }
  })
})

describe('parseGetOpenDataRequest', () => {
  it('accepts a raw cloudID string', () => {
    expect(parseGetOpenDataRequest({ cloudID: 'cid' })).toEqual({ ok: true, data: { cloudID: 'cid' } })
  })

  it('accepts the platform-resolved CloudID (data or error form)', () => {
    const data = { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' }
    expect(parseGetOpenDataRequest({ cloudID: { cloudID: 'cid', data } })).toEqual({ ok: true, data: { cloudID: { cloudID: 'cid', data } } })
    expect(parseGetOpenDataRequest({ cloudID: { cloudID: 'cid', errCode: -601006, errMsg: 'cloudID expired.' } })).toEqual({
      ok: true,
      data: { cloudID: { cloudID: 'cid', errCode: -601006, errMsg: 'cloudID expired.' } },
    })
  })

  it('accepts encryptedData + iv without judging their base64 (crypto does that)', () => {
    expect(parseGetOpenDataRequest({ encryptedData: 'a b', iv: 'r7BX' })).toEqual({ ok: true, data: { encryptedData: 'a b', iv: 'r7BX' } })
  })

  it.each([
    ['nothing', {}, 'cloudID'],
    ['both paths at once', { cloudID: 'c', encryptedData: 'e', iv: 'i' }, 'encryptedData'],
    ['cloudID and iv', { cloudID: 'c', iv: 'i' }, 'iv'],
    ['cloudID too long', { cloudID: 'c'.repeat(513) }, 'cloudID'],
    ['cloudID a number', { cloudID: 1 }, 'cloudID'],
    ['resolved cloudID with array data', { cloudID: { cloudID: 'c', data: [] } }, 'cloudID'],
    ['resolved cloudID with errCode 0', { cloudID: { cloudID: 'c', errCode: 0, errMsg: 'ok' } }, 'cloudID'],
    ['resolved cloudID without id', { cloudID: { data: {} } }, 'cloudID'],
    ['encryptedData without iv', { encryptedData: 'e' }, 'iv'],
    ['iv without encryptedData', { iv: 'i' }, 'encryptedData'],
    ['encryptedData over 8 KB', { encryptedData: 'e'.repeat(8 * 1024 + 1), iv: 'i' }, 'encryptedData'],
    ['iv too long', { encryptedData: 'e', iv: 'i'.repeat(65) }, 'iv'],
    ['iv a number', { encryptedData: 'e', iv: 24 }, 'iv'],
    ['unknown field', { cloudID: 'c', extra: 1 }, 'extra'],
  ])('INVALID_INPUT: %s', (_name, event, field) => {
    expect(fieldOf(parseGetOpenDataRequest(event))).toBe(`INVALID_INPUT:${field}`)
  })
})

describe('parseUnbindPhoneRequest', () => {
  it('accepts only the platform keys', () => {
    expect(parseUnbindPhoneRequest({ ...platform })).toEqual({ ok: true, data: {} })
    expect(fieldOf(parseUnbindPhoneRequest({ ...platform, phone: 'x' }))).toBe('INVALID_INPUT:phone')
  })
})

describe('hostile and arbitrary input', () => {
  const parsers = [parseLoginRequest, parseGetPhoneNumberRequest, parseGetOpenDataRequest, parseUnbindPhoneRequest]

  it('__proto__ and constructor keys are rejected and pollute nothing', () => {
    for (const text of ['{"__proto__":{"polluted":1},"code":"c"}', '{"constructor":{"prototype":{"polluted":1}},"code":"c"}']) {
      for (const p of parsers) {
        const r = p(JSON.parse(text))
        expect(r.ok).toBe(false)
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const r = parseGetOpenDataRequest(JSON.parse('{"cloudID":{"cloudID":"c","data":{"__proto__":{"polluted":1}}}}'))
    expect(r.ok).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('a throwing getter or a Proxy is INVALID_INPUT, not a crash', () => {
    const evil = Object.defineProperty({}, 'code', { enumerable: true, get() { throw new Error('boom') } })
    const proxy = new Proxy({}, { ownKeys() { throw new Error('boom') } })
    for (const p of parsers) {
      expect(p(evil).ok).toBe(false)
      expect(p(proxy).ok).toBe(false)
    }
  })

  it('never throw for arbitrary JSON values, huge strings and unicode; successes have only contract keys', () => {
    const value = fc.oneof(
      fc.jsonValue(),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ minLength: 9000, maxLength: 9000 }),
      fc.anything({ withNullPrototype: true, withObjectString: true }),
    )
    const event = fc.oneof(
      fc.anything(),
      fc.record({ code: value }, { requiredKeys: [] }),
      fc.record({ cloudID: fc.oneof(value, fc.record({ cloudID: value, data: value, errCode: value, errMsg: value }, { requiredKeys: [] })) }, { requiredKeys: [] }),
      fc.record({ encryptedData: value, iv: value, userInfo: value }, { requiredKeys: [] }),
      fc.dictionary(fc.string(), value),
    )
    fc.assert(
      fc.property(event, (e) => {
        for (const p of parsers) {
          const r = p(e)
          if (r.ok) {
            for (const k of Object.keys(r.data)) expect(['code', 'cloudID', 'encryptedData', 'iv']).toContain(k)
          } else {
            expect(r.error.code).toBe('INVALID_INPUT')
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
