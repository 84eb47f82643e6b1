/**
 * @module services/phoneBinding — turns one phone-button event into one binding attempt.
 *
 * The path is picked from what WeChat delivered, in order of trust: `code` → `getPhoneNumber`;
 * else `cloudID` → `getOpenData` (wrapped in `wx.cloud.CloudID` so the platform resolves it for
 * the calling user); else `encryptedData`+`iv` → `getOpenData` (legacy). Nothing here retries:
 * every value from the button is single use, so "retry" always means a fresh tap.
 */
import type { BindData, ErrorInfo, ResolvedCloudID, Result } from '../../../../core/contracts'
import type { ButtonSource } from '../phone-auth/type'
import { errorInfo } from '../../../../core/errors'
import { classifyPhoneButtonDetail } from '../../../../core/wechatCodes'
import type { PhoneButtonDetail } from '../types/wechat'
import type { PhoneFeatures } from './baseLibrary'
import { callFunction } from './cloud'
import { normalisePhoneDetail } from './phoneDetail'
import { relogin } from './session'
import { checkSession } from './wxAsync'

export type BindAttempt =
  | { kind: 'bound'; source: ButtonSource; data: BindData }
  | { kind: 'denied'; error: ErrorInfo }
  | { kind: 'failed'; source: ButtonSource | null; error: ErrorInfo }

export interface BindOptions {
  features: PhoneFeatures
  /** Whether this deployment accepts the legacy `encryptedData` path. */
  legacy: boolean
}

/** Server answers meaning the stored session key no longer matches the data: log in again so the
 * next tap is encrypted with a key the server has. DECRYPT_FAILED is what the server now answers
 * for every failed decryption (it may also have discarded the key); the old code stays listed for
 * servers not yet updated. */
const STALE_SESSION: ReadonlySet<string> = new Set(['DECRYPT_FAILED', 'DECRYPT_SESSION_KEY_MISMATCH', 'DECRYPT_ILLEGAL_SESSION_KEY', 'LOGIN_REQUIRED'])

function settle(source: ButtonSource, res: Result<BindData>): BindAttempt {
  return res.ok ? { kind: 'bound', source, data: res.data } : { kind: 'failed', source, error: res.error }
}

async function bindLegacy(encryptedData: string, iv: string, opts: BindOptions): Promise<BindAttempt> {
  if (!opts.legacy) return { kind: 'failed', source: 'legacy', error: errorInfo('LEGACY_NOT_CONFIGURED') }
  // Never wx.login here: that could rotate the key this data was encrypted with.
  if (!(await checkSession())) {
    await relogin()
    return { kind: 'failed', source: 'legacy', error: errorInfo('LOGIN_REQUIRED') }
  }
  const res = await callFunction('getOpenData', { encryptedData, iv })
  if (!res.ok && STALE_SESSION.has(res.error.code)) await relogin()
  return settle('legacy', res)
}

/** `raw` is the event's `detail` as delivered (WebView or Skyline shape; see services/phoneDetail). */
export async function bindFromButton(raw: PhoneButtonDetail | unknown, opts: BindOptions): Promise<BindAttempt> {
  const detail = normalisePhoneDetail(raw)
  const outcome = classifyPhoneButtonDetail(detail)
  switch (outcome.kind) {
    case 'denied':
      return { kind: 'denied', error: outcome.error }
    case 'failed':
      return { kind: 'failed', source: null, error: outcome.error }
    case 'code':
      return settle('code', await callFunction('getPhoneNumber', { code: outcome.code }))
    case 'cloudID': {
      if (!opts.features.cloudID) {
        // A cloudID the client cannot wrap is useless; the same event may still carry legacy data.
        if (detail.encryptedData && detail.iv) return bindLegacy(detail.encryptedData, detail.iv, opts)
        return { kind: 'failed', source: 'cloudID', error: errorInfo('NOT_SUPPORTED') }
      }
      // The platform replaces a top-level CloudID with `{cloudID, data}` before `main` runs, which
      // is exactly what the contract's `ResolvedCloudID` describes on the server side.
      const cloudID = wx.cloud.CloudID(outcome.cloudID) as unknown as ResolvedCloudID
      return settle('cloudID', await callFunction('getOpenData', { cloudID }))
    }
    case 'legacy':
      return bindLegacy(outcome.encryptedData, outcome.iv, opts)
  }
}
