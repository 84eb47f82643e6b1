/**
 * `npm start` as a process: builds with progress, prints URLs, demo users and the demo command,
 * serves, and on SIGTERM stops with no orphan function workers.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { alive } from './helpers'

jest.setTimeout(60_000)

const ROOT = join(__dirname, '..', '..')
let child: ChildProcess | undefined
let dataDir: string

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'phonebind-cli-'))
})
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})

function waitFor(proc: ChildProcess, text: string, output: { text: string }, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}"; output:\n${output.text}`)), ms)
    const check = () => {
      if (output.text.includes(text)) {
        clearTimeout(timer)
        resolve()
      }
    }
    proc.stdout!.on('data', check)
    proc.once('exit', () => {
      clearTimeout(timer)
      if (!output.text.includes(text)) reject(new Error(`exited before "${text}":\n${output.text}`))
    })
    check()
  })
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter((n) => n > 0)
  } catch {
    return []
  }
}

it('starts, serves the demo users, and stops cleanly on SIGTERM', async () => {
  const output = { text: '' }
  child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', '--port', '0', '--data-dir', dataDir, '--fresh', '--seed', 'cli', '--functions-dir', 'test/emulator/fixtures'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d: Buffer) => (output.text += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (output.text += d.toString()))
  await waitFor(child, 'Ctrl-C to stop.', output, 45_000)

  expect(output.text).toMatch(/Building cloud functions/)
  expect(output.text).toMatch(/✓ wxprobe/)
  expect(output.text).toMatch(/\+86 138\*\*\*\*8000/)
  expect(output.text).not.toMatch(/13800138000/)
  const url = /emulator\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output.text)![1]!
  const openid = /demo\.ts --url \S+ --user (\S+)/.exec(output.text)![1]!

  const res = await fetch(`${url}/client/callFunction`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ openid, name: 'wxprobe', data: { op: 'echo' } }) })
  expect(await res.json()).toMatchObject({ errMsg: 'cloud.callFunction:ok', result: { ok: true, openid } })
  expect(await (await fetch(`${url}/console/api/info`)).json()).toMatchObject({ appid: expect.stringMatching(/^wx[0-9a-f]{16}$/) })
  const workers = childPids(child.pid!)
  expect(workers.length).toBeGreaterThan(0)

  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)))
  child.kill('SIGTERM')
  expect(await exited).toBe(0)
  expect(output.text).toMatch(/stopped\./)
  expect(workers.filter(alive)).toEqual([])
})
