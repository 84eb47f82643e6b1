/**
 * @module wechatCodes — maps every WeChat / CloudBase code phonebind meets to a catalog code:
 * server-side errcodes and thrown wx-server-sdk errors, the phone button's `detail`, and what
 * `wx.cloud.callFunction` rejects with. Pure TS (no Node APIs): shared with the mini program.
 *
 * Sources: wechat-phone-facts.md §4 (tables) and §5 (button recipe).
 */
import type { ErrorInfo } from './contracts';
/** Which API produced the code: the same number means different things per API. */
export type WeChatApi = 'jscode2session' | 'getPhoneNumber' | 'getOpenData' | 'cloud';
/** Maps a numeric WeChat / CloudBase code. The original code is always kept as `wechatCode`. */
export declare function fromWeChatErrcode(errcode: number, api: WeChatApi): ErrorInfo;
/** True when a thrown database error is a unique-key violation (see DUPLICATE_TEXT). */
export declare function isDuplicateWriteError(err: unknown): boolean;
/** True when a thrown database error is a transaction conflict: run the transaction again. */
export declare function isTransactionConflictError(err: unknown): boolean;
/** Maps what a wx-server-sdk call throws (`{ errCode, errMsg }`, or a plain Error). `api`
 * matters only for codes whose meaning differs per API (40029, 40013, -1). */
export declare function fromCloudSdkError(err: unknown, api?: WeChatApi): ErrorInfo;
/** `e.detail` of `bindgetphonenumber` / `bindgetrealtimephonenumber`; `errno` is untyped upstream. */
export interface PhoneButtonDetail {
    errMsg: string;
    errno?: number;
    code?: string;
    cloudID?: string;
    encryptedData?: string;
    iv?: string;
}
/**
 * What to do with a tap. `denied`: the user chose not to share (cancel, deny, privacy not
 * agreed) — say so gently and offer another route. `failed`: anything else.
 */
export type PhoneButtonOutcome = {
    kind: 'code';
    code: string;
} | {
    kind: 'cloudID';
    cloudID: string;
} | {
    kind: 'legacy';
    encryptedData: string;
    iv: string;
} | {
    kind: 'denied';
    error: ErrorInfo;
} | {
    kind: 'failed';
    error: ErrorInfo;
};
/** The reference §5 recipe. Deny texts differ per platform: match loosely, never exactly. */
export declare function classifyPhoneButtonDetail(detail: PhoneButtonDetail): PhoneButtonOutcome;
/**
 * Maps a `wx.cloud.callFunction` rejection. The generic -404011 wrapper hides the real
 * cause inside `errMsg` ("… cloud function service error code -501000, error message
 * FunctionName parameter could not be found."), so the inner code wins when present.
 */
export declare function fromCallFunctionError(err: unknown): ErrorInfo;
/** Numeric, part-by-part comparison (`'2.29.1' > '2.3.0'`), missing parts count as 0. */
export declare function compareVersion(a: string, b: string): -1 | 0 | 1;
