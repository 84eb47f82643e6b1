/**
 * Measures what bundling does to a phonebind function's cold start, to decide whether
 * wx-server-sdk is bundled in or left to the cloud's npm install (figures: server/README.md).
 *
 *   npx tsx bench/measureColdStart.ts [rounds=9] [functions=getPhoneNumber] (comma-separated: measured interleaved, in one run)
 *
 * Each sample is a fresh node process with the SCF environment: `require` of the bundle, then
 * the first `main({})` (which loads and inits the SDK, reads getWXContext and validates; `{}`
 * is INVALID_INPUT, so no network is involved). Variants are interleaved so machine load hits
 * all alike; medians are printed. Variants: `default` = `npm run build` (SDK bundled, rarely
 * used dependencies deferred to side files); `bundledEager` = one self-contained file;
 * `external` = SDK left to node_modules (what 「云端安装依赖」 of wx-server-sdk would give).
 * Not a test (no assertions about a shared machine's timing).
 */
import { execFile } from 'node:child_process'
import { readdirSync, statSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { buildFunctions } from '../scripts/buildFunctions'
import { PHONEBIND_FUNCTIONS } from '../packages/phonebind/src/facts'
import { scfEnvironment } from '../emulator/runner/runner'

// Under the project so the `external` variant resolves node_modules like a cloud install would.
const ROOT = join(__dirname, '..', '.phonebind', 'measure-fn')
const variants: Record<string, object> = {
  default: {},
  bundledEager: { lazy: false },
  external: { external: ['wx-server-sdk'], lazy: false },
}
const PROBE = `
const t0 = performance.now();
const m = require(process.argv[1]);
const t1 = performance.now();
m.main({}).then((r) => { const t2 = performance.now(); process.stderr.write('@@' + JSON.stringify({ requireMs: t1 - t0, firstCallMs: t2 - t1, outcome: r.ok ? 'OK' : r.error.code }) + '@@') })
`
const env = { ...process.env, ...scfEnvironment({ env: 'm', adminUrl: 'http://127.0.0.1:9/admin' }), WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID', WX_OPENID: 'o-measure', WX_APPID: 'wxmeasure' }
function probe(file: string): Promise<{ requireMs: number; firstCallMs: number; outcome: string }> {
  return new Promise((res, rej) => execFile(process.execPath, ['-e', PROBE, file], { env }, (err, _out, errOut) => {
    const m = /@@(.*)@@/.exec(errOut)
    if (!m) rej(new Error(errOut || String(err))); else res(JSON.parse(m[1]))
  }))
}
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1] }
async function main(): Promise<void> {
  const fns = [...PHONEBIND_FUNCTIONS]
  rmSync(ROOT, { recursive: true, force: true })
  for (const [name, opts] of Object.entries(variants)) await buildFunctions({ root: join(__dirname, '..', 'cloudfunctions'), outDir: join(ROOT, name), functions: fns, ...opts })
  const rounds = Number(process.argv[2] ?? 9)
  const names = (process.argv[3] ?? 'getPhoneNumber').split(',')
  const key = (variant: string, fn: string) => `${variant}/${fn}`
  const samples: Record<string, { requireMs: number; firstCallMs: number }[]> = {}
  for (let r = 0; r < rounds; r++) for (const fn of names) for (const name of Object.keys(variants)) {
    const s = await probe(join(ROOT, name, fn, 'index.js'))
    ;(samples[key(name, fn)] ??= []).push(s)
    if (r === 0) console.log(fn, name, 'outcome', s.outcome)
  }
  for (const fn of names) for (const name of Object.keys(variants)) {
    const dir = join(ROOT, name, fn)
    const files = readdirSync(dir).filter((f) => f.endsWith('.js'))
    const bytes = files.map((f) => `${f}=${(statSync(join(dir, f)).size / 1024).toFixed(0)}KB`).join(' ')
    const got = samples[key(name, fn)]
    console.log(`${fn.padEnd(15)} ${name.padEnd(13)} require ${med(got.map((s) => s.requireMs)).toFixed(0)} ms, first call ${med(got.map((s) => s.firstCallMs)).toFixed(0)} ms; ${bytes}`)
  }
}
void main()
