/**
 * @module services/wxAsync — promise forms of the few callback APIs we use. Written with
 * callbacks rather than relying on WeChat's built-in promise mode, which not every API or base
 * library offers.
 */
/** `wx.checkSession`: true while the session key WeChat holds for this user is still valid. */
export declare function checkSession(): Promise<boolean>;
/** `wx.login`: a fresh single-use code. This ROTATES the session key, so call it only when needed. */
export declare function loginCode(): Promise<string | null>;
