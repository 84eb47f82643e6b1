/**
 * @module server/config — the function's deployment settings, read from its environment
 * variables (云函数 → 配置 → 环境变量). Read once per invocation, so a test or the emulator can
 * change them between calls; nothing here is a secret except `appSecret`, which never leaves
 * this object except to build the jscode2session request, and the SMS credentials in `sms`
 * (./sms/config.ts).
 */
import type { AccountKeyPolicy } from '../core/accounts'
import { loadSmsConfig, type SmsConfig } from './sms/config'

/** What happens when a number is already bound to another account. */
export type ConflictPolicy = 'reject' | 'transfer'

export interface ServerConfig {
  /** AppSecret. The legacy `encryptedData` path (and jscode2session) is enabled only when set. */
  appSecret?: string
  /** Base URL of WeChat's HTTPS API, without a trailing slash. The emulator points it at itself. */
  wechatApiBase: string
  /** `PHONEBIND_RETURN_FULL_PHONE=1`: responses carry the E.164 number; masked otherwise. */
  returnFullPhone: boolean
  /** What happens when a number is bound to another account: refuse (default) or move it. */
  conflictPolicy: ConflictPolicy
  /** Timeout of one jscode2session request, ms. Bounded so a slow WeChat cannot eat the function's budget. */
  wechatTimeoutMs: number
  /**
   * Legacy data older than this (by `watermark.timestamp`) is refused (logged as DATA_STALE, the
   * client gets DECRYPT_FAILED). Always on; `PHONEBIND_MAX_DATA_AGE_SECONDS` may change it.
   */
  maxDataAgeSeconds: number
  /**
   * `PHONEBIND_ACCOUNT_KEY=unionid`: the account that owns a number is the person's unionid
   * where WeChat gives one (core/accounts.ts), so two mini programs of one Open Platform account
   * share it. Default `openid`: existing deployments' rows are keyed by openid, and switching
   * without running the migration would show their users as unbound (README, "Accounts").
   */
  accountKey: AccountKeyPolicy
  /** The cost guard's settings (`phoneQuota`), see `loadCostGuardConfig`. */
  costGuard: CostGuardConfig
  /** The SMS fallback's provider and limits; undefined when not configured (SMS_NOT_CONFIGURED). */
  sms?: SmsConfig
}

/** The quota and cost guard (`phoneQuota` function, server/README.md "Cost guard"). */
export interface CostGuardConfig {
  /** `PHONEBIND_APPID`: the appid for calls with no client identity (timer, console, CLI), which carry no APPID. */
  appid?: string
  /** `PHONEBIND_QUOTA_ALERT_BELOW`: alert when fewer calls than this are left (default 100). */
  alertBelow: number
  /** `PHONEBIND_QUOTA_WEBHOOK`: an https URL (e.g. a WeCom group robot's) POSTed on an alert. Secret-like: never logged. */
  webhookUrl?: string
  /** `PHONEBIND_QUOTA_ADMINS`: openids (comma separated) that may call phoneQuota from the mini program. */
  adminOpenids: string[]
  /** `PHONEBIND_QUOTA_SPU_ID`: the getUsageDetail product id of phone verification. */
  spuId: string
}

export const DEFAULT_QUOTA_ALERT_BELOW = 100
/**
 * The SPU id phonebind queries when none is configured. WeChat's getUsageDetail page does not say
 * which spuId phone verification has; `10000077` is the id in its getRecentAverageUsage example
 * (developers.weixin.qq.com …/charge/api/charge_get_recent_average_usage.html). A GUESS: set
 * `PHONEBIND_QUOTA_SPU_ID` to the one shown in the MP admin (服务市场 → 资源包) if it differs.
 */
export const DEFAULT_QUOTA_SPU_ID = '10000077'

export function loadCostGuardConfig(env: NodeJS.ProcessEnv): CostGuardConfig {
  const below = Number(env.PHONEBIND_QUOTA_ALERT_BELOW)
  const appid = (env.PHONEBIND_APPID ?? '').trim()
  const webhook = (env.PHONEBIND_QUOTA_WEBHOOK ?? '').trim()
  const spu = (env.PHONEBIND_QUOTA_SPU_ID ?? '').trim()
  return {
    appid: appid === '' ? undefined : appid,
    alertBelow: Number.isInteger(below) && below >= 0 ? below : DEFAULT_QUOTA_ALERT_BELOW,
    // Only http(s) URLs: anything else is treated as unset rather than fetched.
    webhookUrl: /^https?:\/\//i.test(webhook) ? webhook : undefined,
    adminOpenids: (env.PHONEBIND_QUOTA_ADMINS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    spuId: /^\d{1,20}$/.test(spu) ? spu : DEFAULT_QUOTA_SPU_ID,
  }
}

/**
 * The default age bound of legacy data: 5 minutes. A tap's data is sent by the button callback
 * at once, so a genuine request is seconds old (a slow network and a cold start included); 5
 * minutes is what WeChat itself grants the same tap's phone code and cloudID, so the legacy path
 * is not more permissive than the other two. Older data is a replay or comes from a key that
 * should have rotated: WeChat sets no limit itself, encryptedData decrypts until the key rotates.
 */
export const DEFAULT_MAX_DATA_AGE_SECONDS = 300

/** How far a watermark may be ahead of the function's clock: both clocks are NTP-synced servers
 * (WeChat's, the function's), so seconds of skew at most; a minute is generous. */
export const MAX_DATA_FUTURE_SECONDS = 60

export const DEFAULT_WECHAT_API_BASE = 'https://api.weixin.qq.com'

/** Reads the settings; unknown or malformed values fall back to the safe default. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const secret = (env.PHONEBIND_APPSECRET ?? '').trim()
  const base = (env.PHONEBIND_WECHAT_API_BASE ?? '').trim() || DEFAULT_WECHAT_API_BASE
  const policy = (env.PHONEBIND_CONFLICT_POLICY ?? '').trim().toLowerCase()
  const timeout = Number(env.PHONEBIND_WECHAT_TIMEOUT_MS)
  const maxAge = Number(env.PHONEBIND_MAX_DATA_AGE_SECONDS)
  const accountKey = (env.PHONEBIND_ACCOUNT_KEY ?? '').trim().toLowerCase()
  return {
    appSecret: secret === '' ? undefined : secret,
    wechatApiBase: base.replace(/\/+$/, ''),
    returnFullPhone: env.PHONEBIND_RETURN_FULL_PHONE === '1' || env.PHONEBIND_RETURN_FULL_PHONE === 'true',
    conflictPolicy: policy === 'transfer' ? 'transfer' : 'reject',
    wechatTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 5000,
    // No value turns the bound off: a malformed or non-positive one keeps the safe default.
    maxDataAgeSeconds: Number.isFinite(maxAge) && maxAge > 0 ? maxAge : DEFAULT_MAX_DATA_AGE_SECONDS,
    accountKey: accountKey === 'unionid' ? 'unionid' : 'openid',
    costGuard: loadCostGuardConfig(env),
    sms: loadSmsConfig(env),
  }
}
