/**
 * @module bench — `npm run bench [-- --quick] [-- --persist]`: the performance figures as JSON on
 * stdout (progress on stderr), also written to `bench/results.json`.
 *
 *   coldLoad     each built function's require() + first call vs the same function with
 *                wx-server-sdk from node_modules, fresh processes
 *   decrypt      core decryptOpenData vs raw node:crypto (and raw + JSON.parse)
 *   binds        p50/p99 and binds/s at concurrency 1, 8, 32; round trips; /admin calls per bind
 *   profile      where the emulator process spends CPU during the c=32 run
 *   reliability  a fault-injected mixed workload and the database invariants afterwards
 *   bundles      bytes of each built function
 * Every ratio compares figures measured side by side in this one run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchBinds, type BindBenchResult } from './binds'
import { benchColdLoad } from './coldLoad'
import { benchDecrypt } from './decrypt'
import { bundleOf, profileFunction, type FunctionProfileResult } from './functionProfile'
import { httpDriver, inProcessDriver } from './lib/driver'
import { buildIntoTemp, PROJECT_ROOT, startBenchEmulator } from './lib/emulator'
import { checkInvariants, type InvariantReport } from './lib/invariants'
import { profile, type ProfileSummary } from './lib/profile'
import { latencySummary, round } from './lib/stats'
import { runWorkload } from './lib/workload'

const log = (line: string) => process.stderr.write(`${line}\n`)

interface Settings {
  quick: boolean
  persist: boolean
  poolSize: number
}

function parseArgs(argv: string[]): Settings {
  const s: Settings = { quick: false, persist: false, poolSize: 8 }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--quick') s.quick = true
    else if (a === '--persist') s.persist = true
    else if (a === '--pool') s.poolSize = Number(argv[++i])
    else throw new Error(`unknown option ${a} (options: --quick, --persist, --pool <n>)`)
  }
  if (!Number.isInteger(s.poolSize) || s.poolSize < 1) throw new Error('--pool needs a positive integer')
  return s
}

async function main(): Promise<void> {
  const settings = parseArgs(process.argv.slice(2))
  const q = settings.quick
  const started = Date.now()
  const meta = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavgAtStart: loadavg().map((x) => round(x, 2)), ...settings }
  log(`phonebind bench (${q ? 'quick' : 'default'}), load average ${meta.loadavgAtStart.join(' ')}`)

  const built = await buildIntoTemp()
  const dataDirs: string[] = []
  const dataDir = () => {
    if (!settings.persist) return undefined
    const d = mkdtempSync(join(tmpdir(), 'phonebind-bench-data-'))
    dataDirs.push(d)
    return d
  }
  try {
    const bundles = Object.fromEntries(
      built.functions.map((f) => [f.name, { bytes: f.bytes, deferredBytes: f.sideFiles.reduce((s, x) => s + x.bytes, 0) }]),
    )

    const decrypt = benchDecrypt({ batches: q ? 7 : 15, perBatch: q ? 10000 : 20000, log })
    const coldLoad = await benchColdLoad({
      bundles: Object.fromEntries(built.functions.map((f) => [f.name, f.outFile])),
      projectRoot: PROJECT_ROOT,
      rounds: q ? 5 : 15,
      log,
    })

    const emu = await startBenchEmulator(built.dir, { poolSize: settings.poolSize, dataDir: dataDir() })
    let binds: BindBenchResult
    let profiled: { value: BindBenchResult; summary: ProfileSummary }
    let fnProfile: FunctionProfileResult
    let viaHttp: BindBenchResult
    try {
      const driver = inProcessDriver(emu)
      binds = await benchBinds(emu, driver, {
        poolSize: settings.poolSize,
        levels: q
          ? [{ concurrency: 1, binds: 30 }, { concurrency: 8, binds: 120 }, { concurrency: 32, binds: 300 }]
          : [{ concurrency: 1, binds: 100 }, { concurrency: 8, binds: 400 }, { concurrency: 32, binds: 1000 }],
        log,
      })
      log('profiling the emulator process during another c=32 run …')
      profiled = await profile(() => benchBinds(emu, driver, { poolSize: settings.poolSize, levels: [{ concurrency: 32, binds: q ? 150 : 400 }], log, firstNumber: 1_000_000 }))
      log('the same c=32 binds through the HTTP client API, for comparison …')
      viaHttp = await benchBinds(emu, httpDriver(emu.client), { poolSize: settings.poolSize, levels: [{ concurrency: 32, binds: q ? 150 : 500 }], log, firstNumber: 3_000_000 })
      log('profiling the getPhoneNumber bundle in-process …')
      fnProfile = await profileFunction(emu, bundleOf(built.dir, 'getPhoneNumber'), { binds: q ? 60 : 200, firstNumber: 2_000_000 })
    } finally {
      await emu.stop()
    }

    // Faults and conflicts: WeChat -1 on 5% of exchanges, 2-3 ms of latency on each, hot numbers.
    const users = q ? 200 : 500
    const opsCount = q ? 600 : 2000
    const emu2 = await startBenchEmulator(built.dir, { poolSize: settings.poolSize, dataDir: dataDir() })
    let reliability: { invariants: InvariantReport } & Record<string, unknown>
    try {
      const driver = inProcessDriver(emu2)
      await driver.setFault('getPhoneNumber', { errcode: -1, rate: 0.05, latencyMs: 3 })
      await driver.setFault('getOpenData', { errcode: -1, rate: 0.05, latencyMs: 2 })
      await driver.setFault('jscode2session', { errcode: -1, rate: 0.05 })
      log(`reliability: ${users} users, ${opsCount} operations at concurrency 32 with faults …`)
      const w = await runWorkload(driver, { users, ops: opsCount, concurrency: 32, seed: 7 })
      const inv = checkInvariants(await driver.snapshot(['users', 'phone_index']), w.ops)
      reliability = {
        users,
        operations: w.ops.length,
        concurrency: 32,
        opsPerSecond: round((w.ops.length / w.elapsedMs) * 1000),
        latencyMs: latencySummary(w.latencies),
        resultCodes: w.codes,
        invariants: inv,
      }
      log(`reliability: lost ${inv.lost}, duplicated ${inv.duplicated}, violations ${inv.violations.length}`)
    } finally {
      await emu2.stop()
    }

    const results = {
      meta: { ...meta, loadavgAtEnd: loadavg().map((x) => round(x, 2)), totalSeconds: round((Date.now() - started) / 1000) },
      coldLoad,
      decrypt,
      binds: { ...binds, httpClientAt32: viaHttp.levels[0] },
      profile: { binds: profiled.value.levels[0], emulatorProcess: profiled.summary, functionInProcess: fnProfile },
      reliability,
      bundles,
      targets: targetsMet({ coldLoad, decrypt, binds, reliability }),
    }
    const json = JSON.stringify(results, null, 2)
    writeFileSync(join(__dirname, 'results.json'), `${json}\n`)
    process.stdout.write(`${json}\n`)
    log(`done in ${results.meta.totalSeconds} s; written to bench/results.json`)
  } finally {
    built.cleanup()
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true })
  }
}

function targetsMet(r: {
  coldLoad: { worstRatio: number }
  decrypt: { ratioVsRaw: number; ratioVsRawJson: number }
  binds: { levels: { concurrency: number; bindsPerSecond: number; latencyMs: { p99: number } }[]; clientRoundTripsPerBind: number; invariants: { lost: number; duplicated: number } }
  reliability: { invariants: { lost: number; duplicated: number; ok: boolean } }
}): Record<string, { target: string; value: unknown; met: boolean }> {
  const c32 = r.binds.levels.find((l) => l.concurrency === 32)
  return {
    coldLoad: { target: '≤ 0.3× unbundled (require + first call)', value: r.coldLoad.worstRatio, met: r.coldLoad.worstRatio <= 0.3 },
    bindsPerSecondAt32: { target: '≥ 300', value: c32?.bindsPerSecond, met: (c32?.bindsPerSecond ?? 0) >= 300 },
    p99At32: { target: '≤ 150 ms', value: c32?.latencyMs.p99, met: (c32?.latencyMs.p99 ?? Infinity) <= 150 },
    decrypt: { target: '≥ 0.9× raw', value: { vsRaw: r.decrypt.ratioVsRaw, vsRawJson: r.decrypt.ratioVsRawJson }, met: r.decrypt.ratioVsRawJson >= 0.9 },
    clientRoundTrips: { target: '1 per binding', value: r.binds.clientRoundTripsPerBind, met: r.binds.clientRoundTripsPerBind === 1 },
    lostOrDuplicated: {
      target: '0',
      value: { lost: r.binds.invariants.lost + r.reliability.invariants.lost, duplicated: r.binds.invariants.duplicated + r.reliability.invariants.duplicated },
      met: r.binds.invariants.lost + r.binds.invariants.duplicated === 0 && r.reliability.invariants.ok,
    },
  }
}

// A wedged run (e.g. a function that never answers) must not hold the shared machine.
setTimeout(() => {
  log('bench timed out after 10 minutes')
  process.exit(2)
}, 600_000).unref()

main().catch((e: unknown) => {
  log(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
  process.exit(1)
})
