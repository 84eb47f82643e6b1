/**
 * @module emulator/wechat/meter — the phone-verification quota meter of each app: the free trial,
 * resource packages with expiry, what successful taps cost, and `getUsageDetail`.
 *
 * What it follows (reference/wechat-phone-facts.md §6; WeChat's getPhoneNumber.html and
 * getRealtimePhoneNumber.md, 2023-08 pricing):
 * - only a SUCCESSFUL tap is charged ("每次组件调用成功，收费0.03元"; realtime ¥0.04);
 * - 1,000 free calls per mini program, shared by the release, trial and development versions
 *   (the emulator has one meter per app, so "shared" is by construction);
 * - quota is checked when the button is tapped: none left is `errno 1400001`.
 * `getUsageDetail`'s field names and their string-typed 64-bit counts, `detailList` and
 * `PackageStatus` 1/2/3 are the documented ones (server/API/charge/api_getusagedetail).
 *
 * GUESSES, said here and in emulator/README.md: quick and realtime draw on ONE pool (WeChat sells
 * them as separate products; which pool a call uses is not documented); the trial is listed in
 * `detailList` as a package (`source` 1) like a bought one (`source` 2) — PackageSource's values
 * are not in the pages we have; the trial is used before packages, and packages by earliest
 * expiry; money is counted at the unit price as packages are used (real packages are prepaid).
 */
import type { QuotaMeter, ResourcePackage } from './snapshot'
import type { WeChatState } from './state'

export type { QuotaMeter, ResourcePackage }

/** WeChat's unit prices in fen (¥0.01): quick verification ¥0.03, realtime ¥0.04. */
export const PRICE_FEN = { quick: 3, realtime: 4 } as const
export const FREE_TRIAL_CALLS = 1000
/** `PackageStatus`: 1 生效中, 2 未生效, 3 已失效 (documented). */
export const PACKAGE_STATUS = { active: 1, notYet: 2, expired: 3 } as const
/** `source` of a package: OUR GUESS of PackageSource (values not documented in our sources). */
export const PACKAGE_SOURCE = { trial: 1, bought: 2 } as const

/** The free trial's package: does not expire (WeChat gives it no end date we know of; a guess). */
export const TRIAL_END = 4102444800 // 2100-01-01

export function newMeter(state: WeChatState, appid: string, trialCalls = FREE_TRIAL_CALLS): QuotaMeter {
  const now = state.nowSec()
  return {
    appid,
    packages: [{ pkgId: state.ids.packageId(), all: trialCalls, used: 0, startTime: now, endTime: TRIAL_END, source: PACKAGE_SOURCE.trial }],
    calls: { quick: 0, realtime: 0 },
    spentFen: 0,
  }
}

/** The app's meter, created on first use (a `wechat.json` from before meters starts with its old `quota`). */
export function meterOf(state: WeChatState, appid: string): QuotaMeter {
  let meter = state.snapshot.meters[appid]
  if (!meter) {
    meter = newMeter(state, appid, state.requireApp(appid).quota)
    state.snapshot.meters[appid] = meter
  }
  return meter
}

export function packageStatus(p: ResourcePackage, nowSec: number): number {
  if (nowSec < p.startTime) return PACKAGE_STATUS.notYet
  return nowSec >= p.endTime ? PACKAGE_STATUS.expired : PACKAGE_STATUS.active
}

/** Calls left in packages that are in effect now. */
export function quotaLeft(meter: QuotaMeter, nowMs: number): number {
  const now = Math.floor(nowMs / 1000)
  return meter.packages.reduce((sum, p) => sum + (packageStatus(p, now) === PACKAGE_STATUS.active ? Math.max(0, p.all - p.used) : 0), 0)
}

/** Keeps `app.quota` (what clients and the console read) equal to the meter's quota left. */
function mirror(state: WeChatState, meter: QuotaMeter): void {
  const app = state.getApp(meter.appid)
  if (app) app.quota = quotaLeft(meter, state.clock.now())
}

/** Charges one successful tap; false (and nothing charged) when no quota is left. */
export function charge(state: WeChatState, appid: string, kind: 'quick' | 'realtime'): boolean {
  const meter = meterOf(state, appid)
  const now = state.nowSec()
  const usable = meter.packages
    .filter((p) => packageStatus(p, now) === PACKAGE_STATUS.active && p.used < p.all)
    .sort((a, b) => (a.source === PACKAGE_SOURCE.trial ? -1 : b.source === PACKAGE_SOURCE.trial ? 1 : a.endTime - b.endTime))
  const p = usable[0]
  if (!p) return false
  p.used += 1
  meter.calls[kind] += 1
  if (p.source !== PACKAGE_SOURCE.trial) meter.spentFen += PRICE_FEN[kind]
  mirror(state, meter)
  state.save()
  return true
}

