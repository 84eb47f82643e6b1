/**
 * @module services/wxAsync — promise forms of the few callback APIs we use. Written with
 * callbacks rather than relying on WeChat's built-in promise mode, which not every API or base
 * library offers.
 */

/** `wx.checkSession`: true while the session key WeChat holds for this user is still valid. */
export function checkSession(): Promise<boolean> {
  return new Promise((resolve) => {
    wx.checkSession({ success: () => resolve(true), fail: () => resolve(false) })
  })
}

/** `wx.login`: a fresh single-use code. This ROTATES the session key, so call it only when needed. */
export function loginCode(): Promise<string | null> {
  return new Promise((resolve) => {
    wx.login({
      success: (res) => resolve(typeof res.code === 'string' && res.code ? res.code : null),
      fail: () => resolve(null),
    })
  })
}
