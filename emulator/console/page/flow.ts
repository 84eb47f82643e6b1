/**
 * @module console/page/flow — one binding as the mini program does it, against the emulator.
 *
 * legacy: wx.login → `login` {code} (stores the session key server-side) → tap → getOpenData
 *         {encryptedData, iv}. The tap must come AFTER the login: WeChat encrypts under the
 *         session key current at tap time, and wx.login rotates it.
 * code:   tap → getPhoneNumber {code}            (one round trip, no login needed)
 * cloudID: tap → getOpenData {cloudID: wx.cloud.CloudID(id)}
 */
import { cloudID, type PhoneButtonDetail } from '../../client'
import { MIN_BASE_LIBRARY } from '../../../core/baseLibrary'
import type { BindData, ErrorInfo, Result } from '../../../core/contracts'
import { errorInfo } from '../../../core/errors'
import { classifyPhoneButtonDetail, fromCallFunctionError } from '../../../core/wechatCodes'
import { client } from './api'

export type BindPath = 'code' | 'cloudID' | 'legacy'

/** Which base library a path needs (reference/wechat-phone-facts.md). */
export const PATH_MIN_VERSION: Record<BindPath, string> = { code: MIN_BASE_LIBRARY.code, cloudID: MIN_BASE_LIBRARY.cloudID, legacy: '1.0.0' }

/** One line of the trace shown under the phone. */
export interface FlowStep {
  label: string
  result: string
  ok: boolean
}

export type FlowOutcome =
  | { kind: 'bound'; data: BindData; functionName: string }
  | { kind: 'denied' | 'failed'; error: ErrorInfo; note?: string }

type StepSink = (step: FlowStep) => void

/** App launch for the legacy path: a fresh js code, exchanged by the `login` function. */
export async function launch(openid: string, onStep: StepSink): Promise<FlowOutcome | undefined> {
  const { code } = await client.login(openid)
  onStep({ label: 'wx.login()', result: 'code ✓', ok: true })
  const reply = await client.callFunctionRaw<Result<{ legacyReady: boolean }>>(openid, 'login', { code })
  if ('errCode' in reply) {
    onStep({ label: 'callFunction login', result: String(reply.errCode), ok: false })
    return { kind: 'failed', error: fromCallFunctionError(reply) }
  }
  const r = reply.result
  onStep({ label: 'callFunction login', result: r.ok ? `legacyReady=${r.data.legacyReady}` : r.error.code, ok: r.ok })
  return r.ok ? undefined : { kind: 'failed', error: r.error }
}

function request(path: BindPath, detail: PhoneButtonDetail): [string, Record<string, unknown>] | undefined {
  if (path === 'code') return detail.code ? ['getPhoneNumber', { code: detail.code }] : undefined
  if (path === 'cloudID') return detail.cloudID ? ['getOpenData', { cloudID: cloudID(detail.cloudID) }] : undefined
  return detail.encryptedData && detail.iv ? ['getOpenData', { encryptedData: detail.encryptedData, iv: detail.iv }] : undefined
}

/** The button's attributes the console lets the developer set. */
export interface ButtonAttributes {
  /** `phone-number-no-quota-toast`: false hides WeChat's notice when the quota is spent. */
  phoneNumberNoQuotaToast?: boolean
}

/** The user answered the authorisation sheet; deliver the tap and, if allowed, bind. */
export async function tapAndBind(openid: string, path: BindPath, choice: 'allow' | 'deny', baseLibrary: string, onStep: StepSink, button: ButtonAttributes = {}): Promise<FlowOutcome> {
  const detail = await client.tapPhoneButton(openid, { outcome: choice, phoneNumberNoQuotaToast: button.phoneNumberNoQuotaToast })
  const delivered = (['code', 'cloudID', 'encryptedData'] as const).filter((k) => detail[k])
  onStep({ label: 'bindgetphonenumber', result: detail.errMsg + (delivered.length ? ` (${delivered.join(', ')})` : ''), ok: /:ok$/.test(detail.errMsg) })
  const tap = classifyPhoneButtonDetail(detail)
  if (tap.kind === 'denied' || tap.kind === 'failed') return tap

  const req = request(path, detail)
  if (!req) {
    const field = path === 'legacy' ? 'encryptedData' : path
    return {
      kind: 'failed',
      error: errorInfo('NOT_SUPPORTED'),
      note: `基础库 ${baseLibrary} 不返回 ${field}（需 ≥ ${PATH_MIN_VERSION[path]}）/ base library ${baseLibrary} delivers no ${field} (needs ≥ ${PATH_MIN_VERSION[path]})`,
    }
  }
  const [name, data] = req
  const reply = await client.callFunctionRaw<Result<BindData>>(openid, name, data)
  if ('errCode' in reply) {
    onStep({ label: `callFunction ${name}`, result: String(reply.errCode), ok: false })
    return { kind: 'failed', error: fromCallFunctionError(reply), note: reply.errMsg }
  }
  const r = reply.result
  onStep({ label: `callFunction ${name}`, result: r.ok ? r.data.change : r.error.code, ok: r.ok })
  return r.ok ? { kind: 'bound', data: r.data, functionName: name } : { kind: 'failed', error: r.error }
}
