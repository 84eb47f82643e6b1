/**
 * @module server/functions/verifySmsCode — `verifySmsCode {phone, code}`: checks the texted code
 * and binds the number exactly as the phone button does (server/bind.ts, source `sms`: same
 * transaction, conflict policy and audit).
 *
 * One answer, SMS_CODE_INVALID, for a wrong, expired, used, replaced or never-sent code, and for
 * a code sent to another number: the function is no oracle about which. An attempt is claimed
 * atomically BEFORE the comparison (../sms/verify.ts), so however many requests run at once a code
 * is compared at most `maxAttempts` times; then it is dead (SMS_TOO_MANY_ATTEMPTS) until a new
 * one is sent. A correct code is consumed before binding, so it binds at most once — even when
 * the binding is then refused (a number owned by another account): single-use means single-use.
 */
import type { BindData, Result } from '../../core/contracts'
import { fail } from '../../core/errors'
import { parseVerifySmsCodeRequest } from '../../core/validate'
import { bindForCaller } from '../bind'
import type { Invocation } from '../handler'
import { cloudCodeStore } from '../sms/store'
import { verifyCode } from '../sms/verify'

export async function verifySmsCode(event: unknown, inv: Invocation): Promise<Result<BindData>> {
  const req = parseVerifySmsCodeRequest(event)
  if (!req.ok) return req
  const sms = inv.config.sms
  if (!sms) return fail('SMS_NOT_CONFIGURED')
  const { phone, code } = req.data
  const checked = await verifyCode(cloudCodeStore(inv.db), { openid: inv.openid, e164: phone.e164, code, now: inv.now(), maxAttempts: sms.limits.maxAttempts, codeKey: sms.codeKey })
  if (!checked.ok) {
    // The cause is for the log only; the client gets the code's one answer.
    inv.log.info('sms code refused', { failure: checked.code, why: 'why' in checked ? checked.why : undefined, masked: phone.masked })
    return fail(checked.code)
  }
  return bindForCaller(inv, phone, 'sms')
}