/** Adds a bought resource package of `calls`, in effect from now for `days` (the console's "buy"). */
export function addPackage(state: WeChatState, appid: string, input: { calls: number; days: number; startsInDays?: number }): ResourcePackage {
  if (!Number.isSafeInteger(input.calls) || input.calls <= 0) throw new TypeError('calls must be a positive integer')
  if (!Number.isFinite(input.days) || input.days <= 0) throw new TypeError('days must be positive')
  const meter = meterOf(state, appid)
  const start = state.nowSec() + Math.round((input.startsInDays ?? 0) * 86400)
  const p: ResourcePackage = { pkgId: state.ids.packageId(), all: input.calls, used: 0, startTime: start, endTime: start + Math.round(input.days * 86400), source: PACKAGE_SOURCE.bought }
  meter.packages.push(p)
  mirror(state, meter)
  state.save()
  return p
}

/** Ends a package now (tests and the console: "let it expire"). */
export function expirePackage(state: WeChatState, appid: string, pkgId: string): void {
  const meter = meterOf(state, appid)
  const p = meter.packages.find((x) => x.pkgId === pkgId)
  if (!p) throw new TypeError(`unknown package ${pkgId}`)
  p.endTime = Math.min(p.endTime, state.nowSec())
  mirror(state, meter)
  state.save()
}

/**
 * The old "set quota left" knob: the meter starts over with `left` calls of free trial and no
 * packages (history of calls and money is kept). Used by `updateApp({quota})`.
 */
export function setQuotaLeft(state: WeChatState, appid: string, left: number): void {
  const meter = meterOf(state, appid)
  const fresh = newMeter(state, appid, left)
  meter.packages = fresh.packages
  mirror(state, meter)
  state.save()
}

/** What the console and `/client/quota` show. */
export interface MeterView {
  appid: string
  quotaLeft: number
  calls: { quick: number; realtime: number; total: number }
  spentFen: number
  /** Money spent as yuan text, e.g. `"0.12"`. */
  spentYuan: string
  packages: (ResourcePackage & { status: number })[]
}

export function meterView(state: WeChatState, appid: string): MeterView {
  const meter = meterOf(state, appid)
  const now = state.clock.now()
  mirror(state, meter)
  return {
    appid,
    quotaLeft: quotaLeft(meter, now),
    calls: { ...meter.calls, total: meter.calls.quick + meter.calls.realtime },
    spentFen: meter.spentFen,
    spentYuan: (meter.spentFen / 100).toFixed(2),
    packages: meter.packages.map((p) => ({ ...p, status: packageStatus(p, Math.floor(now / 1000)) })),
  }
}

/** `getUsageDetail` page limit: "每页个数，最大20" (documented). */
export const USAGE_PAGE_MAX = 20

/** One `detailList` item, named and typed as documented (64-bit counts as strings). */
export interface UsageDetailItem {
  pkgId: string
  status: number
  startTime: number
  endTime: number
  all: string
  used: string
  spuId: string
  skuId: string
  source: number
}

export interface UsageDetailResponse {
  errcode: 0
  errmsg: 'ok'
  /** 累计用量: every call charged so far. */
  effectiveUse: string
  /** 资源可用总量: the capacity of packages in effect now. */
  all: string
  total: number
  detailList: UsageDetailItem[]
}

/** `getUsageDetail` for one app: `offset`/`limit` already validated by the route. */
export function usageDetail(state: WeChatState, appid: string, spuId: string, offset: number, limit: number): UsageDetailResponse {
  const meter = meterOf(state, appid)
  const now = state.nowSec()
  const items: UsageDetailItem[] = meter.packages.map((p, i) => ({
    pkgId: p.pkgId,
    status: packageStatus(p, now),
    startTime: p.startTime,
    endTime: p.endTime,
    all: String(p.all),
    used: String(p.used),
    spuId,
    // Made up: one SKU per package kind.
    skuId: String(20000000 + (p.source === PACKAGE_SOURCE.trial ? 0 : 1 + (i % 9))),
    source: p.source,
  }))
  const active = meter.packages.filter((p) => packageStatus(p, now) === PACKAGE_STATUS.active)
  return {
    errcode: 0,
    errmsg: 'ok',
    effectiveUse: String(meter.calls.quick + meter.calls.realtime),
    all: String(active.reduce((s, p) => s + p.all, 0)),
    total: items.length,
    detailList: items.slice(offset, offset + limit),
  }
}
