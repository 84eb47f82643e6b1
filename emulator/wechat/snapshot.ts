/**
 * @module emulator/wechat/snapshot — what the simulated WeChat remembers, and how it persists.
 * The live state that operations act on (`./state.ts`) holds one of these snapshots.
 *
 * The whole state is small (tens of users, a few live codes), so it is kept in memory and
 * written as one JSON snapshot after changes: temp file + fsync + rename, so a `kill -9` at any
 * moment leaves either the old or the new snapshot, never a torn one. Writes are coalesced and
 * asynchronous (`SnapshotWriter`): a synchronous fsync per tap cost ~4 ms of blocked event loop.
 * The price is a window of a few milliseconds in which a crash forgets the latest changes;
 * callers that must not lose a change (creating users, control changes) await `flush()`.
 *
 * Every table is keyed by ids that clients choose (`appid`, `openid`, codes), so tables are
 * null-prototype objects: `__proto__` or `constructor` is then an ordinary missing key, never
 * `Object.prototype`. The snapshot holds AppSecrets and session keys: it is written 0600.
 */
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { mkdir, open, rename } from 'node:fs/promises'
import { join } from 'node:path'

/** A mini program registered with the simulated WeChat. */
export interface WeChatApp {
  appid: string
  /** AppSecret. Server-side only: never in a client response, event or log. */
  secret: string
  name: string
  /** Paid phone-verification quota left; a successful tap consumes one. */
  quota: number
  /** Whether 手机号 is declared in the privacy guide (errno 112 otherwise). */
  privacyDeclared: boolean
  /** Whether the app may use the phone button at all (verified, non-individual). */
  phonePermission: boolean
}

/** A simulated WeChat user of one app. */
export interface TestUser {
  openid: string
  appid: string
  unionid?: string
  /** Digits only, without the country code, e.g. `13800138000`. */
  purePhoneNumber?: string
  /** Digits only, e.g. `86`. */
  countryCode?: string
  /** The base library the user's WeChat runs, e.g. `3.4.2`; decides what a tap delivers. */
  baseLibrary: string
  /** Whether the user agreed to the app's privacy guide (errno 104 otherwise). */
  privacyAuthorized: boolean
  nickname?: string
  createdAt: number
}

export interface SessionEntry {
  openid: string
  appid: string
  /** Server-side secret: never in a client response, event or log. */
  sessionKey: string
  issuedAt: number
}

export interface IssuedCode {
  code: string
  appid: string
  openid: string
  issuedAt: number
  used: boolean
}

export interface CloudIdEntry {
  cloudID: string
  appid: string
  openid: string
  issuedAt: number
  /** The open data (`{phoneNumber, …, watermark}`) the id resolves to. */
  data: Record<string, unknown>
}

/** A phone-verification resource package (./meter.ts); the free trial is one too. */
export interface ResourcePackage {
  pkgId: string
  /** Calls the package holds. */
  all: number
  used: number
  /** Seconds, as getUsageDetail reports them. */
  startTime: number
  endTime: number
  source: number
}

export interface QuotaMeter {
  appid: string
  /** The free trial first, then bought packages in the order they were added. */
  packages: ResourcePackage[]
  /** Successful taps so far, by kind. */
  calls: { quick: number; realtime: number }
  /** Money spent so far, in fen: paid (non-trial) calls at the unit price. */
  spentFen: number
}

/** An issued access token (./token.ts). */
export interface IssuedToken {
  token: string
  /** Seconds. */
  expiresAt: number
}

export interface AppTokens {
  stable?: IssuedToken
  /** The stable token renewed early, valid until its own expiry. */
  stablePrevious?: IssuedToken
  plain?: IssuedToken
  /** A replaced plain token: valid 5 more minutes. */
  plainPrevious?: IssuedToken
  force: { day: string; count: number; lastAt: number }
}

/** Owner read/write only: the snapshot holds AppSecrets, session keys and live codes. */
export const SNAPSHOT_MODE = 0o600

/** A table keyed by client-chosen ids: no prototype, so no key can reach `Object.prototype`. */
export type Table<T> = Record<string, T>

/** A null-prototype table, with `entries` copied in as own properties (`__proto__` included). */
export function table<T>(entries?: Record<string, T>): Table<T> {
  const t = Object.create(null) as Table<T>
  // Assignment on a null-prototype object always defines an own property: there is no
  // inherited `__proto__` setter to hit.
  if (entries) for (const k of Object.keys(entries)) t[k] = entries[k]!
  return t
}

