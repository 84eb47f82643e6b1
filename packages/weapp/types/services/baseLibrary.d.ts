import type { PrivacyApi } from '../types/wechat';
export interface PhoneFeatures {
    version: string;
    /** `wx.cloud` exists: callFunction and `wx.cloud.CloudID` work. */
    cloud: boolean;
    /** The button may deliver `cloudID`. */
    cloudID: boolean;
    /** The button delivers `code` (the preferred path). */
    code: boolean;
    /** `open-type="getRealtimePhoneNumber"` exists. */
    realtime: boolean;
    /** The privacy APIs exist; without them the platform handles consent itself. */
    privacy: boolean;
}
/** `SDKVersion` from `wx.getAppBaseInfo` (≥ 2.20.1), else from the older `getSystemInfoSync`. */
export declare function sdkVersion(): string;
export declare function phoneFeatures(version?: string): PhoneFeatures;
/** The privacy APIs with correct typings, or null when the host lacks them. */
export declare function privacyApi(): PrivacyApi | null;
