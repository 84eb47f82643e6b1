/**
 * @module server/functions/getPhoneNumber — `getPhoneNumber {code}`: the preferred path.
 *
 * The code is exchanged exactly once. Every failure, including WeChat's -1 ("busy"), is a
 * result asking for a NEW tap: replaying a phone code after any failure can only yield 40029,
 * and WeChat may already have charged the tap. `watermark.appid` is checked here too, which
 * uni-id forgot on this path (reference §12).
 *
 * The caller's OPENID goes along with the code: WeChat then checks that the code was issued
 * to that user ("填入后会校验 openid 和 code 的绑定关系"). Without it, any function of the same
 * appid may redeem any user's code, so a stolen code would bind someone else's number.
 */
import type { BindData, Result } from '../../core/contracts'
import { fail } from '../../core/errors'
import { normalisePhone } from '../../core/phone'
import { parseGetPhoneNumberRequest } from '../../core/validate'
import { fromCloudSdkError } from '../../core/wechatCodes'
import { bindForCaller } from '../bind'
import type { Invocation } from '../handler'

export async function getPhoneNumber(event: unknown, inv: Invocation): Promise<Result<BindData>> {
  const req = parseGetPhoneNumberRequest(event)
  if (!req.ok) return req
  let info: unknown
  try {
    const res = await inv.cloud.openapi.phonenumber.getPhoneNumber({ code: req.data.code, openid: inv.openid })
    info = res.phoneInfo
  } catch (e) {
    const error = fromCloudSdkError(e, 'getPhoneNumber')
    inv.log.warn('phone code exchange failed', { failure: error.code, errcode: error.wechatCode })
    return { ok: false, error }
  }
  const watermarkAppid = (info as { watermark?: { appid?: unknown } } | undefined)?.watermark?.appid
  if (watermarkAppid !== undefined && watermarkAppid !== inv.appid) return fail('WATERMARK_APPID_MISMATCH')
  const phone = normalisePhone(info)
  if (!phone.ok) return phone
  return bindForCaller(inv, phone.data, 'code')
}
