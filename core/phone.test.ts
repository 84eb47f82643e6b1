import fc from 'fast-check'
import { maskPhone, normalisePhone, parseMainlandMobile, phoneIndexId } from './phone'

describe('normalisePhone', () => {
  it('normalises a CN number with countryCode as a string', () => {
    expect(normalisePhone({ phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86', watermark: {} })).toEqual({
      ok: true,
      data: { e164: '+8613800138000', purePhoneNumber: '13800138000', countryCode: '86', masked: '138****8000' },
    })
  })

  it('accepts countryCode as a number (official doc example) and as "+86"', () => {
    const a = normalisePhone({ phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: 86 })
    const b = normalisePhone({ purePhoneNumber: '13800138000', countryCode: '+86' })
    expect(a).toEqual(normalisePhone({ phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' }))
    expect(b.ok && b.data.e164).toBe('+8613800138000')
  })

  it('builds E.164 from countryCode + purePhoneNumber for foreign numbers (P3)', () => {
    expect(normalisePhone({ phoneNumber: '+85261234567', purePhoneNumber: '61234567', countryCode: '852' })).toEqual({
      ok: true,
      data: { e164: '+85261234567', purePhoneNumber: '61234567', countryCode: '852', masked: '61***567' },
    })
  })

  it.each([
    ['not an object', null, undefined],
    ['an array', [], undefined],
    ['countryCode missing', { purePhoneNumber: '13800138000' }, 'countryCode'],
    ['countryCode with a leading 0', { purePhoneNumber: '13800138000', countryCode: '086' }, 'countryCode'],
    ['countryCode of 4 digits', { purePhoneNumber: '1380013', countryCode: '1234' }, 'countryCode'],
    ['countryCode not an integer', { purePhoneNumber: '13800138000', countryCode: 86.5 }, 'countryCode'],
    ['countryCode 0', { purePhoneNumber: '13800138000', countryCode: 0 }, 'countryCode'],
    ['pure number with a dash', { purePhoneNumber: '138-0013-8000', countryCode: '86' }, 'purePhoneNumber'],
    ['pure number as a JS number', { purePhoneNumber: 13800138000, countryCode: '86' }, 'purePhoneNumber'],
    ['pure number with full-width digits', { purePhoneNumber: '１３８００１３８０００', countryCode: '86' }, 'purePhoneNumber'],
    ['an empty pure number', { purePhoneNumber: '', countryCode: '1' }, 'purePhoneNumber'],
    ['E.164 longer than 15 digits', { purePhoneNumber: '1234567890123', countryCode: '852' }, 'purePhoneNumber'],
    ['a CN number of 10 digits', { purePhoneNumber: '1380013800', countryCode: '86' }, 'purePhoneNumber'],
    ['a CN number not starting with 1', { purePhoneNumber: '23800138000', countryCode: 86 }, 'purePhoneNumber'],
    ['phoneNumber that disagrees with purePhoneNumber', { phoneNumber: '13900139000', purePhoneNumber: '13800138000', countryCode: '86' }, 'phoneNumber'],
    ['phoneNumber not a string', { phoneNumber: 13800138000, purePhoneNumber: '13800138000', countryCode: '86' }, 'phoneNumber'],
  ])('PHONE_INVALID: %s', (_name, info, field) => {
    const r = normalisePhone(info)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('PHONE_INVALID')
      expect(r.error.field).toBe(field)
    }
  })

  it('never throws and only accepts digit-only E.164 of at most 15 digits', () => {
    fc.assert(
      fc.property(fc.anything(), fc.oneof(fc.string(), fc.integer(), fc.anything()), fc.oneof(fc.string(), fc.stringMatching(/^[0-9]{1,16}$/)), (phoneNumber, countryCode, purePhoneNumber) => {
        const r = normalisePhone({ phoneNumber, countryCode, purePhoneNumber })
        if (r.ok) {
          expect(r.data.e164).toMatch(/^\+[1-9][0-9]{4,14}$/)
          expect(r.data.masked).toContain('*')
        }
      }),
    )
  })
})

describe('maskPhone', () => {
  it('CN: first 3 + **** + last 4', () => {
    expect(maskPhone('13800138000', '86')).toBe('138****8000')
    expect(maskPhone('13812340000', '86')).toBe('138****0000')
  })

  it.each([
    ['61234567', '852', '61***567'],
    ['912345678', '33', '91****678'],
    ['2025550123', '1', '202****123'],
    ['123456', '65', '12**56'],
    ['1234567', '65', '12***67'],
    ['12345678901', '44', '123****8901'],
    ['123456789012', '49', '123*****9012'],
    ['4002', '683', '4**2'],
  ])('keeps a short head and tail: %s (+%s) → %s', (pure, cc, masked) => {
    expect(maskPhone(pure, cc)).toBe(masked)
  })

  it('hides at least a third of the digits and keeps the length', () => {
    for (let n = 3; n <= 14; n++) {
      const pure = '9'.repeat(n)
      const masked = maskPhone(pure, '44')
      expect(masked).toHaveLength(n)
      expect(masked.split('*').length - 1).toBeGreaterThanOrEqual(Math.ceil(n / 3))
    }
  })
})

describe('phoneIndexId', () => {
  it('is p + the E.164 digits: deterministic, one per number, [a-z0-9] only', () => {
    expect(phoneIndexId('+8613800138000')).toBe('p8613800138000')
    expect(phoneIndexId('+85261234567')).toBe('p85261234567')
    expect(phoneIndexId('+8613800138000')).toMatch(/^[a-z0-9]+$/)
  })

  it('agrees for every form of the same number', () => {
    const ids = [
      { purePhoneNumber: '13800138000', countryCode: 86 },
      { purePhoneNumber: '13800138000', countryCode: '86', phoneNumber: '+86 138 0013 8000' },
    ].map((i) => {
      const r = normalisePhone(i)
      if (!r.ok) throw new Error('expected ok')
      return phoneIndexId(r.data.e164)
    })
    expect(new Set(ids).size).toBe(1)
  })

  it('throws on something that is not normalised E.164 (a caller bug)', () => {
    expect(() => phoneIndexId('13800138000')).toThrow(TypeError)
    expect(() => phoneIndexId('+86 138')).toThrow(TypeError)
  })
})

describe('parseMainlandMobile', () => {
  it.each(['13800138000', '+8613800138000', '8613800138000', '+86 138 0013 8000', ' 138-0013-8000 '])('accepts %j as +8613800138000', (input) => {
    expect(parseMainlandMobile(input)).toEqual({ e164: '+8613800138000', purePhoneNumber: '13800138000', countryCode: '86', masked: '138****8000' })
  })
  it.each(['', '1380013800', '138001380001', '23800138000', '+1 4155550100', '0086 13800138000', '138 0013 800a', '+86+13800138000', '1'.repeat(40)])('refuses %j', (input) => {
    expect(parseMainlandMobile(input)).toBeNull()
  })
})
