/**
 * @module emulator/wechat/wechat — the simulated WeChat: apps, test users, `wx.login` codes,
 * session keys, and the control knobs (quota, faults, expiry).
 *
 * Behaviour follows reference/wechat-phone-facts.md §2 and §4.1: js codes live 5 minutes and
 * are single use (reuse → 40163, unknown/expired → 40029); each successful `jscode2session`
 * rotates the user's session key, so the previous key stops decrypting. The phone button,
 * phone codes and cloudIDs live in `./phone.ts`.
 */
import type { EmulatorEvents } from '../events'
import type { Clock } from '../types'
import { systemClock } from '../types'
import { exchangePhoneCode, resolveCloudIds, tapPhoneButton, type Caller, type CloudIdResult, type PhoneButtonDetail, type PhoneNumberResponse, type TapOptions } from './phone'
import { exchangeJsCode, type Jscode2SessionQuery, type Jscode2SessionResponse } from './session'
import { FaultInjector, sleep, type FaultApi, type FaultDecision, type FaultSpec } from './faults'
import { IdSource, randomSeed } from './random'
import { emptySnapshot, loadSnapshot, pruneExpired, saveSnapshot, SnapshotWriter, type TestUser, type WeChatApp, type WeChatSnapshot } from './state'

export const CODE_TTL_MS = 5 * 60 * 1000
/** WeChat never says how long a session key lives; three days keeps demos working overnight. */
export const DEFAULT_SESSION_TTL_MS = 3 * 24 * 3600 * 1000
export const DEFAULT_QUOTA = 1000
/** The newest base library we model; new users run it unless told otherwise. */
export const LATEST_BASE_LIBRARY = '3.4.2'
/** `__proto__`, `constructor`, `hasOwnProperty`, …: refused as custom openids. */
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype))

export interface WeChatOptions {
  /** Where `wechat.json` lives; omit for a memory-only WeChat (tests). */
  dataDir?: string
  /** Start empty even if a snapshot exists (deletes it). */
  fresh?: boolean
  /** Start a new WeChat world on purpose; an existing `wechat.json` is renamed aside, not deleted. */
  newWorld?: boolean
  /**
   * What else in `dataDir` refers to this WeChat's users (e.g. "the database holds 3
   * documents"); a missing `wechat.json` is then refused (see `state.ts`, `loadSnapshot`).
   */
  dependents?: string
  /** Seed for ids and faults; a fresh state picks a random one and remembers it. */
  seed?: string
  clock?: Clock
  events?: EmulatorEvents
  codeTtlMs?: number
  sessionTtlMs?: number
  /** Called on a fresh state (and on reset) to add demo users. */
  onFreshState?: (wechat: SimulatedWeChat) => void
}

export interface CreateUserInput {
  appid?: string
  openid?: string
  /** `true` (default) makes one up; `false` gives the user none. */
  unionid?: string | boolean
  purePhoneNumber?: string
  countryCode?: string
  baseLibrary?: string
  privacyAuthorized?: boolean
  nickname?: string
}

/** A user as shown to clients: no session key, ever. */
export type { Jscode2SessionQuery, Jscode2SessionResponse } from './session'

export type PublicUser = TestUser & { hasSession: boolean }

export class SimulatedWeChat {
  /** @internal the persisted state; mutate only through methods, then `save()`. */
  state: WeChatSnapshot
  /** @internal */
  ids: IdSource
  readonly clock: Clock
  readonly codeTtlMs: number
  readonly sessionTtlMs: number
  readonly faults: FaultInjector
  /** Whether this run began without a snapshot (demo users were seeded). */
  readonly startedFresh: boolean
  /** Where `newWorld` moved the previous `wechat.json`, if there was one. */
  readonly setAsideAs?: string
  /** `phone_info.countryCode` as a number instead of a string (reference §15.6 toggle). */
  countryCodeAsNumber = false
  /** Clock time of the last `pruneExpired` pass (see `save`). */
  private lastPrune = -Infinity
  private readonly dataDir?: string
  private readonly writer?: SnapshotWriter
  private readonly events?: EmulatorEvents
  private readonly onFreshState?: (wechat: SimulatedWeChat) => void

  constructor(options: WeChatOptions = {}) {
    this.clock = options.clock ?? systemClock
    this.codeTtlMs = options.codeTtlMs ?? CODE_TTL_MS
    this.sessionTtlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS
    this.dataDir = options.dataDir
    this.events = options.events
    this.onFreshState = options.onFreshState
    const { snapshot: loaded, setAsideAs } = this.dataDir
      ? loadSnapshot(this.dataDir, { fresh: options.fresh, newWorld: options.newWorld, dependents: options.dependents, now: this.clock.now() })
      : {}
    this.setAsideAs = setAsideAs
    this.startedFresh = !loaded
    this.state = loaded ?? emptySnapshot(options.seed ?? randomSeed())
    this.ids = new IdSource(this.state.seed, this.state.idCounter)
    this.faults = new FaultInjector(options.seed ?? this.state.seed)
    if (this.dataDir) this.writer = new SnapshotWriter(this.dataDir, () => this.state)
    if (!loaded) this.initFresh()
    // The first snapshot is written synchronously, so a data dir is never left without one.
    if (this.dataDir) saveSnapshot(this.dataDir, this.state)
  }

