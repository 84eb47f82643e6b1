import { DEFAULT_SMS_LIMITS } from './config'
import { checkSendLimits, chinaDay } from './limits'

const now = Date.UTC(2026, 11, 4, 6, 0, 0) // 14:00 in Beijing
const L = DEFAULT_SMS_LIMITS

describe('checkSendLimits', () => {
  it('allows a first code', () => {
    expect(checkSendLimits({ phoneSends: [], userCount: 0 }, now, L)).toEqual({ ok: true })
  })
  it('asks to wait out the resend interval, to the second', () => {
    expect(checkSendLimits({ phoneSends: [now - 45_500], userCount: 1 }, now, L)).toEqual({ ok: false, code: 'SMS_RATE_LIMITED', retryAfterSeconds: 15 })
  })
  it('asks to wait until the oldest of an hour of codes is an hour old', () => {
    const sends = [55, 40, 30, 20, 5].map((m) => now - m * 60_000)
    expect(checkSendLimits({ phoneSends: sends, userCount: 5 }, now, L)).toEqual({ ok: false, code: 'SMS_RATE_LIMITED', retryAfterSeconds: 300 })
  })
  it('says which daily limit is reached, the number’s first', () => {
    const ten = Array.from({ length: 10 }, (_, i) => now - (i + 2) * 3600_000)
    expect(checkSendLimits({ phoneSends: ten, userCount: 0 }, now, L)).toMatchObject({ code: 'SMS_DAILY_LIMIT', which: 'phone' })
    expect(checkSendLimits({ phoneSends: [], userCount: 10 }, now, L)).toMatchObject({ code: 'SMS_DAILY_LIMIT', which: 'user' })
  })
})

describe('chinaDay', () => {
  it('is the date in Beijing (UTC+8), which turns at 16:00 UTC', () => {
    expect(chinaDay(new Date(Date.UTC(2026, 11, 4, 15, 59)))).toBe('2026-12-04')
    expect(chinaDay(new Date(Date.UTC(2026, 11, 4, 16, 0)))).toBe('2026-12-05')
  })
})
