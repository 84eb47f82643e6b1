/**
 * @module phonebind-weapp — what a mini program imports besides the `phone-auth` component:
 * start cloud development and the phonebind session in `App.onLaunch`, read the session on a
 * page, call the phonebind functions with typed results. The component uses these same modules,
 * so the session the app starts is the one the component relies on (one copy in miniprogram_npm).
 *
 * @example
 * // app.ts
 * import { initCloud, startSession } from 'phonebind-weapp'
 * App({ onLaunch() { if (initCloud('your-env-id')) void startSession({ legacy: false }) } })
 */
export { initCloud } from './services/launch'
export { getSession, relogin, resetSession, startSession } from './services/session'
export type { SessionOptions } from './services/session'
export { callFunction, parseResult } from './services/cloud'
export type { DataOf, RequestOf } from './services/cloud'
export { phoneFeatures } from './services/baseLibrary'
export { phoneApiAvailable, requestPhoneByApi } from './services/phoneApi'
export { clearTapCooldown } from './services/tapCooldown'
export { installPrivacyCoordinator, privacyCoordinatorInstalled, resetPrivacyCoordinator } from './services/privacy'
export type { PrivacyCoordinatorOptions } from './services/privacy'
export type { NeedPrivacyListener, PrivacyEventInfo, PrivacyResolve } from './types/wechat'
export type { PhoneFeatures } from './services/baseLibrary'
export { MIN_BASE_LIBRARY } from '../../../core/baseLibrary'
export { ERROR_CODES, errorInfo, isErrorCode } from '../../../core/errors'
export type { ErrorCode } from '../../../core/errors'
export type { BindChange, BindData, ErrorInfo, FunctionName, LoginData, PhoneSource, PhoneView, Result } from '../../../core/contracts'
export type { NextStep, PhoneAuthBoundDetail, PhoneAuthDeniedDetail, PhoneAuthFailedDetail, PhoneAuthProps } from './phone-auth/type'
export type { PhoneAuthButtonFailedDetail, PhoneAuthSmsFailedDetail } from './phone-auth/type'
export { sendSmsCode, verifySmsCode } from './services/sms'
export { mainlandMobile } from './sms-verify/input'
export type { SendSmsCodeData } from '../../../core/contracts'
export type { SmsNextStep, SmsVerifyBoundDetail, SmsVerifyFailedDetail, SmsVerifyProps, SmsVerifySentDetail } from './sms-verify/type'
