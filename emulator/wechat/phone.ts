/**
 * @module emulator/wechat/phone — the phone button, phone codes and cloudIDs.
 *
 * A tap is checked the way the platform does (reference/wechat-phone-facts.md §5-§7): app
 * permission, privacy declaration (112), user privacy consent (104, only where the base library
 * has the privacy APIs: core/baseLibrary.ts `consentIntercepted`), paid quota (1400001), the
 * user's choice; then it delivers what the user's base library supports: `code` (≥ 2.21.2),
 * `cloudID` (≥ 2.8.0) and always `encryptedData` + `iv` under the user's CURRENT session key.
 * Only a successful tap is charged. Operations over a `WeChatState` (`./state.ts`).
 */
import { consentIntercepted, hasFeature } from '../../core/baseLibrary'
import { encryptOpenData } from '../../core/crypto'
import type { PhoneButtonDetail } from '../../core/wechatCodes'
import { charge, meterOf, quotaLeft } from './meter'
import { currentSessionKey } from './session'
import type { TestUser, WeChatState } from './state'

/** What the simulated user does, or what the platform forces, when the button is tapped. */
export type TapOutcome = 'allow' | 'deny' | 'cancel' | 'quota' | 'privacy' | 'undeclared' | 'noPermission' | 'sms' | 'unsupported'
export const TAP_OUTCOMES: readonly TapOutcome[] = ['allow', 'deny', 'cancel', 'quota', 'privacy', 'undeclared', 'noPermission', 'sms', 'unsupported']

/** Deny texts differ per platform (§5); clients must not match them exactly. */
export type Platform = 'ios' | 'android' | 'devtools' | 'legacy'

export interface TapOptions {
  /** Default: `allow`, unless the app or user state forces a failure. */
  outcome?: TapOutcome
  /** `open-type="getRealtimePhoneNumber"` (≥ 2.24.4): delivers a code only. */
  realtime?: boolean
  platform?: Platform
  /**
   * The button's `phone-number-no-quota-toast` (base library ≥ 3.0.1), default true: with no quota
   * left, WeChat shows its own half-screen notice ("该功能使用次数已达当前小程序上限，暂时无法使用")
   * unless it is `{{false}}`. The callback gets errno 1400001 either way (getPhoneNumber.html).
   */
  phoneNumberNoQuotaToast?: boolean
}

export type { PhoneButtonDetail }

/** `{phoneNumber, purePhoneNumber, countryCode, watermark}` as WeChat shapes it. */
export interface PhoneData {
  phoneNumber: string
  purePhoneNumber: string
  countryCode: string | number
  watermark: { timestamp: number; appid: string }
}


export function phoneData(wx: WeChatState, user: TestUser, asNumber = false): PhoneData {
  const cc = user.countryCode ?? '86'
  const pure = user.purePhoneNumber ?? ''
  return {
    // Mainland numbers come without a prefix; the foreign format is undocumented (§1).
    phoneNumber: cc === '86' ? pure : `+${cc}${pure}`,
    purePhoneNumber: pure,
    countryCode: asNumber ? Number(cc) : cc,
    watermark: { timestamp: wx.nowSec(), appid: user.appid },
  }
}

function denyText(platform: Platform, api: string): string {
  switch (platform) {
    case 'android':
      return `${api}:fail:user deny`
    case 'legacy':
      return `${api}:user deny`
    default:
      return `${api}:fail user deny`
  }
}