export interface WeChatSnapshot {
  version: 1
  seed: string
  idCounter: number
  defaultAppid: string
  apps: Table<WeChatApp>
  users: Table<TestUser>
  /** openid → the user's only valid session. */
  sessions: Table<SessionEntry>
  jsCodes: Table<IssuedCode>
  phoneCodes: Table<IssuedCode>
  cloudIds: Table<CloudIdEntry>
  /** appid → its access tokens (stable and plain) and force_refresh count (./token.ts). */
  accessTokens: Table<AppTokens>
  /** appid → its phone-quota meter (./meter.ts). */
  meters: Table<QuotaMeter>
}

const TABLES = ['apps', 'users', 'sessions', 'jsCodes', 'phoneCodes', 'cloudIds'] as const
/** Tables added later: a snapshot written before them simply has none yet. */
const LATER_TABLES = ['accessTokens', 'meters'] as const

export function emptySnapshot(seed: string): WeChatSnapshot {
  return { version: 1, seed, idCounter: 0, defaultAppid: '', apps: table(), users: table(), sessions: table(), jsCodes: table(), phoneCodes: table(), cloudIds: table(), accessTokens: table(), meters: table() }
}

export const SNAPSHOT_FILE = 'wechat.json'

/** The snapshot cannot be used as it is; the message names the file, the problem and the ways out. */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SnapshotError'
  }
}

export interface LoadOptions {
  /** Delete the snapshot first (`--fresh`, which also deletes the database). */
  fresh?: boolean
  /**
   * Start a new WeChat world on purpose (`--new-wechat`): a snapshot that exists (damaged or
   * not) is renamed aside, never deleted.
   */
  newWorld?: boolean
  /**
   * Set when other data in the directory refers to this WeChat's users (e.g. "the database holds
   * 12 documents"): a missing snapshot is then refused instead of silently starting over.
   */
  dependents?: string
  /** For the name of a file set aside. */
  now: number
}

export interface Loaded {
  snapshot?: WeChatSnapshot
  /** Where an existing snapshot was moved by `newWorld`. */
  setAsideAs?: string
}

const RECOVER_NEW_WORLD = `keep the database and start a new simulated WeChat on purpose: --new-wechat (startEmulator option \`newWeChat: true\`); users already in the database will match no WeChat user`

/** Loads the snapshot, or returns none when there is none (or `fresh` removed it). */
export function loadSnapshot(dataDir: string, options: LoadOptions): Loaded {
  const file = join(dataDir, SNAPSHOT_FILE)
  if (options.fresh) rmSync(file, { force: true })
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    if (options.dependents && !options.newWorld) throw missingError(file, options.dependents)
    return {}
  }
  if (options.newWorld) return { setAsideAs: setAside(file, 'replaced', options.now) }
  const problem = snapshotProblem(text)
  if (typeof problem === 'string') throw damagedError(file, problem)
  return { snapshot: problem }
}

/** The parsed snapshot (tables as null-prototype objects), or what is wrong with the text. */
function snapshotProblem(text: string): WeChatSnapshot | string {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    return `not valid JSON: ${e instanceof Error ? e.message : String(e)} (the file has ${Buffer.byteLength(text)} bytes)`
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object'
  const p = parsed as Record<string, unknown>
  if (p.version !== 1) return `unsupported snapshot version ${JSON.stringify(p.version)} (expected 1)`
  if (typeof p.seed !== 'string' || typeof p.defaultAppid !== 'string') return '"seed" or "defaultAppid" is missing'
  if (!Number.isInteger(p.idCounter) || (p.idCounter as number) < 0) return '"idCounter" is not a non-negative integer'
  const snapshot = { ...p } as unknown as WeChatSnapshot
  for (const name of TABLES) {
    const t = p[name]
    if (typeof t !== 'object' || t === null || Array.isArray(t)) return `"${name}" is not an object`
    ;(snapshot as unknown as Record<string, unknown>)[name] = table(t as Record<string, unknown>)
  }
  for (const name of LATER_TABLES) {
    const t = p[name] ?? {}
    if (typeof t !== 'object' || t === null || Array.isArray(t)) return `"${name}" is not an object`
    ;(snapshot as unknown as Record<string, unknown>)[name] = table(t as Record<string, unknown>)
  }
  if (!snapshot.apps[snapshot.defaultAppid]) return `the default app "${snapshot.defaultAppid}" is not among "apps"`
  return snapshot
}

function damagedError(file: string, problem: string): SnapshotError {
  return new SnapshotError(
    [
      `${file} 已损坏，模拟器未启动 / is damaged, so the emulator did not start: ${problem}.`,
      'The file was not changed: it is left exactly as it is.',
      'To recover / 恢复方法:',
      '  - repair the file (it is JSON) or restore it from a backup, then start again; or',
      `  - ${RECOVER_NEW_WORLD}; the damaged file is kept beside it as ${SNAPSHOT_FILE}.replaced-<time>.`,
      '  (--fresh also starts over, but it DELETES the database as well.)',
    ].join('\n'),
  )
}

