/**
 * @module emulator/wechat/wechat — the simulated WeChat's front door: apps, test users, `wx.login`
 * codes, session keys, the phone button and the control knobs (quota, faults, expiry).
 *
 * Behaviour follows reference/wechat-phone-facts.md §2 and §4.1: js codes live 5 minutes and
 * are single use (reuse → 40163, unknown/expired → 40029); each successful `jscode2session`
 * rotates the user's session key, so the previous key stops decrypting.
 *
 * `SimulatedWeChat` holds no logic of its own: the state is `./state.ts` (`WeChatState`), the
 * operations are functions over it (`./accounts.ts`, `./session.ts`, `./phone.ts`,
 * `./control.ts`), and this class only wires them for callers. Dependencies run one way:
 * wechat → operations → state, never back (test/emulator/structure.test.ts checks it).
 */
import * as accounts from './accounts'
import type { AppPatch, CreateUserInput, PublicUser, UserPatch } from './accounts'
import * as control from './control'
import type { FaultApi, FaultDecision, FaultInjector, FaultSpec } from './faults'
import * as phone from './phone'
import type { Caller, CloudIdResult, PhoneButtonDetail, PhoneNumberResponse, TapOptions } from './phone'
import * as session from './session'
import type { Jscode2SessionQuery, Jscode2SessionResponse } from './session'
import { WeChatState, type TestUser, type WeChatApp, type WeChatSnapshot, type WeChatStateOptions } from './state'

export { CODE_TTL_MS, DEFAULT_SESSION_TTL_MS } from './state'
export { DEFAULT_QUOTA, LATEST_BASE_LIBRARY } from './accounts'
export type { CreateUserInput, PublicUser } from './accounts'
export type { Jscode2SessionQuery, Jscode2SessionResponse } from './session'

export interface WeChatOptions extends WeChatStateOptions {
  /** Called on a fresh state (and on reset) to add demo users. */
  onFreshState?: (wechat: SimulatedWeChat) => void
}

export class SimulatedWeChat {
  /** @internal the live state every operation takes. */
  readonly live: WeChatState
  private readonly onFreshState?: (wechat: SimulatedWeChat) => void

  constructor(options: WeChatOptions = {}) {
    this.live = new WeChatState(options)
    this.onFreshState = options.onFreshState
    if (this.live.startedFresh) this.initFresh()
    // The first snapshot is written synchronously, so a data dir is never left without one.
    this.live.writeNow()
  }

  private initFresh(): void {
    const app = accounts.createApp(this.live, { name: 'phonebind demo' })
    this.live.snapshot.defaultAppid = app.appid
    this.onFreshState?.(this)
    this.live.save()
  }

  /** @internal the persisted tables; mutate only through methods (they save). */
  get state(): WeChatSnapshot {
    return this.live.snapshot
  }
  get sessionTtlMs(): number {
    return this.live.sessionTtlMs
  }
  get faults(): FaultInjector {
    return this.live.faults
  }
  /** Whether this run began without a snapshot (demo users were seeded). */
  get startedFresh(): boolean {
    return this.live.startedFresh
  }
  /** Where `newWorld` moved the previous `wechat.json`, if there was one. */
  get setAsideAs(): string | undefined {
    return this.live.setAsideAs
  }
  /** `phone_info.countryCode` as a number instead of a string (reference §15.6 toggle). */
  get countryCodeAsNumber(): boolean {
    return this.live.countryCodeAsNumber
  }
  set countryCodeAsNumber(value: boolean) {
    this.live.countryCodeAsNumber = value
  }

  /**
   * Resolves once every change so far is on disk (rejects if it cannot be written). Changes are
   * written asynchronously; a caller that acknowledges a change someone would miss after a
   * crash (a created user, a control change) awaits this first.
   */
  flush(): Promise<void> {
    return this.live.flush()
  }

  /** @internal reports one WeChat API call (never with a code, key or number). */
  emit(api: string, errcode: number, openid?: string, invocationId?: string): void {
    this.live.emit(api, errcode, openid, invocationId)
  }

