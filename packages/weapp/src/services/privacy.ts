/**
 * @module services/privacy — the app-level privacy coordinator.
 *
 * `wx.onNeedPrivacyAuthorization` keeps ONE listener per app: each registration replaces the last.
 * Without the coordinator, `phone-auth` registers its own listener and so silently replaces a host
 * app's privacy popup. With it, the host installs the one listener in `App.onLaunch`; triggers of
 * the phone button go to the attached `phone-auth`'s consent sheet, every other trigger (the host's
 * own `wx.getLocation`, `wx.chooseImage`, `wx.requirePrivacyAuthorize`, …) goes to the host's
 * handler, which keeps its popup. `phone-auth` registers with the coordinator when it is installed
 * and keeps its old behaviour (its own listener) when it is not.
 */
import { hasFeature } from '../../../../core/baseLibrary'
import type { NeedPrivacyListener, PrivacyEventInfo } from '../types/wechat'
import { privacyApi, sdkVersion } from './baseLibrary'

export interface PrivacyCoordinatorOptions {
  /**
   * Every trigger that is not phone-auth's: show the app's own popup and call `resolve` exactly as
   * WeChat documents (`{ event: 'exposureAuthorization' }` when shown, then `{ event: 'agree',
   * buttonId }` after the `agreePrivacyAuthorization` button's event, or `{ event: 'disagree' }`).
   * Required: once a listener is registered WeChat no longer shows its official popup, so a
   * trigger nobody answers would leave the original call pending.
   */
  onOtherTrigger: NeedPrivacyListener
}

/**
 * The referrers WeChat gives the phone buttons. `button.getPhoneNumber` is documented
 * (wx.onNeedPrivacyAuthorization, eventInfo.referrer); `button.getRealtimePhoneNumber` follows
 * the same pattern but is a guess, not seen on a device.
 */
const PHONE_REFERRERS = new Set(['button.getPhoneNumber', 'button.getRealtimePhoneNumber'])

/** Attached phone-auth instances, most recent last: the newest one is on the page being shown. */
const phoneAuthListeners: NeedPrivacyListener[] = []
let installed: PrivacyCoordinatorOptions | null = null

/** True when the referrer is a phone button's (the caller also checks that a phone-auth is attached). */
function isPhoneAuthTrigger(eventInfo: PrivacyEventInfo | undefined): boolean {
  return !!eventInfo && typeof eventInfo.referrer === 'string' && PHONE_REFERRERS.has(eventInfo.referrer)
}

/**
 * Installs the app's one `wx.onNeedPrivacyAuthorization` listener. Call once, in `App.onLaunch`,
 * before any page attaches a `phone-auth`. Returns false (and registers nothing) where the base
 * library has no privacy APIs (< 2.32.3): there the platform handles consent by itself.
 * A second call throws: two owners of the "other" triggers cannot both answer them.
 */
export function installPrivacyCoordinator(options: PrivacyCoordinatorOptions): boolean {
  if (installed) throw new Error('[phonebind] installPrivacyCoordinator: already installed (call it once, in App.onLaunch)')
  if (!options || typeof options.onOtherTrigger !== 'function') {
    throw new TypeError('[phonebind] installPrivacyCoordinator: onOtherTrigger(resolve, eventInfo) is required')
  }
  const api = privacyApi()
  if (!api || !hasFeature(sdkVersion(), 'privacy')) return false
  installed = options
  api.onNeedPrivacyAuthorization((resolve, eventInfo) => {
    const phoneAuth = phoneAuthListeners[phoneAuthListeners.length - 1]
    // A phone trigger with no phone-auth attached is the host's own phone button: the host answers.
    if (phoneAuth && isPhoneAuthTrigger(eventInfo)) phoneAuth(resolve, eventInfo)
    else options.onOtherTrigger(resolve, eventInfo || {})
  })
  return true
}

/** Whether the coordinator owns the listener (phone-auth then must not register its own). */
export function privacyCoordinatorInstalled(): boolean {
  return installed !== null
}

/**
 * For phone-auth: receive the phone button's triggers through the coordinator. Returns the
 * function that unregisters (call it on detach).
 */
export function registerPhoneAuthPrivacy(listener: NeedPrivacyListener): () => void {
  phoneAuthListeners.push(listener)
  return () => {
    const i = phoneAuthListeners.lastIndexOf(listener)
    if (i >= 0) phoneAuthListeners.splice(i, 1)
  }
}

/** For tests: forget the installation (WeChat's listener itself cannot be removed). */
export function resetPrivacyCoordinator(): void {
  installed = null
  phoneAuthListeners.length = 0
}
