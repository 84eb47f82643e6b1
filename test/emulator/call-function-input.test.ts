/**
 * Red-team finding F5 over HTTP: `callFunction` data nested thousands of levels deep. The client
 * route refuses it with a 400 before any worker is involved, and the function pool stays healthy.
 */
import type { RunningEmulator } from '../../emulator'
import type { EmulatorUser } from '../../emulator/client'
import { alive, buildFixtures, startTestEmulator } from './helpers'
import { liveWorkerPids, sampleWorkerCount, within } from './processes'

jest.setTimeout(60_000)

const POOL_SIZE = 2
let fixtures: { dir: string; cleanup: () => void }
let emu: RunningEmulator
let alice: EmulatorUser
const started: string[] = []

beforeAll(async () => {
  fixtures = await buildFixtures()
  emu = await startTestEmulator(fixtures.dir, { poolSize: POOL_SIZE })
  ;[alice] = await emu.client.users()
  emu.events.on('invocation.start', (e) => started.push(e.invocationId))
})

afterAll(async () => {
  const pids = emu?.runner.pids() ?? []
  await emu?.stop()
  fixtures?.cleanup()
  for (const pid of pids) expect(alive(pid)).toBe(false)
})

/** `data` as raw JSON text: `{"op":"echo","x":[[…]]}` nesting `levels` containers in all. */
function nestedData(levels: number): string {
  return `{"op":"echo","x":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`
}

async function postCallFunction(dataJson: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}/client/callFunction`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: `{"openid":${JSON.stringify(alice.openid)},"name":"wxprobe","data":${dataJson}}`,
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

test('data nested 20 000 levels deep gets 400 CALL_DATA_TOO_DEEP, and no function starts', async () => {
  const before = started.length
  const pidsBefore = liveWorkerPids().sort()
  const { status, body } = await postCallFunction(nestedData(20_000))
  expect(status).toBe(400)
  expect(body.error).toMatch(/^CALL_DATA_TOO_DEEP: callFunction data is nested deeper than 512 levels/)
  expect(body.error).toContain('嵌套超过 512 层')
  expect(started.length).toBe(before)
  expect(liveWorkerPids().sort()).toEqual(pidsBefore)
})

test('data at the depth limit still reaches the function; one level more is refused', async () => {
  const atLimit = await postCallFunction(nestedData(512))
  expect(atLimit.status).toBe(200)
  expect(atLimit.body).toMatchObject({ errMsg: 'cloud.callFunction:ok', result: { ok: true, openid: alice.openid } })
  const over = await postCallFunction(nestedData(513))
  expect(over.status).toBe(400)
  expect(over.body.error).toMatch(/^CALL_DATA_TOO_DEEP: /)
})

test('after a burst of 40 deep calls, a normal call answers and workers never exceed the pool size', async () => {
  const sampler = sampleWorkerCount()
  const burst = await within(Promise.all(Array.from({ length: 40 }, () => postCallFunction(nestedData(20_000)))), 30_000, 'the burst')
  expect(burst.map((r) => r.status)).toEqual(Array(40).fill(400))
  const normal = await within(emu.client.callFunction(alice.openid, 'wxprobe', { op: 'echo' }), 10_000, 'the normal call')
  expect(normal.result).toMatchObject({ ok: true, openid: alice.openid })
  expect(sampler.stop()).toBeLessThanOrEqual(POOL_SIZE)
})
