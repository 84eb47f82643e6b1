/**
 * `phonebind dev` as a process (what `npm start` runs on the repository's root, and what a user
 * runs in their own project): it lists the functions, prints the URLs and the demo users (phones
 * masked), serves, reloads a user's function when its file changes and says so, names the command
 * for a function whose dependencies are missing (or installs them with --install), adds
 * `.phonebind/` to the project's .gitignore, and on SIGTERM stops with no orphan function workers.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { EmulatorClient } from '../../emulator/client'
import { ensureGitignored } from '../../packages/phonebind/src/commands/dev'
import { alive } from '../emulator/helpers'
import { createDevProject, type DevProject } from './devProject'

jest.setTimeout(90_000)

const ROOT = join(__dirname, '..', '..')
const CLI = join(ROOT, 'packages', 'phonebind', 'src', 'cli.ts')
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href
const children: ChildProcess[] = []
const temps: string[] = []

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  for (const t of temps) rmSync(t, { recursive: true, force: true })
})

interface Dev {
  child: ChildProcess
  output: { text: string }
  /** Resolves once the output (from `from` on) contains `text`. */
  waitFor(text: string | RegExp, from?: number): Promise<void>
  stop(): Promise<number | null>
}

function startDev(cwd: string, args: string[]): Dev {
  const child = spawn(process.execPath, ['--import', TSX, CLI, 'dev', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  const output = { text: '' }
  child.stdout!.on('data', (d: Buffer) => (output.text += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (output.text += d.toString()))
  const waitFor = (text: string | RegExp, from = 0) =>
    new Promise<void>((resolve, reject) => {
      const has = () => (typeof text === 'string' ? output.text.slice(from).includes(text) : text.test(output.text.slice(from)))
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)}; output:\n${output.text}`)), 60_000)
      const check = () => {
        if (has()) {
          clearTimeout(timer)
          child.stdout!.off('data', check)
          resolve()
        }
      }
      child.stdout!.on('data', check)
      child.once('exit', () => {
        clearTimeout(timer)
        if (!has()) reject(new Error(`exited before ${String(text)}:\n${output.text}`))
      })
      check()
    })
  const stop = () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    return exited
  }
  return { child, output, waitFor, stop }
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter((n) => n > 0)
  } catch {
    return []
  }
}

const urlOf = (text: string) => /emulator\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)![1]!

it("npm start: phonebind dev on the repository's root binds a phone through its TypeScript functions, and stops cleanly on SIGTERM", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'phonebind-cli-'))
  temps.push(dataDir)
  const dev = startDev(ROOT, ['--port', '0', '--data-dir', dataDir, '--fresh', '--seed', 'cli'])
  await dev.waitFor('Ctrl-C to stop.')

  expect(dev.output.text).toMatch(/✔ login\s+TypeScript \(esbuild\)/)
  expect(dev.output.text).toMatch(/\+86 138\*\*\*\*8000/)
  expect(dev.output.text).not.toMatch(/13800138000/)
  const url = urlOf(dev.output.text)
  const openid = /demo\.ts --url \S+ --user (\S+)/.exec(dev.output.text)![1]!

  const client = new EmulatorClient(url)
  const { code } = await client.login(openid)
  expect((await client.callFunction(openid, 'login', { code })).result).toMatchObject({ ok: true })
  const detail = await client.tapPhoneButton(openid)
  expect((await client.callFunction(openid, 'getPhoneNumber', { code: detail.code })).result).toMatchObject({ ok: true, data: { change: 'bound' } })
  expect(await (await fetch(`${url}/console/api/info`)).json()).toMatchObject({ appid: expect.stringMatching(/^wx[0-9a-f]{16}$/) })
  const workers = childPids(dev.child.pid!)
  expect(workers.length).toBeGreaterThan(0)

  expect(await dev.stop()).toBe(0)
  expect(dev.output.text).toMatch(/stopped\./)
  expect(workers.filter(alive)).toEqual([])
})

describe("in a user's project", () => {
  let project: DevProject
  beforeAll(() => {
    project = createDevProject({ phonebind: true })
    temps.push(project.root)
    writeFileSync(join(project.root, '.gitignore'), 'node_modules') // no final newline
    project.write('greet', 'package.json', JSON.stringify({ name: 'greet', main: 'index.js', dependencies: {} }))
    project.write('greet', 'index.js', "exports.main = async () => ({ text: 'v1' })\n")
    project.write('needsDeps', 'package.json', JSON.stringify({ name: 'needsDeps', dependencies: { 'wx-server-sdk': '~2.6.3' } }))
    project.write('needsDeps', 'index.js', "const cloud = require('wx-server-sdk')\nexports.main = async () => ({})\n")
  })

  it('lists its functions, says how to install missing dependencies, reloads an edited function and reports a broken one', async () => {
    const dev = startDev(project.root, ['--port', '0', '--seed', 'cli-user'])
    await dev.waitFor('Ctrl-C to stop.')
    const out = dev.output.text
    expect(out).toContain('已把 .phonebind/ 加入 .gitignore / added .phonebind/ to .gitignore')
    expect(readFileSync(join(project.root, '.gitignore'), 'utf8')).toBe('node_modules\n# phonebind dev: local emulator data (session keys, test users)\n.phonebind/\n')
    expect(out).toMatch(/✔ getPhoneNumber\s+JavaScript \(index\.js\)/)
    expect(out).toMatch(/✔ greet\s+JavaScript \(index\.js\)/)
    expect(out).toMatch(/✘ needsDeps\s+JavaScript \(index\.js\) — 依赖未安装 \/ dependencies not installed: wx-server-sdk\n\s+cd cloudfunctions\/needsDeps && npm install/)
    expect(out).not.toContain('emulator/demo.ts') // the repository's demo script is not the user's

    const client = new EmulatorClient(urlOf(out))
    const [user] = await client.users()
    expect((await client.callFunction(user!.openid, 'greet')).result).toEqual({ text: 'v1' })

    let mark = dev.output.text.length
    project.write('greet', 'index.js', "exports.main = async () => ({ text: 'v2' })\n")
    await dev.waitFor('↻ greet 已重新加载 / reloaded (cloudfunctions/greet/index.js)', mark)
    expect((await client.callFunction(user!.openid, 'greet')).result).toEqual({ text: 'v2' })

    mark = dev.output.text.length
    project.write('greet', 'index.js', "exports.main = async () => ({ text: 'v3' )\n")
    await dev.waitFor(/✘ greet \(cloudfunctions\/greet\/index\.js\): cloudfunctions\/greet\/index\.js:1 SyntaxError: .+\n  调用将失败，直到修复 \/ calls fail until it is fixed/, mark)
    const failed = await client.callFunctionRaw(user!.openid, 'greet', {})
    expect(failed).toMatchObject({ errCode: -404011, errMsg: expect.stringContaining('-504002') })

    expect(await dev.stop()).toBe(0)
  })

  it('--install runs npm install in a function folder that lacks its dependencies, then serves it', async () => {
    const p = createDevProject()
    temps.push(p.root)
    // A local package: npm installs it without the registry.
    mkdirSync(join(p.root, 'local-dep'))
    writeFileSync(join(p.root, 'local-dep', 'package.json'), JSON.stringify({ name: 'local-dep', version: '1.0.0', main: 'index.js' }))
    writeFileSync(join(p.root, 'local-dep', 'index.js'), "exports.word = 'from local-dep'\n")
    p.write('usesDep', 'package.json', JSON.stringify({ name: 'usesDep', version: '1.0.0', dependencies: { 'local-dep': 'file:../../local-dep' } }))
    p.write('usesDep', 'index.js', "const { word } = require('local-dep')\nexports.main = async () => ({ word })\n")

    const dev = startDev(p.root, ['--port', '0', '--install'])
    await dev.waitFor('Ctrl-C to stop.')
    expect(dev.output.text).toContain('→ cd cloudfunctions/usesDep && npm install')
    expect(dev.output.text).toMatch(/✔ usesDep: 依赖已安装 \/ dependencies installed \([\d.]+ s\)/)
    expect(dev.output.text).toMatch(/✔ usesDep\s+JavaScript/)
    const client = new EmulatorClient(urlOf(dev.output.text))
    const [user] = await client.users()
    expect((await client.callFunction(user!.openid, 'usesDep')).result).toEqual({ word: 'from local-dep' })
    expect(await dev.stop()).toBe(0)
  })
})

describe('ensureGitignored', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'phonebind-gitignore-'))
    temps.push(dir)
  })

  it('creates .gitignore when there is none, and a second run changes nothing', () => {
    expect(ensureGitignored(dir)).toBe(true)
    const once = readFileSync(join(dir, '.gitignore'), 'utf8')
    expect(once).toBe('# phonebind dev: local emulator data (session keys, test users)\n.phonebind/\n')
    expect(ensureGitignored(dir)).toBe(false)
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe(once)
  })

  it.each(['.phonebind', '.phonebind/', '/.phonebind/', '/.phonebind', '.phonebind/**'])('leaves a file that already ignores it (%s) as it is', (line) => {
    const text = `node_modules/\r\n${line}\r\ndist\r\n`
    writeFileSync(join(dir, '.gitignore'), text)
    expect(ensureGitignored(dir)).toBe(false)
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe(text)
  })

  it("appends in the file's own line endings, after the user's lines", () => {
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\r\n.phonebind/data\r\n')
    expect(ensureGitignored(dir)).toBe(true)
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\r\n.phonebind/data\r\n# phonebind dev: local emulator data (session keys, test users)\r\n.phonebind/\r\n')
  })
})
