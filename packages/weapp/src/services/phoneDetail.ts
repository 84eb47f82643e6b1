/**
 * @module services/phoneDetail — one shape for the phone button's `detail`, whichever renderer
 * delivered it.
 *
 * Under the WebView renderer `e.detail` is `{ errMsg, errno?, code?, cloudID?, encryptedData?, iv? }`.
 * A community report (developers.weixin.qq.com/community/develop/doc/00004c9f7ec4c02eb761f068b69400,
 * iOS WeChat 8.0.48, base library 3.4.0, Skyline) says the Skyline renderer wrapped it one level
 * deeper. The exact wrapper was not documented and is not verified on a device: this is a GUESS
 * that it is `e.detail.detail` (the event object's own shape), so we unwrap any level that lacks
 * `errMsg` but holds an object that has one. A genuine WebView detail always has `errMsg`, so it
 * passes through untouched.
 */
import type { PhoneButtonDetail } from '../types/wechat'

const MAX_DEPTH = 3 // a bound, not a guess about WeChat: never loop on a self-referencing object

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/** The innermost object carrying `errMsg`; `{ errMsg: '' }` when there is none (→ WECHAT_ERROR). */
export function normalisePhoneDetail(raw: unknown): PhoneButtonDetail {
  let level: unknown = raw
  for (let depth = 0; depth <= MAX_DEPTH && isObject(level); depth++) {
    if (typeof level.errMsg === 'string') return level as unknown as PhoneButtonDetail
    level = level.detail
  }
  return { errMsg: '' }
}
