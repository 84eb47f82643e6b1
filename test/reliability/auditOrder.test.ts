/**
 * The audit trail under concurrent load, through the real built functions (F7): many users
 * bind, rebind and unbind hot numbers at concurrency 32 under each conflict policy. Replayed by
 * its versions — each user's events by `phoneVersion`, what `orderBy('phoneVersion')` gives a
 * CloudBase query — the trail must give every user exactly its stored phone, with no gap and no
 * impossible step (a transfer naming a previous owner who, per the trail, held nothing).
 */
import type { RunningEmulator } from '../../emulator'
import { wechatFunctionEnv } from '../../emulator/config'
import { inProcessDriver } from '../../bench/lib/driver'
import { buildIntoTemp, FUNCTIONS, startBenchEmulator, type BuiltFunctions } from '../../bench/lib/emulator'
import { checkInvariants, checkTrail } from '../../bench/lib/invariants'
import { runWorkload } from '../../bench/lib/workload'

jest.setTimeout(180_000)

let built: BuiltFunctions
beforeAll(async () => {
  built = await buildIntoTemp('phonebind-audit-')
})
afterAll(() => built?.cleanup())

describe.each(['transfer', 'reject'] as const)('conflict policy %s', (policy) => {
  let emu: RunningEmulator
  beforeAll(async () => {
    emu = await startBenchEmulator(built.dir, { poolSize: 4, seed: `audit-${policy}` })
    const wechat = wechatFunctionEnv({ appSecret: emu.wechat.getApp()!.secret, apiBase: emu.url })
    for (const name of FUNCTIONS) emu.runner.setFunctionEnv(name, { ...wechat, PHONEBIND_CONFLICT_POLICY: policy })
  })
  afterAll(async () => {
    await emu?.stop()
  })

  it('120 users, 500 operations at concurrency 32 on 8 hot numbers: the trail replayed by version is the final state', async () => {
    const driver = inProcessDriver(emu)
    const w = await runWorkload(driver, { users: 120, ops: 500, concurrency: 32, sharedFraction: 0.6, hotNumbers: 8, seed: 7 })
    const db = await driver.snapshot(['users', 'phone_index', 'phone_events'])

    // The database itself is consistent and agrees with what the clients were told.
    expect(checkInvariants(db, w.ops, { policy })).toMatchObject({ ok: true, violations: [] })

    // Storage order is commit order in the emulator; CloudBase gives no such order. Reverse it.
    const trail = checkTrail({ ...db, phone_events: [...(db.phone_events ?? [])].reverse() })
    expect(trail.violations).toEqual([])
    expect(trail).toMatchObject({ ok: true, unversioned: 0, mismatched: 0, staleIndexVersions: 0 })

    // The run exercised what the policy is about.
    const types = new Set((db.phone_events ?? []).map((e) => e.type))
    expect(types).toContain(policy === 'transfer' ? 'transfer' : 'conflict')
    expect(types).toContain('unbind')
    expect(types).toContain('rebind')
    expect(trail.events).toBeGreaterThan(200)
  })
})
