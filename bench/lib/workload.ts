/**
 * @module bench/lib/workload — a mixed binding workload with deliberate conflicts.
 *
 * Users are created with numbers from two pools: a unique number each, or (for
 * `sharedFraction` of them) one of a few "hot" numbers several users hold, so their binds race
 * for the same `phone_index` entry. Operations (weights in `mix`):
 *   bind     tap → getPhoneNumber {code}
 *   cloudID  tap → getOpenData {cloudID: wx.cloud.CloudID(…)}
 *   legacy   wx.login → login {code} → tap → getOpenData {encryptedData, iv}
 *   rebind   the user changes their WeChat number (unique or hot), then `bind`
 *   unbind   unbindPhone {}
 * One user never has two operations in flight (a phone taps one button at a time); up to
 * `concurrency` users act at once. Every operation's outcome is recorded as an `OpRecord`.
 */
import type { Driver } from './driver'
import { classify, type OpRecord } from './invariants'
import { prng } from './stats'

export type OpKind = 'bind' | 'cloudID' | 'legacy' | 'rebind' | 'unbind'

export interface WorkloadOptions {
  users: number
  ops: number
  concurrency: number
  /** Fraction of users whose number is a hot, shared one (default 0.3). */
  sharedFraction?: number
  /** How many hot numbers (default users / 20, at least 2). */
  hotNumbers?: number
  mix?: Partial<Record<OpKind, number>>
  seed?: number
  /** Stop issuing new operations when this returns true (the crash test kills mid-run). */
  shouldStop?: () => boolean
  onOp?: (op: OpRecord & { op: OpKind; ms: number }) => void
}

export interface WorkloadResult {
  openids: string[]
  ops: OpRecord[]
  /** Latency (ms) of every operation, tap to result. */
  latencies: number[]
  elapsedMs: number
  /** Count per result code ('OK', catalog codes, callFunction errCodes, 'TRANSPORT', 'TAP_FAILED'). */
  codes: Record<string, number>
}

const DEFAULT_MIX: Record<OpKind, number> = { bind: 55, cloudID: 15, legacy: 5, rebind: 15, unbind: 10 }

/** Numbers that cannot collide with the emulator's generated ones (`13` + 9 digits). */
export function uniqueNumber(i: number): string {
  return `199${String(i).padStart(8, '0')}`
}
export function hotNumber(i: number): string {
  return `188${String(i).padStart(8, '0')}`
}

export async function createUsers(driver: Driver, count: number, numberOf: (i: number) => string, concurrency = 16): Promise<string[]> {
  const openids: string[] = new Array(count)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) openids[i] = (await driver.createUser({ purePhoneNumber: numberOf(i) })).openid
    }),
  )
  return openids
}

export async function runWorkload(driver: Driver, opts: WorkloadOptions): Promise<WorkloadResult> {
  const rand = prng(opts.seed ?? 1)
  const shared = opts.sharedFraction ?? 0.3
  const hot = Math.max(2, opts.hotNumbers ?? Math.floor(opts.users / 20))
  let uniqueCounter = opts.users
  const numbers: string[] = Array.from({ length: opts.users }, (_, i) => (rand() < shared ? hotNumber(Math.floor(rand() * hot)) : uniqueNumber(i)))
  const openids = await createUsers(driver, opts.users, (i) => numbers[i]!)
  await driver.setQuota(1_000_000_000)

  const mix = { ...DEFAULT_MIX, ...(opts.mix ?? {}) }
  const kinds = Object.keys(mix) as OpKind[]
  const total = kinds.reduce((s, k) => s + mix[k], 0)
  const pick = (): OpKind => {
    let r = rand() * total
    for (const k of kinds) if ((r -= mix[k]) < 0) return k
    return 'bind'
  }

  const seq = new Map<string, number>()
  const idle = openids.map((_, i) => i)
  const ops: OpRecord[] = []
  const latencies: number[] = []
  const codes: Record<string, number> = {}
  let issued = 0
  const errors: unknown[] = []
  const started = performance.now()

  const runOne = async (userIndex: number, kind: OpKind): Promise<void> => {
    const openid = openids[userIndex]!
    const t0 = performance.now()
    const s = seq.get(openid) ?? 0
    seq.set(openid, s + 1)
    if (kind === 'rebind') {
      numbers[userIndex] = rand() < shared ? hotNumber(Math.floor(rand() * hot)) : uniqueNumber(uniqueCounter++)
      await driver.setWeChatPhone(openid, numbers[userIndex]!)
    }
    const record = (r: Omit<OpRecord, 'openid' | 'seq'>, code: string) => {
      const op: OpRecord = { openid, seq: s, ...r }
      const ms = performance.now() - t0
      ops.push(op)
      latencies.push(ms)
      codes[code] = (codes[code] ?? 0) + 1
      opts.onOp?.({ ...op, op: kind, ms })
    }
    if (kind === 'unbind') {
      const c = classify(await driver.call(openid, 'unbindPhone', {}))
      return record({ kind: 'unbind', ...c }, c.code ?? 'OK')
    }
    const e164 = `+86${numbers[userIndex]}`
    if (kind === 'legacy') {
      const code = await driver.login(openid)
      const login = classify(await driver.call(openid, 'login', { code }))
      if (login.outcome !== 'ok') return record({ kind: 'bind', e164, outcome: login.outcome === 'unknown' ? 'unknown' : 'failed', code: login.code }, login.code ?? 'LOGIN')
    }
    const detail = await driver.tap(openid)
    if (!detail.errMsg.endsWith(':ok')) return record({ kind: 'bind', e164, outcome: 'failed', code: 'TAP_FAILED' }, 'TAP_FAILED')
    const [name, data] =
      kind === 'cloudID'
        ? ['getOpenData', { cloudID: { $cloudID: detail.cloudID } }]
        : kind === 'legacy'
          ? ['getOpenData', { encryptedData: detail.encryptedData, iv: detail.iv }]
          : ['getPhoneNumber', { code: detail.code }]
    const c = classify(await driver.call(openid, name, data))
    record({ kind: 'bind', e164, ...c }, c.code ?? 'OK')
  }

  await Promise.all(
    Array.from({ length: Math.min(opts.concurrency, openids.length) }, async () => {
      while (issued < opts.ops && !opts.shouldStop?.()) {
        if (idle.length === 0) {
          await new Promise((r) => setImmediate(r))
          continue
        }
        issued++
        const slot = Math.floor(rand() * idle.length)
        const userIndex = idle[slot]!
        idle[slot] = idle[idle.length - 1]!
        idle.pop()
        const kind = pick()
        try {
          await runOne(userIndex, kind)
        } catch (e) {
          // The emulator went away between steps (crash test): the outcome is unknown.
          const openid = openids[userIndex]!
          const op: OpRecord = { openid, seq: (seq.get(openid) ?? 1) - 1, kind: kind === 'unbind' ? 'unbind' : 'bind', e164: `+86${numbers[userIndex]}`, outcome: 'unknown', code: 'TRANSPORT' }
          ops.push(op)
          codes.TRANSPORT = (codes.TRANSPORT ?? 0) + 1
          opts.onOp?.({ ...op, op: kind, ms: 0 })
          if (!opts.shouldStop?.()) errors.push(e)
        } finally {
          idle.push(userIndex)
        }
      }
    }),
  )
  if (errors.length) throw errors[0]
  return { openids, ops, latencies, elapsedMs: performance.now() - started, codes }
}
