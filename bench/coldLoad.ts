/**
 * @module bench/coldLoad — cold load of each built function vs the naive way.
 *
 * naive = `require('wx-server-sdk')` from the project's unbundled node_modules, which is the
 * least an unbundled function does at start-up. Every sample is a fresh `node` process with the
 * SCF environment; the time is `require()` of the target (module scope included), measured
 * inside the process. Targets are interleaved and the order rotates every round, so drift in
 * the shared machine's load hits all of them alike. Medians, and each function's ratio to naive.
 */
import { execFile } from 'node:child_process'
import { scfEnvironment } from '../emulator/runner/runner'
import { median, round } from './lib/stats'

const PROBE = `
const t0 = performance.now();
require(process.argv[1]);
const t1 = performance.now();
process.stdout.write(JSON.stringify({ requireMs: t1 - t0 }));
`

function probe(target: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ requireMs: number; processMs: number }> {
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', PROBE, target], { env, cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`cold load of ${target} failed: ${stderr || err.message}`))
      else resolve({ ...(JSON.parse(stdout) as { requireMs: number }), processMs: performance.now() - t0 })
    })
  })
}

export interface ColdLoadRow {
  requireMs: number
  /** Spawn to exit, as seen by the parent (node start-up included). */
  processMs: number
  /** requireMs / naive requireMs, from the medians of the same run. */
  vsNaive: number
}

export interface ColdLoadResult {
  rounds: number
  naive: ColdLoadRow
  functions: Record<string, ColdLoadRow>
  /** The slowest function's ratio (the target is ≤ 0.3). */
  worstRatio: number
}

export async function benchColdLoad(opts: {
  bundles: Record<string, string>
  projectRoot: string
  rounds: number
  log: (l: string) => void
}): Promise<ColdLoadResult> {
  // A dead /admin URL: module scope must not call CloudBase, so nothing is ever sent there.
  const env = { PATH: process.env.PATH ?? '', ...scfEnvironment({ env: 'bench-env', adminUrl: 'http://127.0.0.1:9/admin' }) }
  const targets: [string, string][] = [['naive', 'wx-server-sdk'], ...Object.entries(opts.bundles)]
  const samples = new Map<string, { requireMs: number; processMs: number }[]>(targets.map(([n]) => [n, []]))
  for (let i = 0; i < opts.rounds; i++) {
    for (let k = 0; k < targets.length; k++) {
      const [name, path] = targets[(k + i) % targets.length]!
      samples.get(name)!.push(await probe(path, env, opts.projectRoot))
    }
  }
  const med = (name: string) => ({
    requireMs: median(samples.get(name)!.map((s) => s.requireMs)),
    processMs: median(samples.get(name)!.map((s) => s.processMs)),
  })
  const naive = med('naive')
  const row = (name: string): ColdLoadRow => {
    const m = med(name)
    return { requireMs: round(m.requireMs), processMs: round(m.processMs), vsNaive: round(m.requireMs / naive.requireMs, 3) }
  }
  const functions = Object.fromEntries(Object.keys(opts.bundles).map((n) => [n, row(n)]))
  const worstRatio = Math.max(...Object.values(functions).map((r) => r.vsNaive))
  opts.log(`cold load: naive ${round(naive.requireMs)} ms; ${Object.entries(functions).map(([n, r]) => `${n} ${r.requireMs} ms (×${r.vsNaive})`).join(', ')}`)
  return { rounds: opts.rounds, naive: row('naive'), functions, worstRatio }
}
