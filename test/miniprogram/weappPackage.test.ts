/**
 * @jest-environment node
 *
 * The phonebind-weapp tarball as `npm pack` makes it: the built component and its runtime, the
 * declarations and the README — no sources, tests or fixtures — and declarations that type-check a
 * TypeScript mini program with nothing but the tarball's files installed.
 */
import { execFileSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as ts from 'typescript'

const PKG = path.resolve(__dirname, '../../packages/weapp')

interface PackResult { name: string; size: number; unpackedSize: number; files: Array<{ path: string }> }
let packed: PackResult
beforeAll(() => {
  // --ignore-scripts: `npm run build` has built the package; prepack would rebuild it under the
  // other suites' feet. That prepack builds is checked below from package.json.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PKG, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  packed = (JSON.parse(out) as PackResult[])[0]
}, 60_000)

const files = () => packed.files.map((f) => f.path).sort()

test('holds the built component, its runtime, the types and the README, and nothing else', () => {
  expect(packed.name).toBe('phonebind-weapp')
  for (const f of files()) expect(f).toMatch(/^(miniprogram_dist\/.+\.(js|json|wxml|wxss)|types\/.+\.d\.ts|package\.json|README\.md)$/)
  expect(files()).toEqual(expect.arrayContaining([
    'README.md', 'package.json', 'types/index.d.ts',
    'miniprogram_dist/index.js',
    'miniprogram_dist/phone-auth/index.js', 'miniprogram_dist/phone-auth/index.json', 'miniprogram_dist/phone-auth/index.wxml', 'miniprogram_dist/phone-auth/index.wxss',
    'miniprogram_dist/core/errors.js', 'miniprogram_dist/core/wechatCodes.js', 'miniprogram_dist/core/baseLibrary.js',
    'miniprogram_dist/sms-verify/index.js', 'miniprogram_dist/sms-verify/index.json', 'miniprogram_dist/sms-verify/index.wxml', 'miniprogram_dist/sms-verify/index.wxss',
    'miniprogram_dist/services/sms.js', 'types/sms-verify/type.d.ts',
  ]))
})

test('has no sources, tests, fixtures or build scripts', () => {
  expect(files().filter((f) => /(^src\/|^scripts\/|test|fixture|\.ts$)/.test(f) && !f.endsWith('.d.ts'))).toEqual([])
})

test('its build output and 构建npm\'s are generated, never committed', () => {
  const tracked = execFileSync('git', ['ls-files', 'packages/weapp/miniprogram_dist', 'packages/weapp/types', 'miniprogram/miniprogram_npm'], { cwd: path.resolve(PKG, '../..'), encoding: 'utf8' })
  expect(tracked.split('\n').filter(Boolean)).toEqual([])
})

test('is the layout 构建npm reads, and packing builds it first', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'))
  expect(pkg).toMatchObject({ miniprogram: 'miniprogram_dist', main: 'miniprogram_dist/index.js', types: 'types/index.d.ts' })
  expect(pkg.dependencies ?? {}).toEqual({}) // the package carries its runtime
  expect(pkg.scripts.prepack).toBe('tsx scripts/build.ts')
})

