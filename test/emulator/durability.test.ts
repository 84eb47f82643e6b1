/**
 * Acknowledged WeChat-side changes survive `kill -9` (red-team F10): an emulator process is
 * killed right after answering, while users are being created and the quota changed
 * concurrently; on restart every created user the client saw acknowledged is there, and the
 * quota is the last acknowledged value (or the one in flight at the kill).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmulatorClient } from '../../emulator/client'
import { SimulatedWeChat } from '../../emulator/wechat/wechat'

jest.setTimeout(60_000)

const SCRIPT = join(__dirname, 'scripts', 'emulatorChild.ts')
const ROUNDS = 3

let dataDir: string
let noFunctions: string
let child: ChildProcess | undefined
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'phonebind-kill-'))
  noFunctions = mkdtempSync(join(tmpdir(), 'phonebind-nofn-'))
})
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((r) => child!.once('exit', r))
    child.kill('SIGKILL')
    await gone
  }
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(noFunctions, { recursive: true, force: true })
})

function startChild(): Promise<{ proc: ChildProcess; url: string; exited: Promise<unknown> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dataDir, noFunctions], { stdio: ['ignore', 'pipe', 'pipe'] })
  child = proc
  const exited = new Promise((r) => proc.once('exit', r))
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /URL (\S+)\n/.exec(out)
      if (m) resolve({ proc, url: m[1]!, exited })
    })
    proc.once('exit', (code) => reject(new Error(`emulator exited (${code}) before listening: ${err}`)))
  })
}

test(`kill -9 right after acknowledgements loses no created user and no quota change (${ROUNDS} crashes)`, async () => {
  const lost: string[] = []
  let acknowledged = 0
  for (let round = 0; round < ROUNDS; round++) {
    const { proc, url, exited } = await startChild()
    const client = new EmulatorClient(url)
    const users: string[] = []
    let quotaAck = (await client.apps()).apps[0]!.quota
    let quotaSent = quotaAck
    let killed = false
    const kill = () => {
      if (killed) return
      killed = true
      proc.kill('SIGKILL')
    }
    // Eight clients creating users and one changing the quota, until the kill.
    const creators = Array.from({ length: 8 }, async () => {
      while (!killed) {
        try {
          // Any answer that arrived was sent before the process died: it counts as acknowledged.
          const u = await client.createUser({ nickname: `r${round}` })
          users.push(u.openid)
          if (users.length >= 60) kill()
        } catch {
          return
        }
      }
    })
    const controller = (async () => {
      for (let q = 1; !killed; q++) {
        quotaSent = q
        try {
          await client.setQuota(q)
          quotaAck = q
        } catch {
          return
        }
      }
    })()
    await Promise.all([...creators, controller])
    await exited

    const wx = new SimulatedWeChat({ dataDir })
    for (const openid of users) if (!wx.getUser(openid)) lost.push(openid)
    expect([quotaAck, quotaSent]).toContain(wx.getApp()!.quota)
    acknowledged += users.length
  }
  expect(acknowledged).toBeGreaterThanOrEqual(ROUNDS * 60)
  expect(lost).toEqual([])
})