  private initFresh(): void {
    const app = this.createApp({ name: 'phonebind demo' })
    this.state.defaultAppid = app.appid
    this.onFreshState?.(this)
    this.save()
  }

  /** @internal schedules a snapshot write (atomic, coalesced) after pruning dead codes. */
  save(): void {
    this.state.idCounter = this.ids.counter
    // Pruning walks every code ever issued: once per tap it was most of the emulator's CPU
    // under load (bench). Codes live 2x TTL before pruning, so one pass per second is plenty.
    const now = this.clock.now()
    if (now - this.lastPrune >= 1000 || now < this.lastPrune) {
      pruneExpired(this.state, now, this.codeTtlMs)
      this.lastPrune = now
    }
    this.writer?.schedule()
  }

  /**
   * Resolves once every change so far is on disk (rejects if it cannot be written). Changes are
   * written asynchronously; a caller that acknowledges a change someone would miss after a
   * crash (a created user, a control change) awaits this first.
   */
  async flush(): Promise<void> {
    this.save()
    await this.writer?.flush()
  }

  /** @internal reports one WeChat API call (never with a code, key or number). */
  emit(api: string, errcode: number, openid?: string, invocationId?: string): void {
    this.events?.emit('wechat.call', { api, errcode, openid, invocationId, at: this.clock.now() })
  }

  /** @internal applies latency, then returns the injected errcode, if any. */
  async fault(api: FaultApi): Promise<FaultDecision> {
    const decision = this.faults.decide(api)
    await sleep(decision.latencyMs)
    return decision
  }

  // ---- apps ----------------------------------------------------------------------------

  get defaultAppid(): string {
    return this.state.defaultAppid
  }

  createApp(input: { name?: string; quota?: number } = {}): WeChatApp {
    const app: WeChatApp = {
      appid: this.ids.appid(),
      secret: this.ids.appSecret(),
      name: input.name ?? 'test app',
      quota: input.quota ?? DEFAULT_QUOTA,
      privacyDeclared: true,
      phonePermission: true,
    }
    this.state.apps[app.appid] = app
    this.save()
    return app
  }

  getApp(appid: string = this.defaultAppid): WeChatApp | undefined {
    return this.state.apps[appid]
  }

  /** Apps without their secrets, for client listings. */
  listApps(): Omit<WeChatApp, 'secret'>[] {
    return Object.values(this.state.apps).map(({ secret: _secret, ...rest }) => rest)
  }

  updateApp(appid: string, patch: Partial<Pick<WeChatApp, 'quota' | 'privacyDeclared' | 'phonePermission' | 'name'>>): WeChatApp {
    const app = this.requireApp(appid)
    if (patch.quota !== undefined && !(Number.isInteger(patch.quota) && patch.quota >= 0)) throw new TypeError('quota must be a non-negative integer')
    Object.assign(app, patch)
    this.save()
    return app
  }

  setQuota(quota: number, appid: string = this.defaultAppid): WeChatApp {
    return this.updateApp(appid, { quota })
  }

  requireApp(appid: string): WeChatApp {
    const app = this.state.apps[appid]
    if (!app) throw new TypeError(`unknown appid ${appid}`)
    return app
  }

  // ---- users ---------------------------------------------------------------------------

  createUser(input: CreateUserInput = {}): TestUser {
    const appid = input.appid ?? this.defaultAppid
    this.requireApp(appid)
    const openid = input.openid ?? this.ids.openid()
    if (!/^[A-Za-z0-9_-]{6,64}$/.test(openid) || /^-?\d+$/.test(openid)) throw new TypeError('openid must be 6-64 of [A-Za-z0-9_-] and not all digits')
    // WeChat never issues these, and the ids travel on into functions and the database.
    if (PROTOTYPE_NAMES.has(openid)) throw new TypeError(`openid must not be a JavaScript prototype name (${openid})`)
    if (this.state.users[openid]) throw new TypeError(`openid ${openid} already exists`)
    const countryCode = input.countryCode ?? '86'
    if (!/^\d{1,4}$/.test(countryCode)) throw new TypeError('countryCode must be 1-4 digits')
    const purePhoneNumber = input.purePhoneNumber ?? (countryCode === '86' ? '13' + this.ids.digits(9) : this.ids.digits(8))
    if (!/^\d{4,15}$/.test(purePhoneNumber)) throw new TypeError('purePhoneNumber must be 4-15 digits')
    const baseLibrary = input.baseLibrary ?? LATEST_BASE_LIBRARY
    if (!/^\d+\.\d+\.\d+$/.test(baseLibrary)) throw new TypeError('baseLibrary must look like 2.21.2')
    const unionid = input.unionid === false ? undefined : typeof input.unionid === 'string' ? input.unionid : this.ids.unionid()
    const user: TestUser = {
      openid,
      appid,
      ...(unionid ? { unionid } : {}),
      purePhoneNumber,
      countryCode,
      baseLibrary,
      privacyAuthorized: input.privacyAuthorized ?? true,
      ...(input.nickname ? { nickname: input.nickname } : {}),
      createdAt: this.clock.now(),
    }
    this.state.users[openid] = user
    this.save()
    return user
  }