test('every require in the JS stays inside the package, and the syntax is ES2015', () => {
  const js = files().filter((f) => f.endsWith('.js'))
  for (const f of js) {
    const text = fs.readFileSync(path.join(PKG, f), 'utf8')
    for (const [, spec] of text.matchAll(/require\("([^"]+)"\)/g)) {
      expect(spec.startsWith('.')).toBe(true)
      expect(fs.existsSync(path.join(PKG, path.dirname(f), `${spec}.js`))).toBe(true)
    }
    // What ES2015 lacks and esbuild lowers: ?. ?? async/await, object spread/rest, class fields.
    expect({ f, later: /\?\.[\w[(]|\?\?|\basync\s+(function|\()|\bawait\b/.test(text) }).toEqual({ f, later: false })
  }
})

test('the declarations type-check a TypeScript page using only the tarball\'s files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phonebind-weapp-types-'))
  try {
    for (const f of files()) {
      fs.mkdirSync(path.dirname(path.join(dir, 'node_modules/phonebind-weapp', f)), { recursive: true })
      fs.copyFileSync(path.join(PKG, f), path.join(dir, 'node_modules/phonebind-weapp', f))
    }
    const page = path.join(dir, 'page.ts')
    fs.writeFileSync(page, [
      "import { callFunction, initCloud, MIN_BASE_LIBRARY, startSession } from 'phonebind-weapp'",
      "import type { PhoneAuthBoundDetail, PhoneAuthFailedDetail, Result, LoginData } from 'phonebind-weapp'",
      "export const ok: boolean = initCloud('env-1')",
      "export const session: Promise<Result<LoginData>> = startSession({ legacy: false })",
      "export const code: string = MIN_BASE_LIBRARY.code",
      "export async function unbind(): Promise<boolean> { const r = await callFunction('unbindPhone', {}); return r.ok && r.data.released }",
      "export function onBound(e: { detail: PhoneAuthBoundDetail }): string { return e.detail.phone.masked }",
      "export function onFailed(e: { detail: PhoneAuthFailedDetail }): string { return e.detail.nextStep + e.detail.error.code }",
      "import { sendSmsCode } from 'phonebind-weapp'",
      "import type { SmsVerifyBoundDetail, SmsVerifyFailedDetail } from 'phonebind-weapp'",
      "export async function sms(): Promise<string> { const r = await sendSmsCode('13800138000'); return r.ok ? r.data.maskedPhone + r.data.resendAfterSeconds : r.error.code }",
      "export function onSmsBound(e: { detail: SmsVerifyBoundDetail }): PhoneAuthBoundDetail { return e.detail }",
      "export function onSmsFailed(e: { detail: SmsVerifyFailedDetail }): string { return e.detail.stage + e.detail.nextStep }",
      "// @ts-expect-error: a function that does not exist is refused",
      "callFunction('noSuchFunction', {})",
    ].join('\n'))
    const program = ts.createProgram([page], {
      strict: true, noEmit: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10, lib: ['lib.es2020.d.ts'], skipLibCheck: false,
      types: ['miniprogram-api-typings'], typeRoots: [path.resolve(__dirname, '../../node_modules')],
    })
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    expect(diagnostics).toEqual([])
    // Resolved through node_modules/phonebind-weapp/types, not the repository's sources.
    expect(program.getSourceFiles().map((s) => s.fileName).filter((f) => f.includes('phonebind-weapp')).every((f) => f.startsWith(dir))).toBe(true)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}, 60_000)

describe('phone-auth properties: one definition', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { props } = require(path.join(PKG, 'miniprogram_dist/phone-auth/props.js')) as { props: Record<string, { type: unknown; value: unknown }> }
  const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
  const literal = (value: unknown) => (typeof value === 'string' ? `'${value}'` : String(value))

  test('the README Props table lists each property with its type and default, and nothing else', () => {
    const readme = fs.readFileSync(path.join(PKG, 'README.md'), 'utf8')
    const table = readme.slice(readme.indexOf('## Props'), readme.indexOf('## Events'))
    const rows = [...table.matchAll(/^\| ([a-z-]+) \| (\w+) \| `([^`]*)` \|/gm)].map((m) => ({ name: m[1], type: m[2], value: m[3] }))
    const expected = Object.entries(props).map(([name, p]) => ({ name: kebab(name), type: (p.type as { name: string }).name, value: String(p.value) }))
    expect(rows).toEqual(expected)
  })

  test('the @default tags of PhoneAuthProps match', () => {
    const dts = fs.readFileSync(path.join(PKG, 'types/phone-auth/type.d.ts'), 'utf8')
    const block = dts.slice(dts.indexOf('interface PhoneAuthProps'))
    for (const [name, p] of Object.entries(props)) {
      const tag = new RegExp(`@default ([^*]+?) \\*/\\s*${name}:`).exec(block)
      expect({ name, default: tag?.[1] }).toEqual({ name, default: literal(p.value) })
    }
  })
})

describe('sms-verify properties: one definition', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { props } = require(path.join(PKG, 'miniprogram_dist/sms-verify/props.js')) as { props: Record<string, { type: unknown; value: unknown }> }
  const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
  const literal = (value: unknown) => (typeof value === 'string' ? `'${value}'` : String(value))

  test('the README\'s sms-verify properties table lists each property with its type and default, and nothing else', () => {
    const readme = fs.readFileSync(path.join(PKG, 'README.md'), 'utf8')
    const table = readme.slice(readme.indexOf('### sms-verify properties'), readme.indexOf('### sms-verify events'))
    const rows = [...table.matchAll(/^\| ([a-z-]+) \| (\w+) \| `([^`]*)` \|/gm)].map((m) => ({ name: m[1], type: m[2], value: m[3] }))
    // An empty default is written '' in the table (an empty code span does not render).
    const expected = Object.entries(props).map(([name, p]) => ({ name: kebab(name), type: (p.type as { name: string }).name, value: p.value === '' ? "''" : String(p.value) }))
    expect(rows).toEqual(expected)
  })

  test('the @default tags of SmsVerifyProps match', () => {
    const dts = fs.readFileSync(path.join(PKG, 'types/sms-verify/type.d.ts'), 'utf8')
    const block = dts.slice(dts.indexOf('interface SmsVerifyProps'))
    for (const [name, p] of Object.entries(props)) {
      const tag = new RegExp(`@default ([^*]+?) \\*/\\s*${name}:`).exec(block)
      expect({ name, default: tag?.[1] }).toEqual({ name, default: literal(p.value) })
    }
  })
})
