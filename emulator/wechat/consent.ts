/**
 * @module emulator/wechat/consent — when WeChat stops a phone tap for missing privacy consent, in one
 * place for the server-side tap (./phone.ts), the client-side privacy flow (../client/privacy.ts)
 * and the console's phone. Pure (no Node APIs), so the console's browser bundle can use it.
 *
 * Only base libraries with the privacy APIs intercept: PrivacyAuthorize.html (2023-08-22 update,
 * mirrored in uni-app's guide uniapp.dcloud.net.cn/tutorial/mp-weixin-user-privacy.html): "从基础库
 * 2.32.3 开始支持，低于 2.32.3 版本的基础库未集成隐私相关功能，也不会拦截隐私接口调用". The version is
 * core/baseLibrary.ts's `privacy`, the one the component decides with.
 */
import { hasFeature } from '../../core/baseLibrary'

/** Whether a tap by this user is held (client side) or refused with errno 104 (server side) for consent. */
export function consentIntercepted(user: { privacyAuthorized: boolean; baseLibrary: string }): boolean {
  return !user.privacyAuthorized && hasFeature(user.baseLibrary, 'privacy')
}
