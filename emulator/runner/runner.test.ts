import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFunctions } from '../../scripts/buildFunctions'
import { EmulatorEvents, type EmulatorEventMap } from '../events'
import type { Invocation } from '../types'
import { createInvocationRegistry } from '../invocations'
import { createRunner, type Runner } from './runner'

// The fixtures are built by the real build code into a temp dir; whoami bundles the real
// wx-server-sdk. No /admin is needed: getWXContext() reads only process.env.
let dir: string
let runner: Runner
const inner = createInvocationRegistry()
const registered: Invocation[] = []
const registry = {
  ...inner,
  register(inv: Invocation) {
    registered.push(inv)
    inner.register(inv)
  },
}
const events = new EmulatorEvents()
const ends: EmulatorEventMap['invocation.end'][] = []
events.on('invocation.end', (e) => ends.push(e))

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runner-test-'))
  await buildFunctions({ root: join(__dirname, 'fixtures'), outDir: dir })
  runner = createRunner({
    functionsDir: dir,
    adminUrl: 'http://127.0.0.1:9/admin',
    env: 'test-env-1',
    invocations: registry,
    events,
    functionEnv: { whoami: { FIXTURE_SECRET: 'only-for-whoami' } },
    poolSize: 8,
  })
}, 30_000)

afterAll(async () => {
  await runner.stop()
  rmSync(dir, { recursive: true, force: true })
})

const user = (i: number) => ({ openid: `oUser${i}_x`, appid: 'wxapp0000000001', unionid: `uUnion${i}_y`, clientIp: '10.0.0.1' })

test('lists the built functions', () => {
  expect(runner.listFunctions()).toEqual(['coldload', 'logs', 'sleeps', 'throws', 'whoami'])
})

test('a function sees the SCF environment and the caller identity through the real getWXContext', async () => {
  const out = await runner.invoke('whoami', {}, user(1))
  expect(out.ok).toBe(true)
  if (!out.ok) return
  expect(out.result).toMatchObject({
    before: 'oUser1_x',
    after: 'oUser1_x',
    appid: 'wxapp0000000001',
    unionid: 'uUnion1_y',
    clientIp: '10.0.0.1',
    env: 'test-env-1',
    source: 'wx_client',
    secret: 'only-for-whoami',
  })
  expect(JSON.parse(out.resultJson)).toEqual(out.result)
})

test('overlapping invocations for different users never see each other’s OPENID', async () => {
  const calls = Array.from({ length: 40 }, (_, i) => ({ u: user(i % 8), delayMs: 5 + ((i * 7) % 30) }))
  const outs = await Promise.all(calls.map((c) => runner.invoke('whoami', { delayMs: c.delayMs }, c.u)))
  outs.forEach((out, i) => {
    expect(out.ok).toBe(true)
    if (!out.ok) return
    const r = out.result as { before: string; after: string; unionid: string }
    expect(r.before).toBe(calls[i].u.openid)
    expect(r.after).toBe(calls[i].u.openid)
    expect(r.unionid).toBe(calls[i].u.unionid)
  })
  // Workers were reused (a warm pool), and never more than poolSize of them.
  const pids = new Set(outs.map((o) => (o.ok ? (o.result as { pid: number }).pid : 0)))
  expect(pids.size).toBeLessThanOrEqual(8)
  expect(pids.size).toBeGreaterThan(1)
}, 30_000)

test('an absent unionid is not inherited from the previous invocation in the same worker', async () => {
  await runner.invoke('whoami', {}, user(2))
  const out = await runner.invoke('whoami', {}, { openid: 'oNoUnion_z', appid: 'wxapp0000000001' })
  expect(out.ok && (out.result as { unionid?: string }).unionid).toBeUndefined()
})

test('each invocation gets its own WX_API_TOKEN, registered only while it runs', async () => {
  const seen: string[] = []
  const outs = await Promise.all(
    [1, 2, 3].map((i) =>
      runner.invoke('whoami', { delayMs: 30 }, user(i)).then((o) => {
        seen.push(String(o.ok && (o.result as { apiToken: string }).apiToken))
        return o
      }),
    ),
  )
  expect(new Set(seen).size).toBe(3)
  for (const t of seen) expect(registry.resolve(t)).toBeUndefined()
  expect(registry.size()).toBe(0)
  expect(outs.every((o) => o.ok)).toBe(true)
})

