/**
 * @module types/wechat — what miniprogram-api-typings 5.2.3 gets wrong or leaves out, typed
 * from the platform's real behaviour (see the reference's typing-gaps table). Type-only: the
 * devtools TypeScript plugin strips these imports, so nothing here reaches the package.
 */

/**
 * `e.detail` of `getphonenumber` / `getrealtimephonenumber`. The typings say `code: string`, but
 * `code` is absent on failure, and `errno` (1400001 quota, 104/112 privacy) is not typed at all.
 * Defined once in the shared code mapping, which classifies it.
 */
export type { PhoneButtonDetail } from '../../../../core/wechatCodes'

/** `wx.cloud.callFunction` rejects with an `Error` carrying `errCode`; the typings declare only `errMsg`. */
export interface CallFunctionRejection {
  errCode?: number
  errMsg?: string
  message?: string
}

/** `resolve` handed to `wx.onNeedPrivacyAuthorization` listeners (typed as a plain callback upstream). */
export type PrivacyResolve = (
  option: { event: 'agree'; buttonId?: string } | { event: 'disagree' } | { event: 'exposureAuthorization' },
) => void

/** Second argument of the listener, e.g. `{ referrer: 'button.getPhoneNumber' }`. */
export interface PrivacyEventInfo {
  referrer?: string
}

export type NeedPrivacyListener = (resolve: PrivacyResolve, eventInfo: PrivacyEventInfo) => void

export interface PrivacySetting {
  needAuthorization: boolean
  privacyContractName: string
}

/** The privacy APIs (base library ≥ 2.32.3) with the listener signature WeChat actually calls. */
export interface PrivacyApi {
  getPrivacySetting(option: { success?: (res: PrivacySetting) => void; fail?: (err: { errMsg: string }) => void }): void
  openPrivacyContract(option?: { success?: () => void; fail?: (err: { errMsg: string }) => void }): void
  onNeedPrivacyAuthorization(listener: NeedPrivacyListener): void
}

/** The `detail` of `bindagreeprivacyauthorization`. */
export interface AgreePrivacyDetail {
  errMsg?: string
}
