import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BuildError, buildFunctions, listFunctionSources } from '../../scripts/buildFunctions'

// `npm run build`'s code, on a scratch copy of the fixtures (it builds in place).
const FIXTURES = join(__dirname, 'fixtures')
const ROOT = join(__dirname, '..', '..')
let root: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'build-test-'))
  for (const f of ['throws', 'sleeps', 'whoami']) cpSync(join(FIXTURES, f), join(root, f), { recursive: true })
  mkdirSync(join(root, '_shared'))
  writeFileSync(join(root, '_shared', 'index.ts'), 'export const x = 1\n')
  mkdirSync(join(root, '.hidden'))
  writeFileSync(join(root, '.hidden', 'index.ts'), 'export const x = 1\n')
  mkdirSync(join(root, 'notAFunction'))
  writeFileSync(join(root, 'notAFunction', 'README.md'), 'no index.ts here\n')
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

test('lists only folders with an index.ts, ignoring _ and . folders', async () => {
  expect(await listFunctionSources(root)).toEqual(['sleeps', 'throws', 'whoami'])
})

test('bundles in place next to config.json and package.json without touching them', async () => {
  const cfg = join(root, 'whoami', 'config.json')
  const pkg = join(root, 'whoami', 'package.json')
  const before = [readFileSync(cfg, 'utf8'), statSync(cfg).mtimeMs, readFileSync(pkg, 'utf8'), statSync(pkg).mtimeMs]
  const lines: string[] = []
  const report = await buildFunctions({ root, log: (l) => lines.push(l) })
  expect(report.functions.map((f) => f.name).sort()).toEqual(['sleeps', 'throws', 'whoami'])
  expect([readFileSync(cfg, 'utf8'), statSync(cfg).mtimeMs, readFileSync(pkg, 'utf8'), statSync(pkg).mtimeMs]).toEqual(before)
  expect(readdirSync(join(root, 'whoami')).sort()).toEqual(['config.json', 'index.deps-openapi.js', 'index.deps-rare.js', 'index.js', 'index.ts', 'package.json'])
  expect(existsSync(join(root, '_shared', 'index.js'))).toBe(false)
  // The bundle is CommonJS, exports main, and carries no require of the SDK.
  const js = readFileSync(join(root, 'whoami', 'index.js'), 'utf8')
  expect(js).not.toMatch(/require\("wx-server-sdk"\)/)
  expect(js).toMatch(/module\.exports/)
  // A function without the SDK defers nothing.
  expect(readdirSync(join(root, 'sleeps')).sort()).toEqual(['config.json', 'index.js', 'index.ts'])
  expect(lines.find((l) => l.includes('whoami'))).toMatch(/✓ whoami\s+[\d.]+ KB \(\+[\d.]+ MB deferred\)\s+\d+ ms/)
}, 30_000)

test('external leaves wx-server-sdk to node_modules; rebuilds never leave stale side files', async () => {
  await buildFunctions({ root, functions: ['whoami'] })
  expect(existsSync(join(root, 'whoami', 'index.deps-rare.js'))).toBe(true)
  const r = await buildFunctions({ root, functions: ['whoami'], external: ['wx-server-sdk'] })
  expect(r.functions[0].bytes).toBeLessThan(20_000)
  expect(readFileSync(join(root, 'whoami', 'index.js'), 'utf8')).toMatch(/require\("wx-server-sdk"\)/)
  expect(readdirSync(join(root, 'whoami')).filter((f) => f.startsWith('index.deps-'))).toEqual([])
  await buildFunctions({ root, functions: ['whoami'] })
  await buildFunctions({ root, functions: ['whoami'], lazy: false })
  expect(readdirSync(join(root, 'whoami')).filter((f) => f.startsWith('index.deps-'))).toEqual([])
}, 30_000)

test('a function that does not compile fails the build with its file and line', async () => {
  mkdirSync(join(root, 'broken'))
  writeFileSync(join(root, 'broken', 'index.ts'), 'export async function main() {\n  return { a: \n}\n')
  const err = await buildFunctions({ root }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(BuildError)
  expect((err as BuildError).failures.map((f) => f.name)).toEqual(['broken'])
  expect((err as BuildError).message).toMatch(/broken.*index\.ts:\d+/s)
  await expect(buildFunctions({ root, functions: ['nope'] })).rejects.toThrow(/no index\.ts for: nope/)
}, 30_000)

test('npm run build exits non-zero with a clear message on failure', async () => {
  mkdirSync(join(root, 'broken'))
  writeFileSync(join(root, 'broken', 'index.ts'), 'export const = 1\n')
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--root', root, 'broken', 'sleeps'], { cwd: ROOT }, (e, stdout, stderr) =>
      resolve({ code: e ? (e as { code?: number }).code ?? 1 : 0, out: stdout + stderr }),
    )
  })
  expect(code).toBe(1)
  expect(out).toMatch(/Build failed: failed to build broken/)
  expect(out).toMatch(/✓ sleeps/)
}, 30_000)
