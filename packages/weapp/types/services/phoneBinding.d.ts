/**
 * @module services/phoneBinding — turns one phone-button event into one binding attempt.
 *
 * The path is picked from what WeChat delivered, in order of trust: `code` → `getPhoneNumber`;
 * else `cloudID` → `getOpenData` (wrapped in `wx.cloud.CloudID` so the platform resolves it for
 * the calling user); else `encryptedData`+`iv` → `getOpenData` (legacy). Nothing here retries:
 * every value from the button is single use, so "retry" always means a fresh tap.
 */
import type { BindData, ErrorInfo, PhoneSource } from '../core/contracts';
import type { PhoneButtonDetail } from '../types/wechat';
import type { PhoneFeatures } from './baseLibrary';
export type BindAttempt = {
    kind: 'bound';
    source: PhoneSource;
    data: BindData;
} | {
    kind: 'denied';
    error: ErrorInfo;
} | {
    kind: 'failed';
    source: PhoneSource | null;
    error: ErrorInfo;
};
export interface BindOptions {
    features: PhoneFeatures;
    /** Whether this deployment accepts the legacy `encryptedData` path. */
    legacy: boolean;
}
export declare function bindFromButton(detail: PhoneButtonDetail, opts: BindOptions): Promise<BindAttempt>;
