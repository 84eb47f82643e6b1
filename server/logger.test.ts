import { createLogger, maskDigits, redact } from './logger'

describe('redact', () => {
  it('drops secret-named fields whatever they hold', () => {
    const out = redact({ session_key: 'tiihtNczf5v6AKRyjwEUhQ==', sessionKey: 'x', appSecret: 's', code: 'c', js_code: 'j', encryptedData: 'e', iv: 'i', cloudID: 'cid' })
    expect(Object.values(out as object).every((v) => v === '[redacted]')).toBe(true)
  })

  it('masks phone-named fields and phone-shaped runs in free text', () => {
    const out = redact({ phone: '13800138000', e164: '+8613800138000', note: 'bound +8613800138000 and 13900139000' }) as Record<string, string>
    expect(out.phone).toBe('138****8000')
    expect(out.e164).toBe('861****8000')
    expect(out.note).not.toMatch(/13800138000|13900139000/)
    expect(out.note).toContain('139****9000')
  })

  it('scrubs session-key shapes and known secrets from error messages', () => {
    const e = Object.assign(new Error('decrypt with tiihtNczf5v6AKRyjwEUhQ== failed, secret=abcdef123'), { errCode: -1 })
    const out = redact({ error: e }, ['abcdef123']) as { error: { message: string; errCode: number } }
    expect(out.error.errCode).toBe(-1)
    expect(out.error.message).not.toContain('tiihtNczf5v6AKRyjwEUhQ==')
    expect(out.error.message).not.toContain('abcdef123')
  })

  it('keeps short numbers and ordinary words', () => {
    expect(redact({ ms: 12, outcome: 'OK', count: '42' })).toEqual({ ms: 12, outcome: 'OK', count: '42' })
    expect(maskDigits('61234567')).toBe('****67')
  })
})

describe('createLogger', () => {
  it('writes one JSON line per call with the scope and redacted fields', () => {
    const lines: string[] = []
    const log = createLogger('login', { secrets: ['my-app-secret'], sink: (l) => lines.push(l) })
    log.info('exchange with my-app-secret', { phone: '13800138000', session_key: 'k' })
    expect(lines).toHaveLength(1)
    const parsed = JSON.parse(lines[0]) as Record<string, unknown>
    expect(parsed).toMatchObject({ level: 'info', scope: 'login', phone: '138****8000', session_key: '[redacted]' })
    expect(lines[0]).not.toContain('my-app-secret')
  })
})
