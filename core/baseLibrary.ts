/**
 * @module core/baseLibrary — the base-library versions from which WeChat offers each feature the
 * phone flow depends on, defined once: the component decides its path with them, the simulated
 * WeChat decides what a tap delivers with them, and the console explains them. Pure data plus a
 * numeric comparison, so it runs in the mini program as well as in Node.
 */
import { compareVersion } from './wechatCodes'

/** Minimum base library per feature (WeChat's docs; reference/miniprogram-frontend.md §7). */
export const MIN_BASE_LIBRARY = {
  /** `wx.cloud` (callFunction, CloudID). */
  cloud: '2.2.3',
  /** The phone button delivers `cloudID`. */
  cloudID: '2.8.0',
  /** The phone button delivers `code` (the preferred path). */
  code: '2.21.2',
  /** `open-type="getRealtimePhoneNumber"`. */
  realtime: '2.24.4',
  /** `wx.getPrivacySetting`, `wx.onNeedPrivacyAuthorization`, `agreePrivacyAuthorization`. */
  privacy: '2.32.3',
  /** `open-type="getPhoneNumber|agreePrivacyAuthorization"` (and the realtime variant): consent and
   * the phone sheet in one tap. PrivacyAuthorize.html: "从基础库 2.33.1 版本起，该组件支持与手机号
   * 快速验证组件、手机号实时验证组件耦合使用" (quoted in community thread 000c0aef6246c0b106303eba461c00). */
  coupledPrivacy: '2.33.1',
} as const

export type BaseLibraryFeature = keyof typeof MIN_BASE_LIBRARY

/** Whether a base library `version` has `feature`, compared part by part ('2.29.1' > '2.3.0'). */
export function hasFeature(version: string, feature: BaseLibraryFeature): boolean {
  return compareVersion(version, MIN_BASE_LIBRARY[feature]) >= 0
}

/**
 * Whether WeChat stops a privacy API (the phone button) of this user for missing consent: held for
 * the app's listener or the official popup on the client, errno 104 at the tap. Only base libraries
 * with the privacy APIs intercept: PrivacyAuthorize.html (2023-08-22 update, mirrored in uni-app's
 * guide uniapp.dcloud.net.cn/tutorial/mp-weixin-user-privacy.html): "从基础库 2.32.3 开始支持，低于
 * 2.32.3 版本的基础库未集成隐私相关功能，也不会拦截隐私接口调用". One rule for the emulator's tap, its
 * client-side privacy flow and the console.
 */
export function consentIntercepted(user: { privacyAuthorized: boolean; baseLibrary: string }): boolean {
  return !user.privacyAuthorized && hasFeature(user.baseLibrary, 'privacy')
}
