/**
 * @module bench/coldLoad — a cold start of each built function, honestly: load + first call.
 *
 * Every sample is a fresh `node` process with the SCF environment pointed at a running
 * emulator. Inside it we time `require()` of the function (module scope included) and then its
 * FIRST `main()` call with a real event for a fresh user — so `cloud.init`, the first
 * `getWXContext`, lazily loaded code, the first sockets and the function's real CloudBase/WeChat
 * requests are all in the figure (getPhoneNumber: a whole bind, 7 requests). The call must
 * succeed, so a cheap failure path can never pass for a cold start.
 *
 * Compared side by side, same events, same emulator:
 * - `bundled`: what `npm run build` ships (SDK bundled in, rarely used dependencies deferred);
 * - `unbundled`: the same function with wx-server-sdk left to `node_modules` — our own code
 *   compiled to one file, the SDK and its dependency tree resolved by `require` as an
 *   `npm install`ed function would (esbuild `external`, no minify, nothing deferred);
 * - `naive`: bare `require('wx-server-sdk')` without any call (the figure this bench used to
 *   divide by; kept for continuity, it does less work than either build).
 * The ratio that counts is bundled ÷ unbundled of (require + first call). A second call of the
 * same kind (another fresh user) follows in the same process; (require + first − second) is the
 * start-up cost alone, without the call's own requests, which bundling cannot change. Targets
 * are interleaved and the order rotates every round, so the shared machine's load drift hits all.
 */
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { RunningEmulator } from '../emulator'
import { readFunctionConfig } from '../emulator/runner/functionConfig'
import { scfEnvironment } from '../emulator/runner/runner'
import { buildFunctions } from '../scripts/buildFunctions'
import type { PhonebindFunction } from '../packages/phonebind/src/functions'
import { FIRST_CALLS } from './firstCalls'
import { emulatorFunctionEnv, startBenchEmulator } from './lib/emulator'
import { median, round } from './lib/stats'

const PROBE = `
const t0 = performance.now();
const m = require(process.argv[1]);
const t1 = performance.now();
const calls = JSON.parse(process.argv[2]);
const out = (o) => { process.stdout.write('\\n@@COLD ' + JSON.stringify(o)); process.exit(0); };
if (calls.length === 0) out({ requireMs: t1 - t0, firstCallMs: 0, secondCallMs: 0, ok: true });
const call = (c) => { Object.assign(process.env, c.env); return Promise.resolve(m.main(c.event, {})); };
call(calls[0]).then((r1) => {
  const t2 = performance.now();
  if (!r1 || r1.ok !== true) out({ ok: false, result: r1 });
  return call(calls[1]).then((r2) => {
    const t3 = performance.now();
    out({ requireMs: t1 - t0, firstCallMs: t2 - t1, secondCallMs: t3 - t2, ok: r2 && r2.ok === true, result: r2 && r2.ok ? undefined : r2 });
  });
}).catch((e) => { console.error(e); process.exit(1); });
`

interface Sample {
  requireMs: number
  firstCallMs: number
  /** The same kind of call again in the same process (fresh user): the warm cost of the work. */
  secondCallMs: number
  /** Spawn to exit as seen by the parent (node start-up included). */
  processMs: number
}

export interface ColdLoadRow {
  requireMs: number
  firstCallMs: number
  secondCallMs: number
  /** require + first call, the median of the per-process sums. */
  coldMs: number
  /** require + first call − second call: what being cold costs beyond the call's own work. */
  startupMs: number
  processMs: number
}

export interface ColdLoadFunctionRow {
  bundled: ColdLoadRow
  unbundled: ColdLoadRow
  /** bundled.coldMs / unbundled.coldMs: the fair comparison. */
  vsUnbundled: number
  /** bundled.startupMs / unbundled.startupMs: the same with the call's own work taken out. */
  startupVsUnbundled: number
  /** bundled.coldMs / naive.requireMs: the bundle's load + first call vs a bare SDK require. */
  vsNaiveRequire: number
}

export interface ColdLoadResult {
  rounds: number
  measured: string
  naive: ColdLoadRow
  functions: Record<string, ColdLoadFunctionRow>
  /** The slowest function's bundled ÷ unbundled ratio (the target is ≤ 0.3). */
  worstRatio: number
}

interface Call {
  event: Record<string, unknown>
  env: Record<string, string>
}

function probe(target: string, calls: Call[], env: NodeJS.ProcessEnv, cwd: string): Promise<Sample> {
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', PROBE, target, JSON.stringify(calls)], { env, cwd, timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`cold load of ${target} failed: ${stderr || err.message}`))
      // The function logs JSON lines to stdout too; the probe's line is marked.
      const line = stdout.split('\n').find((l) => l.startsWith('@@COLD '))
      if (!line) return reject(new Error(`cold load of ${target}: no measurement`))
      const m = JSON.parse(line.slice('@@COLD '.length)) as Omit<Sample, 'processMs'> & { ok: boolean; result?: unknown }
      if (!m.ok) return reject(new Error(`cold load of ${target}: a call failed: ${JSON.stringify(m.result)}`))
      resolve({ requireMs: m.requireMs, firstCallMs: m.firstCallMs, secondCallMs: m.secondCallMs, processMs: performance.now() - t0 })
    })
  })
}

