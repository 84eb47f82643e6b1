/**
 * A `wx.cloud.callFunction` that answers `sendSmsCode` / `verifySmsCode` by the agreed contract
 * (issue 15): `{ phone }` → `{ maskedPhone, resendAfterSeconds, expiresInSeconds }`, `{ phone, code }`
 * → phone-auth's `BindData` with `source: 'sms'`; a wrong, used or unknown code is the one
 * `SMS_CODE_INVALID`, the 5th wrong code kills it (`SMS_TOO_MANY_ATTEMPTS`). It stands in for the
 * real functions in the component suites; the round trip through the real functions and the
 * emulator's Tencent Cloud SMS is test/miniprogram/e2eSms.test.ts.
 */
import type { PhoneView } from '../../core/contracts'
import { resolved } from './helpers'

const MAX_WRONG = 5

export interface SmsStandIn {
  callFunction: jest.Mock
  /** The last code texted to a national number (what the user reads on their phone). */
  lastCode(phone: string): string | undefined
  sends(): number
}

export function smsStandIn(opts: { resendAfterSeconds?: number; expiresInSeconds?: number } = {}): SmsStandIn {
  const codes = new Map<string, { code: string; wrong: number; used: boolean }>()
  let n = 0
  let sent = 0
  const fail = (code: string) => resolved({ ok: false, error: { code } })
  const masked = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(7)}`
  const callFunction = jest.fn(async ({ name, data }: { name: string; data: { phone: string; code?: string } }) => {
    if (!/^1[3-9][0-9]{9}$/.test(data.phone)) return resolved({ ok: false, error: { code: 'INVALID_INPUT', field: 'phone' } })
    if (name === 'sendSmsCode') {
      sent++
      codes.set(data.phone, { code: String(100000 + (++n * 7919) % 900000), wrong: 0, used: false })
      return resolved({ ok: true, data: { maskedPhone: masked(data.phone), resendAfterSeconds: opts.resendAfterSeconds ?? 60, expiresInSeconds: opts.expiresInSeconds ?? 300 } })
    }
    if (name === 'verifySmsCode') {
      const entry = codes.get(data.phone)
      if (!entry || entry.used || entry.wrong >= MAX_WRONG) return fail('SMS_CODE_INVALID')
      if (entry.code !== data.code) {
        entry.wrong++
        return fail(entry.wrong >= MAX_WRONG ? 'SMS_TOO_MANY_ATTEMPTS' : 'SMS_CODE_INVALID')
      }
      entry.used = true
      const phone: PhoneView = { masked: masked(data.phone), countryCode: '86', source: 'sms', verifiedAt: '2026-12-04T09:00:00.000Z' }
      return resolved({ ok: true, data: { phone, change: 'bound' } })
    }
    throw new Error(`the SMS stand-in has no function ${name}`)
  })
  return { callFunction, lastCode: (phone) => codes.get(phone)?.code, sends: () => sent }
}
