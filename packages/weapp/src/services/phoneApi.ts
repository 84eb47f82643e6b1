/**
 * @module services/phoneApi — the phone request WITHOUT a button: `wx.getPhoneNumber(...)` /
 * `wx.getRealtimePhoneNumber(...)`.
 *
 * What exists (searched 2026-12): the MINIGAME API `wx.getPhoneNumber({ isRealtime,
 * phoneNumberNoQuotaToast, success, fail })` → `{ code, errMsg, errno? }`, callable only inside a
 * tap ("仅在点击行为时调用", developers.weixin.qq.com/minigame/dev/api/open-api/user-info/wx.getPhoneNumber.html);
 * and the 2026 mini-program AI mode's atomic interfaces, which list `wx.getPhoneNumber` and
 * `wx.getRealtimePhoneNumber` as APIs (developers.weixin.qq.com/miniprogram/dev/ai/reference/api.html,
 * seen only through a copy). An ordinary mini program's API reference has neither: there the
 * button is the only way, so this module decides by presence (`typeof wx.getPhoneNumber`), not by
 * base-library version, and reports NOT_SUPPORTED where the host lacks the function.
 * Parameters beyond the minigame page's (`isRealtime`, `phoneNumberNoQuotaToast`) are not sent;
 * that the AI-mode functions take the same object is an assumption, unverified on a device.
 */
import type { PhoneButtonDetail } from '../types/wechat'

interface PhoneApiResult {
  code?: string
  errMsg?: string
  errno?: number
}
interface PhoneApiOptions {
  isRealtime?: boolean
  phoneNumberNoQuotaToast?: boolean
  success?: (res: PhoneApiResult) => void
  fail?: (err: PhoneApiResult) => void
}
type PhoneApiFn = (options: PhoneApiOptions) => void
interface PhoneApiHost {
  getPhoneNumber?: PhoneApiFn
  getRealtimePhoneNumber?: PhoneApiFn
}

function host(): PhoneApiHost {
  return wx as unknown as PhoneApiHost
}

/** Which API form this host offers: realtime needs either its own function or `getPhoneNumber`'s `isRealtime`. */
export function phoneApiAvailable(): boolean {
  return typeof host().getPhoneNumber === 'function' || typeof host().getRealtimePhoneNumber === 'function'
}

/**
 * Asks WeChat for the number without a button; resolves with a button-shaped `detail` (so every
 * outcome goes through the same classification), or null when the host has no such API.
 * Call it from a tap handler: WeChat refuses it outside one.
 */
export function requestPhoneByApi(realtime: boolean): Promise<PhoneButtonDetail | null> {
  const wxHost = host()
  const own = realtime ? wxHost.getRealtimePhoneNumber : undefined
  const fn = typeof own === 'function' ? own : wxHost.getPhoneNumber
  if (typeof fn !== 'function') return Promise.resolve(null)
  const apiName = fn === own ? 'getRealtimePhoneNumber' : 'getPhoneNumber'
  return new Promise((resolve) => {
    const settle = (res: PhoneApiResult | undefined, fallback: string) => {
      const detail: PhoneButtonDetail = { errMsg: typeof res?.errMsg === 'string' ? res.errMsg : fallback }
      if (typeof res?.errno === 'number') detail.errno = res.errno
      if (typeof res?.code === 'string') detail.code = res.code
      resolve(detail)
    }
    const options: PhoneApiOptions = {
      // Our own quota message replaces WeChat's toast, as on the button.
      phoneNumberNoQuotaToast: false,
      success: (res) => settle(res, `${apiName}:ok`),
      fail: (err) => settle(err, `${apiName}:fail`),
    }
    if (realtime && fn !== own) options.isRealtime = true
    try {
      fn.call(wxHost, options)
    } catch {
      settle(undefined, `${apiName}:fail`)
    }
  })
}
