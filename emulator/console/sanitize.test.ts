import { HIDDEN, maskDigits, sanitizeDocument, scrubPhones } from './sanitize'

describe('sanitizeDocument', () => {
  const user = {
    _id: 'o1',
    phone: { e164: '+8613800138000', purePhoneNumber: '13800138000', countryCode: '86', masked: '138****8000', source: 'code' },
    createdAt: new Date('2026-01-02T03:04:05Z'),
  }

  it('masks every phone field and keeps the already-masked one', () => {
    const out = sanitizeDocument('users', user, false) as { phone: Record<string, string>; createdAt: string }
    expect(out.phone).toMatchObject({ e164: '+86138****8000', purePhoneNumber: '138****8000', masked: '138****8000', countryCode: '86' })
    expect(JSON.stringify(out)).not.toContain('13800138000')
    expect(out.createdAt).toBe('2026-01-02T03:04:05.000Z')
  })

  it('shows full numbers when revealed', () => {
    const out = sanitizeDocument('users', user, true) as { phone: Record<string, string> }
    expect(out.phone.e164).toBe('+8613800138000')
    expect(out.phone.purePhoneNumber).toBe('13800138000')
  })

  it('hides session keys and secrets even when revealed, at any depth', () => {
    const doc = { _id: 'o1', session_key: 'c2Vzc2lvbmtleXNlc3Npb24=', nested: [{ sessionKey: 'k', appSecret: 's' }] }
    for (const reveal of [false, true]) {
      const out = sanitizeDocument('sessions', doc, reveal)
      expect(out).toEqual({ _id: 'o1', session_key: HIDDEN, nested: [{ sessionKey: HIDDEN, appSecret: HIDDEN }] })
    }
  })

  it('masks phone_index ids, which are the numbers themselves', () => {
    expect(sanitizeDocument('phone_index', { _id: 'p8613800138000', owner: 'o1' }, false)._id).toBe('p86138****8000')
    expect(sanitizeDocument('phone_index', { _id: 'p8613800138000' }, true)._id).toBe('p8613800138000')
    expect(sanitizeDocument('users', { _id: 'p8613800138000' }, false)._id).toBe('p8613800138000')
  })
})

describe('maskDigits', () => {
  it('hides at least half of a number whose country it cannot tell', () => {
    for (const n of ['p85261234567', '+4915112345678', '12345678']) {
      const masked = maskDigits(n)
      const digits = n.replace(/\D/g, '').length
      expect(masked.length).toBe(n.length)
      expect((masked.match(/\*/g) ?? []).length).toBeGreaterThanOrEqual(digits / 2)
    }
  })

  it('uses the country code beside it', () => {
    expect(maskDigits('+85261234567', '852')).toBe('+85261***567')
    expect(maskDigits('61234567', '852')).toBe('61***567')
  })
})

describe('scrubPhones', () => {
  it('masks mainland mobiles in log text but leaves longer digit runs alone', () => {
    expect(scrubPhones('bound 13800138000 ok')).toBe('bound 138****8000 ok')
    expect(scrubPhones('at 1763890000000')).toBe('at 1763890000000')
  })
})