/** Taps the phone button as `openid`. Never throws for a known user. */
export function tapPhoneButton(wx: WeChatState, openid: string, options: TapOptions = {}): PhoneButtonDetail {
  const user = wx.requireUser(openid)
  const app = wx.requireApp(user.appid)
  const api = options.realtime ? 'getRealtimePhoneNumber' : 'getPhoneNumber'
  const done = (detail: PhoneButtonDetail): PhoneButtonDetail => {
    wx.emit(`tap.${api}`, detail.errno ?? (detail.errMsg.endsWith(':ok') ? 0 : -1), openid)
    return detail
  }
  let outcome = options.outcome ?? 'allow'
  // The platform's own checks come first; a forced outcome only replaces the user's choice.
  if (outcome === 'allow' || outcome === 'deny' || outcome === 'cancel') {
    if (!app.phonePermission) outcome = 'noPermission'
    else if (!app.privacyDeclared) outcome = 'undeclared'
    else if (consentIntercepted(user)) outcome = 'privacy'
    else if (quotaLeft(meterOf(wx, app.appid), wx.clock.now()) <= 0) outcome = 'quota'
    else if (options.realtime && !hasFeature(user.baseLibrary, 'realtime')) outcome = 'unsupported'
  }
  switch (outcome) {
    case 'noPermission':
      return done({ errMsg: `${api}:fail no permission` })
    case 'undeclared':
      return done({ errMsg: `${api}:fail api scope is not declared in the privacy agreement`, errno: 112 })
    case 'privacy':
      return done({ errMsg: `${api}:fail privacy permission is not authorized`, errno: 104 })
    case 'quota':
      // Reported as its own event so the console shows whether the user saw WeChat's notice.
      if (options.phoneNumberNoQuotaToast !== false) wx.emit('toast.noQuota', 1400001, openid)
      return done({ errMsg: `${api}:fail quota exhausted`, errno: 1400001 })
    case 'unsupported':
      return done({ errMsg: `${api}:fail api not supported` })
    case 'sms':
      return done({ errMsg: `${api}:fail 用户绑定的手机需要进行验证，请在客户端完成短信验证步骤` })
    case 'deny':
      return done({ errMsg: denyText(options.platform ?? 'ios', api) })
    case 'cancel':
      return done({ errMsg: `${api}:fail:user cancel` })
    case 'allow':
      break
  }

  // Charged on success only; the check above made sure a package has a call left.
  charge(wx, app.appid, options.realtime ? 'realtime' : 'quick')
  const now = wx.clock.now()
  const detail: PhoneButtonDetail = { errMsg: `${api}:ok` }
  if (options.realtime || hasFeature(user.baseLibrary, 'code')) {
    const code = wx.ids.phoneCode()
    wx.snapshot.phoneCodes[code] = { code, appid: user.appid, openid, issuedAt: now, used: false }
    detail.code = code
  }
  if (!options.realtime) {
    const data = phoneData(wx, user)
    if (hasFeature(user.baseLibrary, 'cloudID')) {
      const cloudID = wx.ids.cloudId()
      wx.snapshot.cloudIds[cloudID] = { cloudID, appid: user.appid, openid, issuedAt: now, data: { ...data } }
      detail.cloudID = cloudID
    }
    const iv = wx.ids.iv()
    detail.encryptedData = encryptOpenData({ sessionKey: currentSessionKey(wx, user), iv, data })
    detail.iv = iv
  }
  wx.save()
  return done(detail)
}

/** The caller of a server-side exchange, from the invocation's `WX_API_TOKEN`. */
export interface Caller {
  openid: string
  appid: string
  invocationId?: string
}

export type PhoneNumberResponse = { errcode: 0; errmsg: 'ok'; phone_info: PhoneData } | { errcode: number; errmsg: string }

/**
 * The errcode for "`openid` given, but the code was issued to someone else". WeChat documents the
 * check ("填入后会校验 openid 和 code 的绑定关系") but not its errcode: 40003 ("invalid openid",
 * WeChat's global code for an openid that does not fit the request) is OUR GUESS. The code is
 * not spent, so its owner can still use it. core/wechatCodes.ts maps it, like 40029, to
 * CODE_INVALID, so phonebind behaves the same whichever of the two WeChat really sends.
 */
export const OPENID_MISMATCH_ERRCODE = 40003

