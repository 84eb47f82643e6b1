/**
 * The `phonebind` package as a user gets it: `npm pack` (which runs prepack, the package build),
 * installed with npm into a temp copy of the foreign project fixture, then its real `bin` run.
 * The install needs the package's dependency (esbuild) from npm's cache or the registry:
 * `--prefer-offline` makes it the cache after `npm ci` (CI), the registry otherwise.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FIXTURE, cleanupFixtures, copyFixture, hashTree } from './fixture'

const PKG = join(__dirname, '..', '..', 'packages', 'phonebind')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
let packDir: string
let tarball: string
let files: string[]

beforeAll(() => {
  packDir = mkdtempSync(join(tmpdir(), 'phonebind-pack-'))
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', packDir], { cwd: PKG, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  // prepack's own output comes first on stdout; the JSON report is last.
  const report = JSON.parse(out.slice(out.search(/^\[/m))) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[]
  tarball = join(packDir, report[0]!.filename)
  files = report[0]!.files.map((f) => f.path)
  process.stdout.write(`phonebind tarball: ${report[0]!.size} bytes packed, ${report[0]!.unpackedSize} unpacked, ${files.length} files\n`)
}, 120_000)

afterAll(() => {
  cleanupFixtures()
  rmSync(packDir, { recursive: true, force: true })
})

function phonebind(project: string, ...args: string[]) {
  const r = spawnSync(join(project, 'node_modules', '.bin', 'phonebind'), args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe('the phonebind tarball', () => {
  it('holds only the build output, the README and package.json: no tests, fixtures or sources', () => {
    expect(files).toContain('dist/cli.js')
    expect(files).toContain('dist/index.js')
    expect(files).toContain('dist/functions/getPhoneNumber/phonebind.js')
    expect(files).toContain('README.md')
    for (const f of files) expect([f, f === 'package.json' || f === 'README.md' || f.startsWith('dist/')]).toEqual([f, true])
    expect(files.filter((f) => /test|fixture|\.ts$|\.map$/i.test(f))).toEqual([])
  })

  it('installs into an ordinary mini program; init --yes twice changes nothing the second time and no user file; doctor says what is left', () => {
    const project = copyFixture(false)
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', tarball], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 })
    const userFiles = hashTree(FIXTURE)

    expect(phonebind(project, '--help').code).toBe(0)
    const unknown = phonebind(project, 'deploy')
    expect([unknown.code, unknown.err.includes('unknown command "deploy"')]).toEqual([2, true])

    const first = phonebind(project, 'init', '--yes')
    expect([first.code, first.err]).toEqual([0, ''])
    const afterFirst = hashTree(project)
    const second = phonebind(project, 'init', '--yes')
    expect(second.code).toBe(0)
    expect(hashTree(project)).toEqual(afterFirst)
    for (const [f, h] of userFiles) if (f !== 'project.config.json') expect([f, afterFirst.get(f)]).toEqual([f, h])

    // The user's own function is still theirs, beside phonebind's.
    expect(readFileSync(join(project, 'cloudfunctions', 'todos', 'package.json'), 'utf8')).toBe(readFileSync(join(FIXTURE, 'cloudfunctions', 'todos', 'package.json'), 'utf8'))

    const doctor = phonebind(project, 'doctor')
    expect(doctor.code).toBe(1)
    const marks = doctor.out.split('\n').filter((l) => /^[✔✘ℹ] /.test(l)).map((l) => l.split(' / ')[0])
    expect(marks).toEqual([
      '✔ appid wx8a3f2c1d9e7b6054',
      '✔ 环境 ID',
      '✔ 云函数',
      '✔ cloudbaserc.json 运行时',
      '✘ 没有页面注册 phone-auth 组件',
      '✘ phonebind-weapp 不在 dependencies 中',
      '✔ 安全规则',
      'ℹ 提醒：用户隐私保护指引须声明「手机号」，否则手机号按钮报 errno 112',
    ])

    const build = phonebind(project, 'build')
    expect([build.code, build.out.includes('every script parses')]).toEqual([0, true])
    expect(hashTree(project)).toEqual(afterFirst)

    // The library entry loads from the installed package.
    const lib = spawnSync(process.execPath, ['-e', "const p = require('phonebind'); process.exit(typeof p.startEmulator === 'function' ? 0 : 3)"], { cwd: project, encoding: 'utf8' })
    expect([lib.status, lib.stderr]).toEqual([0, ''])
  }, 180_000)
})
