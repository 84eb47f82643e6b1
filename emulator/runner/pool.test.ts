import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFunctions } from '../../scripts/buildFunctions'
import { liveWorkerPids, sampleWorkerCount, within } from '../../test/emulator/processes'
import { EmulatorEvents } from '../events'
import { createInvocationRegistry } from '../invocations'
import { createRunner, type Runner } from './runner'

// The pool under hostile or failing work: events the runner cannot hand to a worker, workers
// that die while others wait. Worker processes are counted from the OS, not from the pool.
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runner-pool-test-'))
  await buildFunctions({ root: join(__dirname, 'fixtures'), outDir: dir })
  // A bundle that throws while it loads: its worker exits right after starting.
  mkdirSync(join(dir, 'broken'))
  writeFileSync(join(dir, 'broken', 'index.js'), "throw new Error('broken at load')\n")
}, 30_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

const user = { openid: 'oPoolUser_x', appid: 'wxapp0000000001' }

/** 20 000 nested arrays: JSON.stringify overflows the stack on it (at about 4 200 levels in node 20). */
function deep(levels: number): unknown {
  let v: unknown = []
  for (let i = 0; i < levels; i++) v = [v]
  return v
}

function newRunner(poolSize: number, events?: EmulatorEvents): Runner {
  return createRunner({ functionsDir: dir, adminUrl: 'http://127.0.0.1:9/admin', env: 'e', invocations: createInvocationRegistry(), poolSize, events })
}

test('an event that cannot be sent to a worker fails that invocation with -501007, and the worker stays warm', async () => {
  const r = newRunner(1)
  try {
    const first = await r.invoke('sleeps', { ms: 1 }, user)
    const pid = first.ok && (first.result as { pid: number }).pid
    const bad = await r.invoke('sleeps', deep(20_000), user)
    expect(bad).toMatchObject({ ok: false, errCode: -501007, reason: 'BAD_EVENT' })
    expect(!bad.ok && bad.errMsg).toMatch(/^event cannot be delivered to the function: /)
    const next = await r.invoke('sleeps', { ms: 1 }, user)
    expect(next.ok && (next.result as { pid: number }).pid).toBe(pid)
  } finally {
    await r.stop()
  }
}, 15_000)

test('a burst of unsendable events never runs more worker processes than the pool size', async () => {
  const r = newRunner(2)
  try {
    const sampler = sampleWorkerCount()
    const outs = await within(Promise.allSettled(Array.from({ length: 40 }, () => r.invoke('sleeps', deep(20_000), user))), 30_000, 'the burst')
    const peak = sampler.stop()
    expect(peak).toBeLessThanOrEqual(2)
    expect(outs.map((o) => o.status === 'fulfilled' && o.value.ok === false && o.value.reason)).toEqual(Array(40).fill('BAD_EVENT'))
  } finally {
    await r.stop()
  }
}, 40_000)

test('a normal call right after a burst of unsendable events answers', async () => {
  const r = newRunner(2)
  try {
    // As the red team did: the burst's answers are back, then an ordinary call is made.
    await within(Promise.allSettled(Array.from({ length: 40 }, () => r.invoke('sleeps', deep(20_000), user))), 30_000, 'the burst')
    const normal = await within(r.invoke('sleeps', { ms: 1 }, user), 10_000, 'the normal call')
    expect(normal.ok).toBe(true)
  } finally {
    await r.stop()
  }
}, 45_000)

test('every invocation.start has its invocation.end, also for events that cannot be sent', async () => {
  const events = new EmulatorEvents()
  const started = new Set<string>()
  const ended = new Set<string>()
  events.on('invocation.start', (e) => started.add(e.invocationId))
  events.on('invocation.end', (e) => ended.add(e.invocationId))
  const r = newRunner(2, events)
  try {
    const calls = [
      ...Array.from({ length: 6 }, () => r.invoke('sleeps', deep(20_000), user)),
      r.invoke('sleeps', { ms: 1 }, user),
      r.invoke('broken', {}, user),
      r.invoke('throws', { mode: 'exit' }, user),
    ]
    await within(Promise.allSettled(calls), 20_000, 'the calls')
    expect(started.size).toBe(calls.length)
    expect([...ended].sort()).toEqual([...started].sort())
  } finally {
    await r.stop()
  }
}, 30_000)

test('a worker that dies while loading wakes the call queued behind it', async () => {
  const r = newRunner(1)
  try {
    // Pool of one: the first call starts the only worker, the second queues behind it; that
    // worker dies while loading, so the queued call must get a worker (which fails the same way).
    const outs = await within(Promise.all([r.invoke('broken', {}, user), r.invoke('broken', {}, user)]), 10_000, 'the queued call')
    for (const out of outs) {
      expect(out).toMatchObject({ ok: false, errCode: -504002, reason: 'THREW' })
      expect(!out.ok && out.errMsg).toContain('broken at load')
    }
  } finally {
    await r.stop()
  }
}, 15_000)

test('a busy worker killed from outside: the calls queued behind it still run, within the pool size', async () => {
  const r = newRunner(1)
  try {
    await r.warm('sleeps', 1)
    const [pid] = r.pids()
    const victim = r.invoke('sleeps', { ms: 800 }, user)
    const queued = [r.invoke('sleeps', { ms: 1 }, user), r.invoke('sleeps', { ms: 1 }, user)]
    process.kill(pid, 'SIGKILL')
    expect(await victim).toMatchObject({ ok: false, reason: 'THREW' })
    const outs = await within(Promise.all(queued), 10_000, 'the queued calls')
    expect(outs.every((o) => o.ok)).toBe(true)
    expect(liveWorkerPids().length).toBeLessThanOrEqual(1)
  } finally {
    await r.stop()
  }
}, 15_000)