/**
 * `phonenumber.getPhoneNumber({code, openid?})` / `POST /wxa/business/getuserphonenumber`.
 * As documented, without `openid` any caller of the code's appid can redeem it; with `openid`,
 * a code issued to another user fails (`OPENID_MISMATCH_ERRCODE`) and stays unspent.
 */
export async function exchangePhoneCode(wx: WeChatState, code: unknown, caller: Caller, openid?: unknown): Promise<PhoneNumberResponse> {
  const reply = (errcode: number, errmsg: string, openid?: string): PhoneNumberResponse => {
    wx.emit('getPhoneNumber', errcode, openid ?? caller.openid, caller.invocationId)
    return { errcode, errmsg: errcode === 0 ? errmsg : `${errmsg} rid: ${wx.ids.rid()}` }
  }
  const fault = await wx.fault('getPhoneNumber')
  if (fault.errcode === 45011) return reply(45011, 'api minute-quota reach limit mustslower retry next minute')
  const entry = typeof code === 'string' ? wx.snapshot.phoneCodes[code] : undefined
  if (fault.errcode === -1) {
    // Burn the code: WeChat says never replay a code after -1 (§4.2).
    if (entry) {
      entry.used = true
      wx.save()
    }
    return reply(-1, 'system error')
  }
  if (typeof code !== 'string' || code === '') return reply(41001, 'missing code')
  const hint = code.slice(0, 6)
  if (!entry) return reply(40029, `invalid code hint: [${hint}]`)
  // Another app's code is just an invalid code to WeChat: staff answers on the developer
  // community (threads 000642fc5605a040d2b2c599f6b400, 000e04685a82e817ef714f7c760800) list
  // "code和appid不匹配，code不是对应appid生成的" among the causes of 40029; 40013 "invalid appid"
  // is about the caller's appid itself. Checked first (before the owner check below): a code of
  // another app has no owner in this app. It is not spent, so its own app can still redeem it.
  if (entry.appid !== caller.appid) return reply(40029, `invalid code hint: [${hint}]`)
  // Checked before "used/expired" and without spending the code: the asker is not its owner.
  if (openid !== undefined && openid !== '' && openid !== entry.openid) return reply(OPENID_MISMATCH_ERRCODE, 'invalid openid')
  if (entry.used || wx.isExpired(entry.issuedAt)) return reply(40029, `invalid code hint: [${hint}]`)
  entry.used = true
  wx.save()
  const user = wx.requireUser(entry.openid)
  wx.emit('getPhoneNumber', 0, caller.openid, caller.invocationId)
  return { errcode: 0, errmsg: 'ok', phone_info: phoneData(wx, user, wx.countryCodeAsNumber) }
}

/** One resolved cloudID, as `ApiGetOpenDataByCloudIdResp` items and callFunction substitution carry it. */
export type CloudIdResult = { cloudID: string; data: Record<string, unknown> } | { cloudID: string; errCode: number; errMsg: string }

export const CLOUDID_ERRORS = {
  invalid: { errCode: -601005, errMsg: 'invalid cloudID.' },
  expired: { errCode: -601006, errMsg: 'cloudID expired.' },
  otherUser: { errCode: -601007, errMsg: 'cloudID and calling user does not match.' },
} as const

/** Resolves cloudIDs for `caller`; every id gets its own result. */
export function resolveCloudIds(wx: WeChatState, ids: readonly string[], caller: Caller): CloudIdResult[] {
  return ids.map((cloudID) => {
    const entry = wx.snapshot.cloudIds[cloudID]
    const result: CloudIdResult = !entry
      ? { cloudID, ...CLOUDID_ERRORS.invalid }
      : entry.openid !== caller.openid || entry.appid !== caller.appid
        ? { cloudID, ...CLOUDID_ERRORS.otherUser }
        : wx.isExpired(entry.issuedAt)
          ? { cloudID, ...CLOUDID_ERRORS.expired }
          : { cloudID, data: { ...entry.data } }
    wx.emit('getOpenData', 'errCode' in result ? result.errCode : 0, caller.openid, caller.invocationId)
    return result
  })
}