function missingError(file: string, dependents: string): SnapshotError {
  return new SnapshotError(
    [
      `${file} 不存在，但数据库中已有数据，模拟器未启动 / is missing, but ${dependents}, so the emulator did not start.`,
      'A new simulated WeChat would make a new AppID and new users, and nothing in the database would match them.',
      'To recover / 恢复方法:',
      `  - restore ${SNAPSHOT_FILE} from a backup, then start again; or`,
      `  - ${RECOVER_NEW_WORLD}; or`,
      '  - start over completely: --fresh (this DELETES the database too).',
    ].join('\n'),
  )
}

/** Renames the snapshot to `wechat.json.<why>-<time>` (kept, never deleted) and returns that path. */
function setAside(file: string, why: string, now: number): string {
  const to = `${file}.${why}-${new Date(now).toISOString().replace(/[:.]/g, '-')}`
  renameSync(file, to)
  return to
}

export function saveSnapshot(dataDir: string, snapshot: WeChatSnapshot): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, SNAPSHOT_FILE)
  const tmp = `${file}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w', SNAPSHOT_MODE)
  try {
    // A temp file left by an older run keeps its old mode through `open`: set it explicitly.
    fchmodSync(fd, SNAPSHOT_MODE)
    writeSync(fd, JSON.stringify(snapshot))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
}

/** Drops codes and cloudIDs past their lifetime so the snapshot does not grow forever. */
export function pruneExpired(s: WeChatSnapshot, now: number, ttlMs: number): void {
  for (const t of [s.jsCodes, s.phoneCodes, s.cloudIds] as Table<{ issuedAt: number }>[]) {
    // Keep twice the lifetime, so "expired" is still told apart from "never issued" for a while.
    for (const [k, v] of Object.entries(t)) if (now - v.issuedAt > 2 * ttlMs) delete t[k]
  }
}

/**
 * Coalesces snapshot writes: at most one in flight, and one more with the latest state.
 * Changes are numbered, so `flush()` waits for a write that covers the changes made before it,
 * and not for a quiet moment that a steady stream of taps would never give it.
 */
export class SnapshotWriter {
  private inFlight?: Promise<void>
  /** Changes scheduled so far, and how many of them the file on disk holds. */
  private requested = 0
  private written = 0
  /** Flushes waiting for the write that covers their change number. */
  private waiters: { upTo: number; resolve: () => void; reject: (e: unknown) => void }[] = []

  constructor(
    private readonly dataDir: string,
    private readonly snapshot: () => WeChatSnapshot,
  ) {}

  /** Asks for the current state to be written soon. */
  schedule(): void {
    this.requested += 1
    this.inFlight ??= this.writeLoop()
  }

  /** Resolves once every change scheduled so far is on disk; rejects if it could not be written. */
  flush(): Promise<void> {
    const upTo = this.requested
    if (this.written >= upTo) return Promise.resolve()
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ upTo, resolve, reject }))
    // No loop running with changes unwritten means the last write failed: try again.
    this.inFlight ??= this.writeLoop()
    return done
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.written < this.requested) {
        // Let a burst of changes (a tap touches quota, codes and ids) land in one write.
        await new Promise((resolve) => setImmediate(resolve))
        const covers = this.requested
        await writeAtomically(this.dataDir, JSON.stringify(this.snapshot()))
        this.written = covers
        this.settle((w) => w.upTo <= covers, (w) => w.resolve())
      }
    } catch (e) {
      console.error(`[emulator] could not persist WeChat state: ${messageOf(e)}`)
      const err = new Error(`could not persist WeChat state: ${messageOf(e)}`)
      this.settle(() => true, (w) => w.reject(err))
    } finally {
      this.inFlight = undefined
    }
  }

  private settle(which: (w: SnapshotWriter['waiters'][number]) => boolean, how: (w: SnapshotWriter['waiters'][number]) => void): void {
    const now = this.waiters.filter(which)
    this.waiters = this.waiters.filter((w) => !which(w))
    for (const w of now) how(w)
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

async function writeAtomically(dataDir: string, text: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, SNAPSHOT_FILE)
  const tmp = `${file}.${process.pid}.tmp`
  const fh = await open(tmp, 'w', SNAPSHOT_MODE)
  try {
    await fh.chmod(SNAPSHOT_MODE)
    await fh.writeFile(text)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, file)
}
