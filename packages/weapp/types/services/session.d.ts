/**
 * @module services/session — the user's phonebind session: `login` once at launch, shared by
 * every page. Identity itself comes from the cloud (`getWXContext`), so `wx.login` is only needed
 * for the legacy `encryptedData` path — and then only when WeChat's session is gone or the server
 * has no key, because each `wx.login` may rotate the session key and break data already encrypted.
 */
import type { LoginData, Result } from '../core/contracts';
export interface SessionOptions {
    /** Legacy path enabled: make sure the server holds a current session key. */
    legacy: boolean;
}
/** Starts the session once (App.onLaunch); later calls return the same promise. */
export declare function startSession(opts: SessionOptions): Promise<Result<LoginData>>;
/** The session for a page: the launch result, or a new attempt if launch failed or never ran. */
export declare function getSession(): Promise<Result<LoginData>>;
/** Forces a fresh `wx.login` + `login`, e.g. after the legacy path found the session key stale.
 * The user must tap again afterwards: data from the earlier tap used the old key. */
export declare function relogin(): Promise<Result<LoginData>>;
/** For tests: forget the launch. */
export declare function resetSession(): void;
