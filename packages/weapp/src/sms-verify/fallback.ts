/**
 * @module sms-verify/fallback — when phone-auth offers 「短信验证」: the outcomes of the phone button
 * after which a fresh tap cannot succeed but an SMS code can (issue 15; WeChat itself advises SMS
 * verification "在重点场景", and its policy forbids forcing the phone sheet on a user who said no).
 */
import type { ErrorInfo } from '../../../../core/contracts'
import type { ErrorCode } from '../../../../core/errors'

const BUTTON_CANNOT_HELP: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'USER_DENIED', // the user said no to WeChat's sheet: offer the other route, never insist
  'QUOTA_EXHAUSTED', // errno 1400001: the account's phone quota is spent
  'DAILY_QUOTA_REACHED', // the server's daily WeChat API quota is spent
  'APP_NOT_ELIGIBLE', // individual / unverified / overseas account: "no permission"
  'PRIVACY_NOT_DECLARED', // errno 112: the button stays disabled until the guide is fixed
  'API_PERMISSION_DENIED', // getPhoneNumber lacks its openapi permission; the SMS functions need none
  'NOT_SUPPORTED', // a base library too old for code and cloudID
  'LEGACY_NOT_CONFIGURED', // only encryptedData came, and this deployment refuses that path
  'MISSING_PHONE', // the WeChat account has no number to share
  'PHONE_NEEDS_SMS_VERIFICATION', // WeChat itself asks for an SMS step
  'PHONE_TAP_COOLDOWN', // the cost guard rests the button after repeated cancelled sheets
])

/**
 * Whether to offer SMS after `error`. Not for failures a new tap fixes (codes expired, network),
 * not for a declined privacy guide (the sheet's agree button is the way on, and typing the number
 * is the same personal information), not for conflicts (the number is someone else's), and never
 * without `wx.cloud`: the SMS functions are cloud functions too.
 */
export function offersSmsFallback(error: ErrorInfo, cloudAvailable: boolean): boolean {
  return cloudAvailable && BUTTON_CANNOT_HELP.has(error.code)
}
