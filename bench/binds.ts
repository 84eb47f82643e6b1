/**
 * @module bench/binds — bind latency and throughput through the emulator with the real
 * functions, the requests each binding costs, and where the CPU goes.
 *
 * A bind = `tapPhoneButton` → `callFunction('getPhoneNumber', {code})` as a fresh user, driven
 * in-process (`inProcessDriver`: the `/client` routes' own code path without their HTTP hop).
 * Each concurrency level gets a warm-up, then `n` binds; binds/s = n / wall time.
 */
import { readFileSync } from 'node:fs'
import type { RunningEmulator } from '../emulator'
import type { Driver } from './lib/driver'
import { checkInvariants, classify, type OpRecord } from './lib/invariants'
import { latencySummary, round } from './lib/stats'
import { createUsers, uniqueNumber } from './lib/workload'

export interface BindLevelResult {
  concurrency: number
  binds: number
  failed: number
  elapsedMs: number
  bindsPerSecond: number
  latencyMs: ReturnType<typeof latencySummary>
  /** CPU seconds per 1000 binds: the bench+emulator process and all function workers. */
  cpuMsPerBind?: { emulator: number; workers: number }
}

export interface BindBenchResult {
  driver: Driver['kind']
  poolSize: number
  levels: BindLevelResult[]
  /** Client → cloud calls per successful binding (target 1). */
  clientRoundTripsPerBind: number
  /** `/admin` requests per getPhoneNumber invocation, from `admin.call` events. */
  adminCallsPerBind: { median: number; min: number; max: number; byAction: Record<string, number> }
  invariants: ReturnType<typeof checkInvariants>
}

/** utime + stime of a process, ms (Linux /proc; 0 elsewhere or once it exited). */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // clock ticks: 100 Hz on Linux
  } catch {
    return 0
  }
}

export async function benchBinds(
  emu: RunningEmulator,
  driver: Driver,
  opts: { levels: { concurrency: number; binds: number }[]; poolSize: number; log: (l: string) => void; firstNumber?: number },
): Promise<BindBenchResult> {
  await driver.setQuota(1_000_000_000)
  await emu.runner.warm('getPhoneNumber', opts.poolSize)

  const adminByInvocation = new Map<string, number>()
  const byAction: Record<string, number> = {}
  const bindInvocations = new Set<string>()
  const offStart = emu.events.on('invocation.start', (e) => {
    if (e.functionName === 'getPhoneNumber') bindInvocations.add(e.invocationId)
  })
  const offAdmin = emu.events.on('admin.call', (e) => {
    if (!e.invocationId || !bindInvocations.has(e.invocationId)) return
    adminByInvocation.set(e.invocationId, (adminByInvocation.get(e.invocationId) ?? 0) + 1)
    const key = e.detail ? `${e.action}:${e.detail}` : e.action
    byAction[key] = (byAction[key] ?? 0) + 1
  })

  let userCounter = opts.firstNumber ?? 0
  let clientCalls = 0
  let okBinds = 0
  const ops: OpRecord[] = []
  const levels: BindLevelResult[] = []
  const bindOnce = async (openid: string, e164: string): Promise<{ ok: boolean; ms: number }> => {
    const t0 = performance.now()
    const detail = await driver.tap(openid)
    clientCalls++
    const c = classify(await driver.call(openid, 'getPhoneNumber', { code: detail.code }))
    const ms = performance.now() - t0
    ops.push({ openid, kind: 'bind', e164, seq: 0, ...c })
    if (c.outcome === 'ok') okBinds++
    return { ok: c.outcome === 'ok', ms }
  }
  const run = async (concurrency: number, n: number) => {
    const first = userCounter
    userCounter += n
    const openids = await createUsers(driver, n, (i) => uniqueNumber(first + i))
    const latencies: number[] = []
    let failed = 0
    let next = 0
    const t0 = performance.now()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < n; i = next++) {
          const r = await bindOnce(openids[i]!, `+86${uniqueNumber(first + i)}`)
          latencies.push(r.ms)
          if (!r.ok) failed++
        }
      }),
    )
    return { latencies, failed, elapsedMs: performance.now() - t0 }
  }

  try {
    for (const level of opts.levels) {
      await run(level.concurrency, level.concurrency * 2) // warm-up: JIT, sockets, pool
      const cpu0 = process.cpuUsage()
      const pids = emu.runner.pids()
      const w0 = pids.reduce((s, p) => s + processCpuMs(p), 0)
      const r = await run(level.concurrency, level.binds)
      const cpu = process.cpuUsage(cpu0)
      const w1 = pids.reduce((s, p) => s + processCpuMs(p), 0)
      const row: BindLevelResult = {
        concurrency: level.concurrency,
        binds: level.binds,
        failed: r.failed,
        elapsedMs: round(r.elapsedMs),
        bindsPerSecond: round((level.binds / r.elapsedMs) * 1000),
        latencyMs: latencySummary(r.latencies),
        cpuMsPerBind: { emulator: round((cpu.user + cpu.system) / 1000 / level.binds, 2), workers: round((w1 - w0) / level.binds, 2) },
      }
      levels.push(row)
      opts.log(`binds c=${row.concurrency}: ${row.bindsPerSecond}/s p50 ${row.latencyMs.p50} ms p99 ${row.latencyMs.p99} ms (${row.failed} failed)`)
    }
  } finally {
    offStart()
    offAdmin()
  }

  const counts = [...adminByInvocation.values()].sort((a, b) => a - b)
  const invariants = checkInvariants(await driver.snapshot(['users', 'phone_index']), ops)
  return {
    driver: driver.kind,
    poolSize: opts.poolSize,
    levels,
    clientRoundTripsPerBind: round(clientCalls / Math.max(1, okBinds), 3),
    adminCallsPerBind: {
      median: counts[counts.length >> 1] ?? 0,
      min: counts[0] ?? 0,
      max: counts[counts.length - 1] ?? 0,
      byAction: Object.fromEntries(Object.entries(byAction).map(([k, v]) => [k, round(v / Math.max(1, counts.length), 2)])),
    },
    invariants,
  }
}
