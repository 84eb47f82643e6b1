/**
 * @module errors — the error catalog: stable codes, whether a retry can help, and messages in
 * Chinese and English. Codes are part of the public contract: never rename one, only add.
 *
 * `retryable` means "trying again can succeed". For WeChat's single-use codes a retry always
 * means a *fresh* tap / `wx.login` — a spent code is never replayed (40029 / 40163 otherwise).
 *
 * Mapping from WeChat / CloudBase numeric codes to these lives in `./wechatCodes.ts`.
 */
import type { ErrorInfo } from './contracts';
export interface CatalogEntry {
    retryable: boolean;
    zh: string;
    en: string;
}
export declare const CATALOG: {
    INVALID_INPUT: {
        retryable: false;
        zh: string;
        en: string;
    };
    UNAUTHENTICATED: {
        retryable: false;
        zh: string;
        en: string;
    };
    LOGIN_REQUIRED: {
        retryable: true;
        zh: string;
        en: string;
    };
    LEGACY_NOT_CONFIGURED: {
        retryable: false;
        zh: string;
        en: string;
    };
    DECRYPT_ILLEGAL_SESSION_KEY: {
        retryable: true;
        zh: string;
        en: string;
    };
    DECRYPT_ILLEGAL_IV: {
        retryable: false;
        zh: string;
        en: string;
    };
    DECRYPT_ILLEGAL_BUFFER: {
        retryable: false;
        zh: string;
        en: string;
    };
    DECRYPT_FORM_ENCODED: {
        retryable: false;
        zh: string;
        en: string;
    };
    DECRYPT_SESSION_KEY_MISMATCH: {
        retryable: true;
        zh: string;
        en: string;
    };
    DECRYPT_NOT_JSON: {
        retryable: false;
        zh: string;
        en: string;
    };
    WATERMARK_APPID_MISMATCH: {
        retryable: false;
        zh: string;
        en: string;
    };
    DATA_STALE: {
        retryable: true;
        zh: string;
        en: string;
    };
    SIGNATURE_MISMATCH: {
        retryable: false;
        zh: string;
        en: string;
    };
    DECRYPT_FAILED: {
        retryable: true;
        zh: string;
        en: string;
    };
    CODE_INVALID: {
        retryable: true;
        zh: string;
        en: string;
    };
    JS_CODE_INVALID: {
        retryable: true;
        zh: string;
        en: string;
    };
    JS_CODE_USED: {
        retryable: true;
        zh: string;
        en: string;
    };
    JS_CODE_BLOCKED: {
        retryable: false;
        zh: string;
        en: string;
    };
    APPID_MISMATCH: {
        retryable: false;
        zh: string;
        en: string;
    };
    APP_CREDENTIALS_INVALID: {
        retryable: false;
        zh: string;
        en: string;
    };
    CLOUDID_INVALID: {
        retryable: true;
        zh: string;
        en: string;
    };
    CLOUDID_EXPIRED: {
        retryable: true;
        zh: string;
        en: string;
    };
    CLOUDID_USER_MISMATCH: {
        retryable: false;
        zh: string;
        en: string;
    };
    WECHAT_BUSY: {
        retryable: true;
        zh: string;
        en: string;
    };
    RATE_LIMITED: {
        retryable: true;
        zh: string;
        en: string;
    };
    DAILY_QUOTA_REACHED: {
        retryable: false;
        zh: string;
        en: string;
    };
    API_PERMISSION_DENIED: {
        retryable: false;
        zh: string;
        en: string;
    };
    MISSING_PHONE: {
        retryable: false;
        zh: string;
        en: string;
    };
    USER_DENIED: {
        retryable: true;
        zh: string;
        en: string;
    };
    QUOTA_EXHAUSTED: {
        retryable: false;
        zh: string;
        en: string;
    };
    PRIVACY_NOT_AUTHORIZED: {
        retryable: true;
        zh: string;
        en: string;
    };
    PRIVACY_NOT_DECLARED: {
        retryable: false;
        zh: string;
        en: string;
    };
    APP_NOT_ELIGIBLE: {
        retryable: false;
        zh: string;
        en: string;
    };
    PHONE_NEEDS_SMS_VERIFICATION: {
        retryable: true;
        zh: string;
        en: string;
    };
    NOT_SUPPORTED: {
        retryable: false;
        zh: string;
        en: string;
    };
    PHONE_INVALID: {
        retryable: false;
        zh: string;
        en: string;
    };
    PHONE_ALREADY_BOUND: {
        retryable: false;
        zh: string;
        en: string;
    };
    BINDING_CONFLICT: {
        retryable: true;
        zh: string;
        en: string;
    };
    NETWORK_ERROR: {
        retryable: true;
        zh: string;
        en: string;
    };
    CLOUD_FUNCTION_FAILED: {
        retryable: true;
        zh: string;
        en: string;
    };
    CLOUD_FUNCTION_NOT_FOUND: {
        retryable: false;
        zh: string;
        en: string;
    };
    CLOUD_NOT_INITIALIZED: {
        retryable: false;
        zh: string;
        en: string;
    };
    DATABASE_ERROR: {
        retryable: true;
        zh: string;
        en: string;
    };
    WECHAT_ERROR: {
        retryable: false;
        zh: string;
        en: string;
    };
    INTERNAL_ERROR: {
        retryable: true;
        zh: string;
        en: string;
    };
};
export type ErrorCode = keyof typeof CATALOG;
export declare const ERROR_CODES: ErrorCode[];
export declare function isErrorCode(value: unknown): value is ErrorCode;
/** The client-facing shape of a catalog code. Messages come only from the catalog, so no
 * caller can leak a secret or a phone number into them. */
export declare function errorInfo(code: ErrorCode, extra?: {
    wechatCode?: number;
    field?: string;
}): ErrorInfo;
/** A failed `Result`. */
export declare function fail(code: ErrorCode, extra?: {
    wechatCode?: number;
    field?: string;
}): {
    ok: false;
    error: ErrorInfo;
};
/** A successful `Result`. */
export declare function ok<T>(data: T): {
    ok: true;
    data: T;
};
