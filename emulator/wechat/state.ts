/**
 * @module emulator/wechat/state — what the simulated WeChat remembers, and how it persists.
 *
 * The whole state is small (tens of users, a few live codes), so it is kept in memory and
 * written as one JSON snapshot after changes: temp file + fsync + rename, so a `kill -9` at any
 * moment leaves either the old or the new snapshot, never a torn one. Writes are coalesced and
 * asynchronous (`SnapshotWriter`): a synchronous fsync per tap cost ~4 ms of blocked event loop.
 * The price is a window of a few milliseconds in which a crash forgets the latest changes.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
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

export interface WeChatSnapshot {
  version: 1
  seed: string
  idCounter: number
  defaultAppid: string
  apps: Record<string, WeChatApp>
  users: Record<string, TestUser>
  /** openid → the user's only valid session. */
  sessions: Record<string, SessionEntry>
  jsCodes: Record<string, IssuedCode>
  phoneCodes: Record<string, IssuedCode>
  cloudIds: Record<string, CloudIdEntry>
}

export const SNAPSHOT_FILE = 'wechat.json'

/** Loads the snapshot, or returns undefined when there is none (or `fresh` removed it). */
export function loadSnapshot(dataDir: string, fresh: boolean): WeChatSnapshot | undefined {
  const file = join(dataDir, SNAPSHOT_FILE)
  if (fresh) rmSync(file, { force: true })
  if (!existsSync(file)) return undefined
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as WeChatSnapshot
  if (parsed.version !== 1) throw new Error(`${file}: unsupported snapshot version ${String(parsed.version)}`)
  return parsed
}

export function saveSnapshot(dataDir: string, snapshot: WeChatSnapshot): void {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, SNAPSHOT_FILE)
  const tmp = `${file}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, JSON.stringify(snapshot))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
}

/** Drops codes and cloudIDs past their lifetime so the snapshot does not grow forever. */
export function pruneExpired(s: WeChatSnapshot, now: number, ttlMs: number): void {
  for (const table of [s.jsCodes, s.phoneCodes, s.cloudIds] as Record<string, { issuedAt: number }>[]) {
    // Keep twice the lifetime, so "expired" is still told apart from "never issued" for a while.
    for (const [k, v] of Object.entries(table)) if (now - v.issuedAt > 2 * ttlMs) delete table[k]
  }
}

/** Coalesces snapshot writes: at most one in flight, and one more queued with the latest state. */
export class SnapshotWriter {
  private inFlight?: Promise<void>
  private queued = false

  constructor(
    private readonly dataDir: string,
    private readonly snapshot: () => WeChatSnapshot,
  ) {}

  /** Asks for the current state to be written soon. */
  schedule(): void {
    if (this.inFlight) {
      this.queued = true
      return
    }
    this.inFlight = this.writeLoop()
  }

  /** Resolves once everything scheduled so far is on disk. */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight
  }

  private async writeLoop(): Promise<void> {
    try {
      do {
        this.queued = false
        // Let a burst of changes (a tap touches quota, codes and ids) land in one write.
        await new Promise((resolve) => setImmediate(resolve))
        await writeAtomically(this.dataDir, JSON.stringify(this.snapshot()))
      } while (this.queued)
    } catch (e) {
      console.error(`[emulator] could not persist WeChat state: ${e instanceof Error ? e.message : String(e)}`)
    } finally {
      this.inFlight = undefined
    }
  }
}

async function writeAtomically(dataDir: string, text: string): Promise<void> {
  await mkdir(dataDir, { recursive: true })
  const file = join(dataDir, SNAPSHOT_FILE)
  const tmp = `${file}.${process.pid}.tmp`
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(text)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, file)
}