test('the token resolves to the invocation, with config.json permissions, during the call only', async () => {
  const before = registered.length
  const p = runner.invoke('whoami', { delayMs: 200 }, user(5))
  for (let i = 0; i < 200 && registered.length === before; i++) await new Promise((r) => setTimeout(r, 5))
  const inv = registered[before]
  expect(registry.resolve(inv.token)).toEqual({
    token: inv.token,
    invocationId: inv.invocationId,
    functionName: 'whoami',
    openid: 'oUser5_x',
    appid: 'wxapp0000000001',
    unionid: 'uUnion5_y',
    openapiPermissions: ['phonenumber.getPhoneNumber'],
  })
  const out = await p
  expect(out.ok && (out.result as { apiToken: string }).apiToken).toBe(inv.token)
  expect(out.invocationId).toBe(inv.invocationId)
  expect(registry.resolve(inv.token)).toBeUndefined()
})

test('a thrown error gives -504002 with its text, and the pool keeps serving', async () => {
  const out = await runner.invoke('throws', { mode: 'throw' }, user(1))
  expect(out).toMatchObject({ ok: false, errCode: -504002, errMsg: 'Error: boom from the fixture', reason: 'THREW' })
  expect(out.logs.join('\n')).toContain('boom from the fixture')
  const again = await runner.invoke('whoami', {}, user(1))
  expect(again.ok).toBe(true)
  const same = await runner.invoke('throws', { mode: 'throw' }, user(1))
  expect(same.ok).toBe(false)
})

test('an unhandled rejection or process exit fails the invocation, and a new worker serves the next', async () => {
  const rej = await runner.invoke('throws', { mode: 'unhandled' }, user(1))
  expect(rej).toMatchObject({ ok: false, errCode: -504002, reason: 'THREW' })
  expect(!rej.ok && rej.errMsg).toContain('rejected in the background')
  const exit = await runner.invoke('throws', { mode: 'exit' }, user(1))
  expect(exit).toMatchObject({ ok: false, errCode: -504002, reason: 'THREW' })
  expect(!exit.ok && exit.errMsg).toContain('exit code 3')
})

test('a worker that crashes while idle is dropped, and the next call gets a fresh one', async () => {
  const first = await runner.invoke('throws', { mode: 'later' }, user(1))
  expect(first.ok).toBe(true)
  const pid = (first.ok && (first.result as { pid: number }).pid) as number
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 10))
  expect(alive(pid)).toBe(false)
  const next = await runner.invoke('throws', { mode: 'later' }, user(1))
  expect(next.ok).toBe(true)
  expect(next.ok && (next.result as { pid: number }).pid).not.toBe(pid)
})

test('a function past its timeout is killed and reported as a timeout', async () => {
  const warm = await runner.invoke('sleeps', { ms: 1 }, user(1))
  const warmPid = (warm.ok && (warm.result as { pid: number }).pid) as number
  // sleeps/config.json says timeout: 1 (second); the idle warm worker takes the call.
  const out = await runner.invoke('sleeps', { ms: 5000 }, user(1))
  expect(out).toMatchObject({ ok: false, errCode: -504003, errMsg: 'Invoking task timed out after 1 seconds', reason: 'TIMEOUT' })
  expect(out.durationMs).toBeLessThan(2500)
  const override = await runner.invoke('sleeps', { ms: 400 }, user(1), { timeoutMs: 100 })
  expect(override).toMatchObject({ ok: false, reason: 'TIMEOUT' })
  const fine = await runner.invoke('sleeps', { ms: 10 }, user(1))
  expect(fine.ok).toBe(true)
  // The timed-out worker was killed, not reused.
  await new Promise((r) => setTimeout(r, 50))
  expect(alive(warmPid)).toBe(false)
  expect(runner.pids()).not.toContain(warmPid)
  expect(fine.ok && (fine.result as { pid: number }).pid).not.toBe(warmPid)
}, 10_000)

