/** Minimum base library per feature (WeChat's docs; reference/miniprogram-frontend.md §7). */
export declare const MIN_BASE_LIBRARY: {
    /** `wx.cloud` (callFunction, CloudID). */
    readonly cloud: "2.2.3";
    /** The phone button delivers `cloudID`. */
    readonly cloudID: "2.8.0";
    /** The phone button delivers `code` (the preferred path). */
    readonly code: "2.21.2";
    /** `open-type="getRealtimePhoneNumber"`. */
    readonly realtime: "2.24.4";
    /** `wx.getPrivacySetting`, `wx.onNeedPrivacyAuthorization`, `agreePrivacyAuthorization`. */
    readonly privacy: "2.32.3";
};
export type BaseLibraryFeature = keyof typeof MIN_BASE_LIBRARY;
/** Whether a base library `version` has `feature`, compared part by part ('2.29.1' > '2.3.0'). */
export declare function hasFeature(version: string, feature: BaseLibraryFeature): boolean;
