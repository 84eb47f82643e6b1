/**
 * @module server/functions/verifySmsCode — `verifySmsCode {phone, code}`: checks the texted code
 * and binds the number exactly as the phone button does (server/bind.ts, source `sms`: same
 * transaction, conflict policy and audit).
 *
 * One answer, SMS_CODE_INVALID, for a wrong, expired, used, replaced or never-sent code, and for
 * a code sent to another number: the function is no oracle about which. An attempt is claimed
 * atomically BEFORE the comparison (./sms/store.ts), so however many requests run at once a code
 * is compared at most `maxAttempts` times; then it is dead (SMS_TOO_MANY_ATTEMPTS) until a new
 * one is sent. A correct code is consumed before binding, so it binds at most once — even when
 * the binding is then refused (a number owned by another account): single-use means single-use.
 */
import type { BindData, Result } from '../../core/contracts'
import { fail } from '../../core/errors'
import { parseVerifySmsCodeRequest } from '../../core/validate'
import { bindForCaller } from '../bind'
import type { Invocation } from '../handler'
import { codeMatches } from '../sms/codes'
import { cloudCodeStore } from '../sms/store'

export async function verifySmsCode(event: unknown, inv: Invocation): Promise<Result<BindData>> {
  const req = parseVerifySmsCodeRequest(event)
  if (!req.ok) return req
  const sms = inv.config.sms
  if (!sms) return fail('SMS_NOT_CONFIGURED')
  const { phone, code } = req.data
  const max = sms.limits.maxAttempts
  const codes = cloudCodeStore(inv.db)
  const now = inv.now()
  const stored = await codes.read(inv.openid)
  const refuse = (why: string) => {
    // The cause is for the log only; the client always gets the same answer.
    inv.log.info('sms code refused', { why, masked: phone.masked })
    return fail('SMS_CODE_INVALID')
  }
  if (!stored || stored.used) return refuse(stored ? 'used' : 'none')
  if (stored.attempts >= max) return fail('SMS_TOO_MANY_ATTEMPTS')
  if (stored.expiresAt.getTime() <= now.getTime()) return refuse('expired')
  if (!(await codes.claimAttempt(inv.openid, stored.nonce, max))) {
    const again = await codes.read(inv.openid)
    return again && again.nonce === stored.nonce && !again.used && again.attempts >= max ? fail('SMS_TOO_MANY_ATTEMPTS') : refuse('raced')
  }
  if (!codeMatches(code, stored.nonce, { openid: inv.openid, e164: phone.e164 }, sms.codeKey, stored.hash)) {
    const wrong = stored.attempts + 1
    inv.log.info('sms code wrong', { attempt: wrong, of: max, masked: phone.masked })
    // `wrong` is a lower bound (concurrent claims may have added more); exhausted either way.
    return wrong >= max ? fail('SMS_TOO_MANY_ATTEMPTS') : fail('SMS_CODE_INVALID')
  }
  if (!(await codes.consume(inv.openid, stored.nonce, now))) return refuse('consumed concurrently')
  return bindForCaller(inv, phone, 'sms')
}