test('console output is captured per invocation and tagged with its id', async () => {
  const [a, b] = await Promise.all([runner.invoke('logs', { marker: 'AAA' }, user(1)), runner.invoke('logs', { marker: 'BBB' }, user(2))])
  for (const [out, mine, other] of [
    [a, 'AAA', 'BBB'],
    [b, 'BBB', 'AAA'],
  ] as const) {
    const text = out.logs.join('\n')
    expect(text).toContain(`${out.invocationId} INFO hello ${mine}`)
    expect(text).toContain(`${out.invocationId} WARN careful ${mine}`)
    expect(text).toContain(`${out.invocationId} ERROR oops { marker: '${mine}' }`)
    expect(text).toContain(`${out.invocationId} STDOUT raw ${mine}`)
    expect(text).not.toContain(other)
    for (const line of out.logs) expect(line.startsWith(out.invocationId)).toBe(true)
  }
  // Output printed while the module loaded belongs to the first invocation of that worker.
  expect([a, b].some((o) => o.logs.some((l) => l.endsWith('module loaded')))).toBe(true)
})

test('a result over 1 MB is refused with -604001', async () => {
  const out = await runner.invoke('whoami', { big: 1024 * 1024 }, user(1))
  expect(out).toMatchObject({ ok: false, errCode: -604001, reason: 'TOO_LARGE' })
})

test('an unknown function, or a name that is a path, is not found (-501000)', async () => {
  for (const name of ['nope', '../whoami', 'who ami']) {
    const out = await runner.invoke(name, {}, user(1))
    expect(out).toMatchObject({ ok: false, errCode: -501000, errMsg: 'FunctionName parameter could not be found.' })
  }
})

test('invocation events carry the business result code', async () => {
  const before = ends.length
  await runner.invoke('throws', {}, user(1))
  await runner.invoke('whoami', {}, user(1))
  await runner.invoke('nope', {}, user(1))
  expect(ends.slice(before).map((e) => [e.functionName, e.resultCode])).toEqual([
    ['throws', 'THREW'],
    ['whoami', 'OK'],
    ['nope', 'NOT_FOUND'],
  ])
})

test('warm() starts workers that the next calls reuse, and a full pool queues callers', async () => {
  const r3 = createRunner({ functionsDir: dir, adminUrl: 'http://127.0.0.1:9/admin', env: 'e', invocations: createInvocationRegistry(), poolSize: 2 })
  try {
    await r3.warm('sleeps', 2)
    const warmed = r3.pids().sort()
    expect(warmed).toHaveLength(2)
    const outs = await Promise.all(Array.from({ length: 6 }, () => r3.invoke('sleeps', { ms: 20 }, user(1))))
    expect(outs.every((o) => o.ok)).toBe(true)
    const used = new Set(outs.map((o) => (o.ok ? (o.result as { pid: number }).pid : 0)))
    expect([...used].sort()).toEqual(warmed)
    expect(r3.pids().sort()).toEqual(warmed)
  } finally {
    await r3.stop()
  }
}, 15_000)

test('stop() leaves no worker process behind and fails later calls', async () => {
  const r2 = createRunner({ functionsDir: dir, adminUrl: 'http://127.0.0.1:9/admin', env: 'e', invocations: createInvocationRegistry() })
  await Promise.all([r2.warm('whoami', 3), r2.warm('sleeps', 2)])
  const inflight = r2.invoke('sleeps', { ms: 800 }, user(1))
  await new Promise((r) => setTimeout(r, 50))
  const pids = r2.pids()
  expect(pids.length).toBeGreaterThanOrEqual(5)
  expect(pids.every(alive)).toBe(true)
  await r2.stop()
  expect(pids.filter(alive)).toEqual([])
  expect(await inflight).toMatchObject({ ok: false, reason: 'STOPPED' })
  expect(await r2.invoke('whoami', {}, user(1))).toMatchObject({ ok: false, reason: 'STOPPED' })
}, 15_000)
