/**
 * Crash: the emulator runs in its own process on a data directory; while 32 users bind and
 * unbind through the client API it is killed with SIGKILL, then restarted on the same
 * directory. Every binding a client saw acknowledged must still be there, and the database
 * invariants must hold. Operations in flight at the kill have unknown outcomes: either state
 * is accepted for them (bench/lib/invariants.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmulatorClient } from '../../emulator/client'
import { httpDriver } from '../../bench/lib/driver'
import { buildIntoTemp, PROJECT_ROOT, type BuiltFunctions } from '../../bench/lib/emulator'
import { checkInvariants, checkTrail } from '../../bench/lib/invariants'
import { runWorkload } from '../../bench/lib/workload'

jest.setTimeout(120_000)

const SCRIPT = join(__dirname, 'support', 'emulatorProcess.ts')

let built: BuiltFunctions
let dataDir: string
const children: ChildProcess[] = []

function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dataDir, built.dir], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /URL (\S+)\n/.exec(out)
      if (m) resolve({ child, url: m[1]! })
    })
    child.once('exit', (code) => reject(new Error(`emulator exited (${code}) before listening: ${err}`)))
  })
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()))
}

beforeAll(async () => {
  built = await buildIntoTemp('phonebind-crash-')
  dataDir = mkdtempSync(join(tmpdir(), 'phonebind-crash-data-'))
})

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  await Promise.all(children.map(exited))
  built?.cleanup()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

test('kill -9 during the load, restart on the same data: no acknowledged binding is missing and the invariants hold', async () => {
  const first = await startChild()
  const driver = httpDriver(new EmulatorClient(first.url))

  let acknowledged = 0
  let stop = false
  const killAfter = 120
  const w = await runWorkload(driver, {
    users: 120,
    ops: 100_000, // ended by the crash
    concurrency: 32,
    sharedFraction: 0.3,
    hotNumbers: 8,
    seed: 9,
    // No `rebind`: a WeChat-side number change in flight at the crash would be ambiguous too.
    mix: { bind: 60, cloudID: 15, legacy: 5, rebind: 0, unbind: 20 },
    shouldStop: () => stop,
    onOp: (op) => {
      if (op.outcome === 'ok') acknowledged++
      if (acknowledged >= killAfter && !stop) {
        stop = true
        first.child.kill('SIGKILL')
      }
    },
  })
  await exited(first.child)
  expect(first.child.signalCode).toBe('SIGKILL')
  expect(acknowledged).toBeGreaterThanOrEqual(killAfter)
  // The kill landed mid-flight: some calls never got an answer.
  expect(w.ops.some((o) => o.outcome === 'unknown')).toBe(true)

  const second = await startChild()
  const client = new EmulatorClient(second.url)
  const after = httpDriver(client)
  const db = await after.snapshot(['users', 'phone_index', 'phone_events'])
  const report = checkInvariants(db, w.ops)
  expect(report.violations).toEqual([])
  expect(report).toMatchObject({ ok: true, lost: 0, duplicated: 0, danglingIndex: 0, unindexedPhones: 0, uncodedFailures: 0 })
  expect(report.boundUsers).toBeGreaterThan(0)
  // A crash drops whole transactions: the trail, replayed by version, still is the database.
  expect(checkTrail(db)).toMatchObject({ ok: true, violations: [] })

  // The restarted emulator still works: a new user binds in one call.
  const { openid } = await after.createUser({ purePhoneNumber: '17700000001' })
  const detail = await after.tap(openid)
  const res = await after.call(openid, 'getPhoneNumber', { code: detail.code })
  expect(res).toMatchObject({ kind: 'result', result: { ok: true } })

  second.child.kill('SIGTERM')
  await exited(second.child)
})