  getUser(openid: string): TestUser | undefined {
    return this.state.users[openid]
  }

  requireUser(openid: string): TestUser {
    const user = this.state.users[openid]
    if (!user) throw new TypeError(`unknown openid ${openid}`)
    return user
  }

  updateUser(openid: string, patch: Partial<Pick<TestUser, 'baseLibrary' | 'privacyAuthorized' | 'purePhoneNumber' | 'countryCode' | 'nickname'>>): TestUser {
    const user = this.requireUser(openid)
    Object.assign(user, patch)
    this.save()
    return user
  }

  listUsers(appid?: string): PublicUser[] {
    return Object.values(this.state.users)
      .filter((u) => !appid || u.appid === appid)
      .map((u) => ({ ...u, hasSession: this.checkSession(u.openid) }))
  }

  // ---- wx.login / jscode2session / wx.checkSession -------------------------------------

  /** `wx.login()` on the user's phone: a fresh single-use js code. */
  login(openid: string): { code: string } {
    const user = this.requireUser(openid)
    const code = this.ids.jsCode()
    this.state.jsCodes[code] = { code, appid: user.appid, openid, issuedAt: this.clock.now(), used: false }
    this.save()
    this.emit('wx.login', 0, openid)
    return { code }
  }

  /** `GET /sns/jscode2session`, answered in WeChat's JSON (`./session.ts`). */
  jscode2session(q: Jscode2SessionQuery): Promise<Jscode2SessionResponse> {
    return exchangeJsCode(this, q)
  }

  /** `wx.checkSession()`: true while the user's key has not rotated away or expired. */
  checkSession(openid: string): boolean {
    const s = this.state.sessions[openid]
    return !!s && this.clock.now() - s.issuedAt < this.sessionTtlMs
  }

  /** @internal the user's current session key, creating one as WeChat would on first use. */
  currentSessionKey(user: TestUser): string {
    return this.checkSession(user.openid) ? this.state.sessions[user.openid]!.sessionKey : this.rotateSession(user)
  }

  /** @internal issues a new session key; the previous one stops working. */
  rotateSession(user: TestUser): string {
    const sessionKey = this.ids.sessionKey()
    this.state.sessions[user.openid] = { openid: user.openid, appid: user.appid, sessionKey, issuedAt: this.clock.now() }
    this.save()
    return sessionKey
  }

  /** @internal */
  isExpired(issuedAt: number): boolean {
    return this.clock.now() - issuedAt >= this.codeTtlMs
  }

  // ---- the phone button (./phone.ts) ----------------------------------------------------

  /** The user taps `<button open-type="getPhoneNumber">`: the `detail` WeChat delivers. */
  tapPhoneButton(openid: string, options: TapOptions = {}): PhoneButtonDetail {
    return tapPhoneButton(this, openid, options)
  }

  /** Server side: exchanges a phone code for `phone_info` (WeChat JSON); `openid` as in the request body. */
  exchangePhoneCode(code: unknown, caller: Caller, openid?: unknown): Promise<PhoneNumberResponse> {
    return exchangePhoneCode(this, code, caller, openid)
  }

  /** Resolves cloudIDs for the calling user, one result per id. */
  resolveCloudIds(ids: readonly string[], caller: Caller): CloudIdResult[] {
    return resolveCloudIds(this, ids, caller)
  }

  // ---- control -------------------------------------------------------------------------

  setFault(api: FaultApi, spec: FaultSpec | null): void {
    this.faults.set(api, spec)
  }

  /** Makes every outstanding js code, phone code and cloudID expired (not unknown). */
  expireCodes(): void {
    const past = this.clock.now() - this.codeTtlMs - 1
    for (const table of [this.state.jsCodes, this.state.phoneCodes, this.state.cloudIds] as Record<string, { issuedAt: number }>[]) {
      for (const entry of Object.values(table)) entry.issuedAt = Math.min(entry.issuedAt, past)
    }
    this.save()
  }

  /** Ends a user's session, as if WeChat had dropped the key (checkSession fails). */
  expireSession(openid: string): void {
    delete this.state.sessions[openid]
    this.save()
  }

  /** Back to a fresh state (same seed): default app, demo users, no faults. */
  reset(): void {
    this.faults.clear()
    this.state = emptySnapshot(this.state.seed)
    this.ids = new IdSource(this.state.seed, 0)
    this.initFresh()
  }
}
