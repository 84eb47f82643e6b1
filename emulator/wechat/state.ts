/**
 * @module emulator/wechat/state — the live state of one simulated WeChat, which every operation
 * (`./accounts.ts`, `./session.ts`, `./phone.ts`, `./control.ts`) takes as its first argument.
 *
 * Firebase's auth emulator split (`auth/state.ts` ← `auth/operations.ts`): this module knows the
 * tables, the id source, the clock, the fault injector and persistence, and imports none of the
 * operations. Lookups that every operation needs (`requireUser`, `checkSession`, …) live here;
 * anything that changes WeChat's behaviour lives in an operation module. `./wechat.ts`
 * (`SimulatedWeChat`) only wires the two together for callers.
 */
import type { EmulatorEvents } from '../events'
import type { Clock } from '../types'
import { systemClock } from '../types'
import { FaultInjector, sleep, type FaultApi, type FaultDecision } from './faults'
import { IdSource, randomSeed } from './random'
import { emptySnapshot, loadSnapshot, pruneExpired, saveSnapshot, SnapshotWriter, type TestUser, type WeChatApp, type WeChatSnapshot } from './snapshot'

export type { CloudIdEntry, IssuedCode, SessionEntry, Table, TestUser, WeChatApp, WeChatSnapshot } from './snapshot'

export const CODE_TTL_MS = 5 * 60 * 1000
/** WeChat never says how long a session key lives; three days keeps demos working overnight. */
export const DEFAULT_SESSION_TTL_MS = 3 * 24 * 3600 * 1000

export interface WeChatStateOptions {
  /** Where `wechat.json` lives; omit for a memory-only WeChat (tests). */
  dataDir?: string
  /** Start empty even if a snapshot exists (deletes it). */
  fresh?: boolean
  /** Start a new WeChat world on purpose; an existing `wechat.json` is renamed aside, not deleted. */
  newWorld?: boolean
  /**
   * What else in `dataDir` refers to this WeChat's users (e.g. "the database holds 3
   * documents"); a missing `wechat.json` is then refused (see `snapshot.ts`, `loadSnapshot`).
   */
  dependents?: string
  /** Seed for ids and faults; a fresh state picks a random one and remembers it. */
  seed?: string
  clock?: Clock
  events?: EmulatorEvents
  codeTtlMs?: number
  sessionTtlMs?: number
}

export class WeChatState {
  /** The persisted tables; operations mutate them, then call `save()`. */
  snapshot: WeChatSnapshot
  ids: IdSource
  readonly clock: Clock
  readonly codeTtlMs: number
  readonly sessionTtlMs: number
  readonly faults: FaultInjector
  /** Whether this run began without a snapshot (the caller seeds it: default app, demo users). */
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

  constructor(options: WeChatStateOptions = {}) {
    this.clock = options.clock ?? systemClock
    this.codeTtlMs = options.codeTtlMs ?? CODE_TTL_MS
    this.sessionTtlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS
    this.dataDir = options.dataDir
    this.events = options.events
    const { snapshot: loaded, setAsideAs } = this.dataDir
      ? loadSnapshot(this.dataDir, { fresh: options.fresh, newWorld: options.newWorld, dependents: options.dependents, now: this.clock.now() })
      : {}
    this.setAsideAs = setAsideAs
    this.startedFresh = !loaded
    this.snapshot = loaded ?? emptySnapshot(options.seed ?? randomSeed())
    this.ids = new IdSource(this.snapshot.seed, this.snapshot.idCounter)
    this.faults = new FaultInjector(options.seed ?? this.snapshot.seed)
    if (this.dataDir) this.writer = new SnapshotWriter(this.dataDir, () => this.snapshot)
  }

  /** Writes the snapshot now, synchronously, so a data dir is never left without one. */
  writeNow(): void {
    if (this.dataDir) saveSnapshot(this.dataDir, this.snapshot)
  }

  /** Schedules a snapshot write (atomic, coalesced) after pruning dead codes. */
  save(): void {
    this.snapshot.idCounter = this.ids.counter
    // Pruning walks every code ever issued: once per tap it was most of the emulator's CPU
    // under load (bench). Codes live 2x TTL before pruning, so one pass per second is plenty.
    const now = this.clock.now()
    if (now - this.lastPrune >= 1000 || now < this.lastPrune) {
      pruneExpired(this.snapshot, now, this.codeTtlMs)
      this.lastPrune = now
    }
    this.writer?.schedule()
  }

  /** Resolves once every change so far is on disk (rejects if it cannot be written). */
  async flush(): Promise<void> {
    this.save()
    await this.writer?.flush()
  }

  /** Starts over with an empty snapshot of the same seed (ids restart too); faults are cleared. */
  clear(): void {
    this.faults.clear()
    this.snapshot = emptySnapshot(this.snapshot.seed)
    this.ids = new IdSource(this.snapshot.seed, 0)
  }

  /** Reports one WeChat API call (never with a code, key or number). */
  emit(api: string, errcode: number, openid?: string, invocationId?: string): void {
    this.events?.emit('wechat.call', { api, errcode, openid, invocationId, at: this.clock.now() })
  }

  /** Applies latency, then returns the injected errcode, if any. */
  async fault(api: FaultApi): Promise<FaultDecision> {
    const decision = this.faults.decide(api)
    await sleep(decision.latencyMs)
    return decision
  }

  // ---- lookups ---------------------------------------------------------------------------

  get defaultAppid(): string {
    return this.snapshot.defaultAppid
  }

  getApp(appid: string = this.defaultAppid): WeChatApp | undefined {
    return this.snapshot.apps[appid]
  }

  requireApp(appid: string): WeChatApp {
    const app = this.snapshot.apps[appid]
    if (!app) throw new TypeError(`unknown appid ${appid}`)
    return app
  }

  getUser(openid: string): TestUser | undefined {
    return this.snapshot.users[openid]
  }

  requireUser(openid: string): TestUser {
    const user = this.snapshot.users[openid]
    if (!user) throw new TypeError(`unknown openid ${openid}`)
    return user
  }

  /** `wx.checkSession()`: true while the user's key has not rotated away or expired. */
  checkSession(openid: string): boolean {
    const s = this.snapshot.sessions[openid]
    return !!s && this.clock.now() - s.issuedAt < this.sessionTtlMs
  }

  /** The clock's time in whole Unix seconds, as WeChat's APIs count it. */
  nowSec(): number {
    return Math.floor(this.clock.now() / 1000)
  }

  isExpired(issuedAt: number): boolean {
    return this.clock.now() - issuedAt >= this.codeTtlMs
  }
}
