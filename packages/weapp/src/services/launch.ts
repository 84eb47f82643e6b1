/**
 * @module services/launch — `wx.cloud.init` exactly once, guarded for hosts without cloud.
 */
import { MIN_BASE_LIBRARY } from '../../../../core/baseLibrary'

/** Initialises `wx.cloud`; false when it does not exist (base library < 2.2.3). Both options are
 * always passed because WeChat's docs disagree on their defaults. An empty env means "the
 * environment selected in devtools". */
export function initCloud(env: string): boolean {
  if (!wx.cloud) {
    console.warn(`[phonebind] wx.cloud is unavailable: base library ≥ ${MIN_BASE_LIBRARY.cloud} with cloud development is required`)
    return false
  }
  if (env) wx.cloud.init({ env, traceUser: true })
  else wx.cloud.init({ traceUser: true })
  return true
}
