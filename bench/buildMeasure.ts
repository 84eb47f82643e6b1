/**
 * @module bench/buildMeasure — measures what bundling does to a function's cold start:
 * bundle size, cold `require` time (module scope included) and the first call, in fresh node
 * processes with the SCF environment, variants interleaved, medians reported.
 *
 *   npx tsx bench/buildMeasure.ts [--rounds 15] [--root dir --fn name]
 *
 * `vsNaive` = (require + first call) / naive require: a function may load the SDK inside main().
 *
 * Variants: `naive` = plain `require('wx-server-sdk')` from node_modules (nothing else);
 * `external` = our bundle with wx-server-sdk left to node_modules (what a cloud install does);
 * `bundled` = SDK bundled in, not minified; `minified` = fully minified; `default` = what
 * `npm run build` does (whitespace + syntax minified, SDK dependencies deferred). Bundles are written under `.phonebind/measure/` so `external` can
 * resolve node_modules.
 */
import { execFile } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { buildFunctions, formatBytes, type BuildFunctionsOptions } from '../scripts/buildFunctions'
import { scfEnvironment } from '../emulator/runner/runner'
import { median, round } from './lib/stats'

interface Variant {
  name: string
  build?: BuildFunctionsOptions
}

export const VARIANTS: Variant[] = [
  { name: 'naive' },
  { name: 'external', build: { external: ['wx-server-sdk'], lazy: false } },
  { name: 'bundled', build: { minify: false, lazy: false } },
  { name: 'minified', build: { minify: true, lazy: false } },
  { name: 'default', build: {} },
]

interface Sample {
  requireMs: number
  firstCallMs: number
  secondCallMs: number
}

const PROBE = `
const t0 = performance.now();
const m = require(process.argv[1]);
const t1 = performance.now();
if (!m.main) { process.stdout.write('\\n@@MEASURE ' + JSON.stringify({ requireMs: t1 - t0, firstCallMs: 0, secondCallMs: 0 })); process.exit(0); }
Object.assign(process.env, { WX_OPENID: 'oMeasure_1', WX_APPID: 'wxmeasure000001', WX_API_TOKEN: 'emu-measure' });
m.main({}, {}).then(() => {
  const t2 = performance.now();
  return m.main({}, {}).then(() => {
    process.stdout.write('\\n@@MEASURE ' + JSON.stringify({ requireMs: t1 - t0, firstCallMs: t2 - t1, secondCallMs: performance.now() - t2 }));
    process.exit(0);
  });
}, (e) => { console.error(e); process.exit(1); });
`

function probe(target: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', PROBE, target], { env, cwd, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${target}: ${stderr || err.message}`))
      else {
        // The function may print its own log lines; the probe's line is marked.
        const line = stdout.split('\n').find((l) => l.startsWith('@@MEASURE '))
        if (!line) reject(new Error(`${target}: no measurement in output`))
        else resolve(JSON.parse(line.slice('@@MEASURE '.length)) as Sample)
      }
    })
  })
}

export async function measure(opts: { rounds?: number; root?: string; fn?: string; log?: (l: string) => void } = {}): Promise<Record<string, unknown>> {
  const projectRoot = join(__dirname, '..')
  const root = opts.root ?? join(projectRoot, 'emulator', 'runner', 'fixtures')
  const fn = opts.fn ?? 'coldload'
  const rounds = opts.rounds ?? 15
  const log = opts.log ?? ((l: string) => console.log(l))
  const outBase = join(projectRoot, '.phonebind', 'measure')
  rmSync(outBase, { recursive: true, force: true })

  const targets: Record<string, { path: string; bytes?: number; sideBytes?: number; buildMs?: number }> = {}
  for (const v of VARIANTS) {
    if (!v.build) {
      targets[v.name] = { path: 'wx-server-sdk' }
      continue
    }
    const outDir = join(outBase, v.name)
    mkdirSync(outDir, { recursive: true })
    const r = await buildFunctions({ ...v.build, root, functions: [fn], outDir })
    const f = r.functions[0]
    targets[v.name] = { path: f.outFile, bytes: f.bytes, sideBytes: f.sideFiles.reduce((n, x) => n + x.bytes, 0), buildMs: f.ms }
  }

  // A stand-in /admin that answers every query with an empty list.
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
      res.end(JSON.stringify({ data: { list: [] }, requestId: 'measure' }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const adminUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`
  const env = { PATH: process.env.PATH ?? '', ...scfEnvironment({ env: 'measure-env', adminUrl }) }

  const samples: Record<string, Sample[]> = Object.fromEntries(VARIANTS.map((v) => [v.name, []]))
  try {
    for (let i = 0; i < rounds; i++) {
      // Rotate the order each round so no variant always runs right after another.
      const order = VARIANTS.map((_, k) => VARIANTS[(k + i) % VARIANTS.length])
      for (const v of order) samples[v.name].push(await probe(targets[v.name].path, env, projectRoot))
    }
  } finally {
    server.close()
  }

  const naive = median(samples.naive.map((s) => s.requireMs))
  const report: Record<string, unknown> = { function: fn, rounds, node: process.version }
  for (const v of VARIANTS) {
    const req = median(samples[v.name].map((s) => s.requireMs))
    // A function may load the SDK lazily inside main(): compare require + first call.
    const cold = v.name === 'naive' ? req : median(samples[v.name].map((s) => s.requireMs + s.firstCallMs))
    const row = {
      bytes: targets[v.name].bytes ?? null,
      deferredBytes: targets[v.name].sideBytes ?? null,
      requireMs: round(req),
      firstCallMs: v.name === 'naive' ? null : round(median(samples[v.name].map((s) => s.firstCallMs))),
      secondCallMs: v.name === 'naive' ? null : round(median(samples[v.name].map((s) => s.secondCallMs))),
      coldMs: round(cold),
      vsNaive: round(cold / naive, 2),
    }
    report[v.name] = row
    log(
      `${v.name.padEnd(9)} ${(row.bytes ? formatBytes(row.bytes) : '-').padStart(9)}  require ${String(row.requireMs).padStart(6)} ms` +
        `  first call ${String(row.firstCallMs ?? '-').padStart(6)} ms  cold ${String(row.coldMs).padStart(6)} ms  ×${row.vsNaive}  (second call ${row.secondCallMs ?? '-'} ms)`,
    )
  }
  return report
}

if (require.main === module) {
  const argv = process.argv.slice(2)
  const arg = (k: string) => {
    const i = argv.indexOf(k)
    return i >= 0 ? argv[i + 1] : undefined
  }
  measure({ rounds: Number(arg('--rounds') ?? 15), root: arg('--root'), fn: arg('--fn') }).then(
    (r) => console.log(JSON.stringify(r)),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e)
      process.exit(1)
    },
  )
}
