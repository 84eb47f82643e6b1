/**
 * @module services/tapCooldown — the cost guard's memory of abandoned phone taps.
 *
 * Each tap opens WeChat's sheet; a user (or a script) who keeps opening and cancelling it gains
 * nothing, and a tap that does succeed costs the app money (¥0.03, realtime ¥0.04, after the free
 * 1000). After `after` cancelled taps within `windowSeconds`, the button rests for `seconds`.
 * The record is in `wx` storage (per app and WeChat user on the device), so reopening the page
 * does not reset it; without storage (full, or an old host) it falls back to memory.
 */

export interface CooldownSettings {
  /** Abandoned taps that start a cooldown; 0 turns the guard off. */
  after: number
  /** Window (seconds) in which those taps must fall. */
  windowSeconds: number
  /** How long (seconds) the button rests. */
  seconds: number
}

interface Record_ {
  /** Times (ms) of recent abandoned taps, oldest first. */
  taps: number[]
  /** End of the current cooldown (ms), 0 when none. */
  until: number
}

export const COOLDOWN_STORAGE_KEY = 'phonebind:phoneTapCooldown'
/** Never keep more taps than a guard could need: bounds storage even with a huge `after`. */
const MAX_TAPS = 50

let memory: Record_ = { taps: [], until: 0 }

function isRecord(value: unknown): value is Record_ {
  const r = value as Record_
  return !!r && Array.isArray(r.taps) && r.taps.every((t) => typeof t === 'number' && Number.isFinite(t)) && typeof r.until === 'number' && Number.isFinite(r.until)
}

function load(): Record_ {
  try {
    const stored: unknown = wx.getStorageSync(COOLDOWN_STORAGE_KEY)
    if (isRecord(stored)) return { taps: stored.taps.slice(-MAX_TAPS), until: stored.until }
    if (stored === '' || stored === undefined || stored === null) return { taps: [], until: 0 }
  } catch {
    // storage unavailable: use what this launch remembers
  }
  return { taps: memory.taps.slice(), until: memory.until }
}

function save(record: Record_): void {
  memory = { taps: record.taps.slice(), until: record.until }
  try {
    wx.setStorageSync(COOLDOWN_STORAGE_KEY, record)
  } catch {
    // storage full or unavailable: the in-memory copy still guards this launch
  }
}

/** Whole, non-negative numbers only: a bad property turns that part of the guard off, never on. */
function whole(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0
}

export function normaliseSettings(s: Partial<CooldownSettings>): CooldownSettings {
  return { after: whole(s.after), windowSeconds: whole(s.windowSeconds), seconds: whole(s.seconds) }
}

/** Milliseconds the button must still rest (0 = usable now). A clock set back ends the cooldown early rather than lengthening it. */
export function cooldownRemaining(now: number, settings: CooldownSettings): number {
  if (settings.after === 0 || settings.seconds === 0) return 0
  const { until } = load()
  const left = until - now
  return left > 0 && left <= settings.seconds * 1000 ? left : 0
}

/**
 * Notes one abandoned tap (deny / cancel / declined consent). Returns the cooldown it started in
 * milliseconds, or 0 when the guard is not (yet) triggered.
 */
export function recordAbandonedTap(now: number, settings: CooldownSettings): number {
  if (settings.after === 0 || settings.seconds === 0) return 0
  const record = load()
  const since = now - settings.windowSeconds * 1000
  const taps = record.taps.filter((t) => t > since && t <= now).concat(now).slice(-MAX_TAPS)
  if (taps.length >= settings.after) {
    // The taps that triggered it are spent: after the rest the user gets a full allowance again.
    save({ taps: [], until: now + settings.seconds * 1000 })
    return settings.seconds * 1000
  }
  save({ taps, until: record.until })
  return 0
}

/** Forgets abandoned taps, e.g. after a successful binding. */
export function clearTapCooldown(): void {
  save({ taps: [], until: 0 })
}
