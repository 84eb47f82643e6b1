/**
 * @module services/launch — `wx.cloud.init` exactly once, guarded for hosts without cloud.
 */

/** Initialises `wx.cloud`; false when it does not exist (base library < 2.2.3). Both options are
 * always passed because WeChat's docs disagree on their defaults. An empty env means "the
 * environment selected in devtools". */
export function initCloud(env: string): boolean {
  if (!wx.cloud) {
    console.warn('[phonebind] wx.cloud is unavailable: base library ≥ 2.2.3 with cloud development is required')
    return false
  }
  if (env) wx.cloud.init({ env, traceUser: true })
  else wx.cloud.init({ traceUser: true })
  return true
}