function rowOf(samples: Sample[]): ColdLoadRow {
  return {
    requireMs: round(median(samples.map((s) => s.requireMs))),
    firstCallMs: round(median(samples.map((s) => s.firstCallMs))),
    secondCallMs: round(median(samples.map((s) => s.secondCallMs))),
    coldMs: round(median(samples.map((s) => s.requireMs + s.firstCallMs))),
    startupMs: round(median(samples.map((s) => s.requireMs + s.firstCallMs - s.secondCallMs))),
    processMs: round(median(samples.map((s) => s.processMs))),
  }
}

export async function benchColdLoad(opts: {
  /** Function name → built bundle (`<dir>/<name>/index.js`, as `npm run build` makes it). */
  bundles: Record<string, string>
  projectRoot: string
  rounds: number
  log: (l: string) => void
}): Promise<ColdLoadResult> {
  const names = Object.keys(opts.bundles).filter((n): n is PhonebindFunction => n in FIRST_CALLS)
  const functionsDir = dirname(dirname(opts.bundles[names[0]!]!))
  // Inside the project so `require('wx-server-sdk')` resolves to its node_modules.
  const unbundledDir = join(opts.projectRoot, '.phonebind', `coldload-${randomUUID()}`)
  mkdirSync(unbundledDir, { recursive: true })
  const emu = await startBenchEmulator(functionsDir, { poolSize: 1 })
  try {
    const unbundled = await buildFunctions({ root: join(opts.projectRoot, 'cloudfunctions'), outDir: unbundledDir, functions: names, external: ['wx-server-sdk'], minify: false, lazy: false })
    const unbundledOf = Object.fromEntries(unbundled.functions.map((f) => [f.name, f.outFile]))
    const baseEnv = { PATH: process.env.PATH ?? '', ...scfEnvironment({ env: emu.env, adminUrl: emu.adminUrl }), ...emulatorFunctionEnv(emu) }
    const targets: { key: string; fn?: PhonebindFunction; path: string }[] = [{ key: 'naive', path: 'wx-server-sdk' }]
    for (const fn of names) targets.push({ key: `${fn}/bundled`, fn, path: opts.bundles[fn]! }, { key: `${fn}/unbundled`, fn, path: unbundledOf[fn]! })
    const samples = new Map<string, Sample[]>(targets.map((t) => [t.key, []]))

    const once = async (t: (typeof targets)[number]): Promise<Sample> => {
      if (!t.fn) return probe(t.path, [], baseEnv, opts.projectRoot)
      // Two fresh users, each with an invocation token registered as the runner does.
      const fn = t.fn
      const permissions = readFunctionConfig(dirname(opts.bundles[fn]!)).openapiPermissions
      const tokens: string[] = []
      try {
        const calls: Call[] = []
        for (let i = 0; i < 2; i++) {
          const user = emu.wechat.createUser({})
          const first = await FIRST_CALLS[fn](emu, user)
          const token = `emu-cold-${randomUUID()}`
          tokens.push(token)
          emu.invocations.register({ token, invocationId: randomUUID(), functionName: fn, openid: user.openid, appid: user.appid, openapiPermissions: permissions })
          calls.push({ event: first.event, env: { ...first.env, WX_OPENID: user.openid, WX_APPID: user.appid, WX_API_TOKEN: token } })
        }
        return await probe(t.path, calls, baseEnv, opts.projectRoot)
      } finally {
        for (const token of tokens) emu.invocations.unregister(token)
      }
    }
    for (let i = 0; i < opts.rounds; i++) {
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(k + i) % targets.length]!
        samples.get(t.key)!.push(await once(t))
      }
    }

    const naive = rowOf(samples.get('naive')!)
    const functions: Record<string, ColdLoadFunctionRow> = {}
    for (const fn of names) {
      const b = samples.get(`${fn}/bundled`)!
      const u = samples.get(`${fn}/unbundled`)!
      const bundled = rowOf(b)
      const unb = rowOf(u)
      functions[fn] = {
        bundled,
        unbundled: unb,
        vsUnbundled: round(bundled.coldMs / unb.coldMs, 3),
        startupVsUnbundled: round(bundled.startupMs / unb.startupMs, 3),
        vsNaiveRequire: round(bundled.coldMs / naive.requireMs, 3),
      }
    }
    const worstRatio = Math.max(...Object.values(functions).map((r) => r.vsUnbundled))
    opts.log(
      `cold load (require + first call): naive require ${naive.requireMs} ms; ` +
        Object.entries(functions)
          .map(([n, r]) => `${n} ${r.bundled.coldMs} vs ${r.unbundled.coldMs} ms (×${r.vsUnbundled}; start-up only ×${r.startupVsUnbundled})`)
          .join(', '),
    )
    return {
      rounds: opts.rounds,
      measured:
        'fresh node process per sample; median of require() + first main() call (real event, fresh user, against the emulator; must succeed); startup = that minus a second, warm call of the same kind in the same process; bundled = npm run build output, unbundled = same function with wx-server-sdk from node_modules; naive = bare require("wx-server-sdk"), no call',
      naive,
      functions,
      worstRatio,
    }
  } finally {
    await emu.stop()
    rmSync(unbundledDir, { recursive: true, force: true })
  }
}
