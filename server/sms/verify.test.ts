import { codeMatches, hashCode } from './codes'
import type { CodeStore, SmsCodeDoc } from './store'
import { verifyCode } from './verify'

const KEY = 'test-key-material'
const subject = { openid: 'o1', e164: '+8613800138000' }
const now = new Date(Date.UTC(2026, 11, 4, 6))
const tick = () => new Promise((r) => setImmediate(r))

/** The database's semantics (each conditional update atomic), with a turn of the event loop
 * around every operation so concurrent verifications interleave as they do over the network. */
function memoryCodes(doc: SmsCodeDoc): CodeStore & { doc: SmsCodeDoc } {
  return {
    doc,
    async read() {
      await tick()
      return { ...doc }
    },
    async claimAttempt(_o, nonce, max) {
      await tick()
      if (doc.nonce !== nonce || doc.used || doc.attempts >= max) return false
      doc.attempts += 1
      return true
    },
    async consume(_o, nonce) {
      await tick()
      if (doc.nonce !== nonce || doc.used) return false
      doc.used = true
      return true
    },
  }
}

function issued(code: string, over: Partial<SmsCodeDoc> = {}): SmsCodeDoc {
  return { nonce: 'n1', hash: hashCode(code, 'n1', subject, KEY), masked: '138****8000', sentAt: now, expiresAt: new Date(now.getTime() + 300_000), attempts: 0, used: false, ...over }
}

const input = (code: string) => ({ ...subject, code, now, maxAttempts: 5, codeKey: KEY })

describe('verifyCode', () => {
  it('compares at most maxAttempts guesses however many run at once', async () => {
    const codes = memoryCodes(issued('246810'))
    let comparisons = 0
    const counting: typeof codeMatches = (...args) => {
      comparisons += 1
      return codeMatches(...args)
    }
    const guesses = Array.from({ length: 30 }, (_, i) => String(100000 + i))
    const results = await Promise.all(guesses.map((g) => verifyCode(codes, input(g), counting)))
    expect(comparisons).toBe(5)
    expect(results.every((r) => !r.ok)).toBe(true)
    expect(codes.doc.attempts).toBe(5)
    expect(await verifyCode(codes, input('246810'))).toEqual({ ok: false, code: 'SMS_TOO_MANY_ATTEMPTS' })
  })

  it('lets one of many concurrent right answers through', async () => {
    const codes = memoryCodes(issued('246810'))
    const results = await Promise.all(Array.from({ length: 10 }, () => verifyCode(codes, input('246810'))))
    expect(results.filter((r) => r.ok)).toHaveLength(1)
  })

  it('gives wrong, expired, used and missing codes one client answer', async () => {
    const answers = [
      await verifyCode(memoryCodes(issued('246810')), input('135790')),
      await verifyCode(memoryCodes(issued('246810', { expiresAt: now })), input('246810')),
      await verifyCode(memoryCodes(issued('246810', { used: true })), input('246810')),
      await verifyCode({ ...memoryCodes(issued('246810')), read: async () => null }, input('246810')),
    ]
    expect(answers.map((a) => !a.ok && a.code)).toEqual(['SMS_CODE_INVALID', 'SMS_CODE_INVALID', 'SMS_CODE_INVALID', 'SMS_CODE_INVALID'])
  })
})
