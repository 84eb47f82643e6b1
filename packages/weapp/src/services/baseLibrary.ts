/**
 * @module services/baseLibrary — what the running base library can do, decided by numeric version
 * comparison (`'2.29.1' > '2.3.0'` is false as strings) plus a check that the API really exists.
 */
import { hasFeature } from '../../../../core/baseLibrary'
import type { PrivacyApi } from '../types/wechat'

export interface PhoneFeatures {
  version: string
  /** `wx.cloud` exists: callFunction and `wx.cloud.CloudID` work. */
  cloud: boolean
  /** The button may deliver `cloudID`. */
  cloudID: boolean
  /** The button delivers `code` (the preferred path). */
  code: boolean
  /** `open-type="getRealtimePhoneNumber"` exists. */
  realtime: boolean
  /** The privacy APIs exist; without them the platform handles consent itself. */
  privacy: boolean
  /** `open-type="getPhoneNumber|agreePrivacyAuthorization"` works: consent and the phone sheet in one tap. */
  coupledPrivacy: boolean
}

/** `SDKVersion` from `wx.getAppBaseInfo` (≥ 2.20.1), else from the older `getSystemInfoSync`. */
export function sdkVersion(): string {
  try {
    if (typeof wx.getAppBaseInfo === 'function') return wx.getAppBaseInfo().SDKVersion
    return wx.getSystemInfoSync().SDKVersion
  } catch {
    return '0.0.0'
  }
}

export function phoneFeatures(version: string = sdkVersion()): PhoneFeatures {
  const cloud = !!wx.cloud && hasFeature(version, 'cloud')
  const privacy = hasFeature(version, 'privacy') && privacyApi() !== null
  return {
    version,
    cloud,
    cloudID: cloud && hasFeature(version, 'cloudID'),
    code: hasFeature(version, 'code'),
    realtime: hasFeature(version, 'realtime'),
    privacy,
    coupledPrivacy: privacy && hasFeature(version, 'coupledPrivacy'),
  }
}

/** The privacy APIs with correct typings, or null when the host lacks them. */
export function privacyApi(): PrivacyApi | null {
  const api = wx as unknown as Partial<PrivacyApi>
  if (typeof api.getPrivacySetting !== 'function' || typeof api.onNeedPrivacyAuthorization !== 'function') return null
  return api as PrivacyApi
}
