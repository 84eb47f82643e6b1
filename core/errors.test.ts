import { CATALOG, ERROR_CODES, errorInfo, fail, isErrorCode, ok } from './errors'

describe('error catalog', () => {
  it('every code has Chinese and English messages and a retryable flag', () => {
    for (const code of ERROR_CODES) {
      const e = CATALOG[code]
      expect(typeof e.retryable).toBe('boolean')
      expect(e.zh.length).toBeGreaterThan(0)
      expect(e.en.length).toBeGreaterThan(0)
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/)
    }
  })

  it('errorInfo builds the client shape from the catalog and keeps only given extras', () => {
    expect(errorInfo('CODE_INVALID')).toEqual({
      code: 'CODE_INVALID',
      message: CATALOG.CODE_INVALID.zh,
      messageEn: CATALOG.CODE_INVALID.en,
      retryable: true,
    })
    const e = errorInfo('WECHAT_ERROR', { wechatCode: 40099, field: 'code' })
    expect(e.wechatCode).toBe(40099)
    expect(e.field).toBe('code')
    expect('wechatCode' in errorInfo('INVALID_INPUT', {})).toBe(false)
  })

  it('fail and ok build results', () => {
    expect(fail('PHONE_INVALID')).toEqual({ ok: false, error: errorInfo('PHONE_INVALID') })
    expect(ok(1)).toEqual({ ok: true, data: 1 })
  })

  it('isErrorCode recognises only catalog codes, not prototype keys', () => {
    expect(isErrorCode('DATA_STALE')).toBe(true)
    expect(isErrorCode('toString')).toBe(false)
    expect(isErrorCode('__proto__')).toBe(false)
    expect(isErrorCode(3)).toBe(false)
  })
})
