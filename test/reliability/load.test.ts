/**
 * Load with faults: hundreds of users bind, rebind and unbind at concurrency 32 while WeChat
 * answers -1 to some exchanges, adds latency, and many users hold the same numbers. Afterwards
 * the database must agree with everything the clients were told (bench/lib/invariants.ts).
 * The bench runs a larger setting of the same workload.
 */
import type { RunningEmulator } from '../../emulator'
import { inProcessDriver, type Driver } from '../../bench/lib/driver'
import { buildIntoTemp, startBenchEmulator, type BuiltFunctions } from '../../bench/lib/emulator'
import { checkInvariants, checkTrail } from '../../bench/lib/invariants'
import { runWorkload } from '../../bench/lib/workload'

jest.setTimeout(120_000)

let built: BuiltFunctions
let emu: RunningEmulator
let driver: Driver

beforeAll(async () => {
  built = await buildIntoTemp('phonebind-load-')
  emu = await startBenchEmulator(built.dir, { poolSize: 4, seed: 'load-test' })
  driver = inProcessDriver(emu)
})

afterAll(async () => {
  await emu?.stop()
  built?.cleanup()
})

test('300 users, 1000 operations at concurrency 32 with WeChat -1, latency and shared numbers: nothing lost, nothing duplicated', async () => {
  await driver.setFault('getPhoneNumber', { errcode: -1, rate: 0.08, latencyMs: 2 })
  await driver.setFault('getOpenData', { errcode: -1, rate: 0.08, latencyMs: 1 })
  await driver.setFault('jscode2session', { errcode: -1, rate: 0.05 })

  const w = await runWorkload(driver, { users: 300, ops: 1000, concurrency: 32, sharedFraction: 0.35, hotNumbers: 12, seed: 42 })
  const db = await driver.snapshot(['users', 'phone_index', 'phone_events'])
  const report = checkInvariants(db, w.ops)

  expect(report.violations).toEqual([])
  expect(report).toMatchObject({ ok: true, lost: 0, duplicated: 0, danglingIndex: 0, unindexedPhones: 0, uncodedFailures: 0 })
  // Every call returned a result: no -504002 (a throw) and no timeout.
  expect(report.unknownOutcomes).toBe(0)
  // The audit trail, replayed by version, gives every user its stored phone (F7).
  expect(checkTrail(db)).toMatchObject({ ok: true, violations: [] })
  expect(w.ops).toHaveLength(1000)

  // The run really exercised what it claims to: injected -1s, conflicts, unbinds, rebinds.
  expect(w.codes.WECHAT_BUSY ?? 0).toBeGreaterThan(0)
  expect(w.codes.PHONE_ALREADY_BOUND ?? 0).toBeGreaterThan(0)
  expect(w.ops.filter((o) => o.kind === 'unbind' && o.outcome === 'ok').length).toBeGreaterThan(0)
  expect(report.acknowledged).toBeGreaterThan(500)
  expect(report.boundUsers).toBeGreaterThan(100)
  // Catalog codes only: WECHAT_BUSY etc.; never a bare string.
  for (const code of Object.keys(w.codes)) expect(code === 'OK' || /^[A-Z_]+$/.test(code)).toBe(true)
})