  /** @internal applies latency, then returns the injected errcode, if any. */
  fault(api: FaultApi): Promise<FaultDecision> {
    return this.live.fault(api)
  }

  // ---- apps (./accounts.ts) ------------------------------------------------------------

  get defaultAppid(): string {
    return this.live.defaultAppid
  }
  createApp(input: { name?: string; quota?: number } = {}): WeChatApp {
    return accounts.createApp(this.live, input)
  }
  getApp(appid?: string): WeChatApp | undefined {
    return this.live.getApp(appid)
  }
  /** Apps without their secrets, for client listings. */
  listApps(): Omit<WeChatApp, 'secret'>[] {
    return accounts.listApps(this.live)
  }
  updateApp(appid: string, patch: AppPatch): WeChatApp {
    return accounts.updateApp(this.live, appid, patch)
  }
  setQuota(quota: number, appid: string = this.defaultAppid): WeChatApp {
    return accounts.updateApp(this.live, appid, { quota })
  }
  requireApp(appid: string): WeChatApp {
    return this.live.requireApp(appid)
  }

  // ---- users (./accounts.ts) -----------------------------------------------------------

  createUser(input: CreateUserInput = {}): TestUser {
    return accounts.createUser(this.live, input)
  }
  getUser(openid: string): TestUser | undefined {
    return this.live.getUser(openid)
  }
  requireUser(openid: string): TestUser {
    return this.live.requireUser(openid)
  }
  updateUser(openid: string, patch: UserPatch): TestUser {
    return accounts.updateUser(this.live, openid, patch)
  }
  listUsers(appid?: string): PublicUser[] {
    return accounts.listUsers(this.live, appid)
  }

  // ---- wx.login / jscode2session / wx.checkSession (./session.ts) ----------------------

  /** `wx.login()` on the user's phone: a fresh single-use js code. */
  login(openid: string): { code: string } {
    return session.login(this.live, openid)
  }
  /** `GET /sns/jscode2session`, answered in WeChat's JSON. */
  jscode2session(q: Jscode2SessionQuery): Promise<Jscode2SessionResponse> {
    return session.exchangeJsCode(this.live, q)
  }
  /** `wx.checkSession()`: true while the user's key has not rotated away or expired. */
  checkSession(openid: string): boolean {
    return this.live.checkSession(openid)
  }

  // ---- the phone button (./phone.ts) ----------------------------------------------------

  /** The user taps `<button open-type="getPhoneNumber">`: the `detail` WeChat delivers. */
  tapPhoneButton(openid: string, options: TapOptions = {}): PhoneButtonDetail {
    return phone.tapPhoneButton(this.live, openid, options)
  }
  /** Server side: exchanges a phone code for `phone_info` (WeChat JSON); `openid` as in the request body. */
  exchangePhoneCode(code: unknown, caller: Caller, openid?: unknown): Promise<PhoneNumberResponse> {
    return phone.exchangePhoneCode(this.live, code, caller, openid)
  }
  /** Resolves cloudIDs for the calling user, one result per id. */
  resolveCloudIds(ids: readonly string[], caller: Caller): CloudIdResult[] {
    return phone.resolveCloudIds(this.live, ids, caller)
  }

  // ---- control (./control.ts) ----------------------------------------------------------

  setFault(api: FaultApi, spec: FaultSpec | null): void {
    control.setFault(this.live, api, spec)
  }
  /** Makes every outstanding js code, phone code and cloudID expired (not unknown). */
  expireCodes(): void {
    control.expireCodes(this.live)
  }
  /** Ends a user's session, as if WeChat had dropped the key (checkSession fails). */
  expireSession(openid: string): void {
    session.expireSession(this.live, openid)
  }
  /** Back to a fresh state (same seed): default app, demo users, no faults. */
  reset(): void {
    this.live.clear()
    this.initFresh()
  }
}
