import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFunctions } from '../../scripts/buildFunctions'
import { FunctionPool } from './pool'
import type { InvokeMessage } from './workerProcess'

// A worker's named states (firebase's functionsRuntimeWorker: CREATED → IDLE → BUSY → FINISHING → FINISHED).
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runner-worker-test-'))
  await buildFunctions({ root: join(__dirname, 'fixtures'), outDir: dir })
}, 30_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

const call = (id: string, ms: number): InvokeMessage => ({ id, event: { ms }, identity: { WX_OPENID: 'oWorkerUser_x' }, context: {} })

function newPool(): FunctionPool {
  return new FunctionPool({ load: () => ({ file: join(dir, 'sleeps', 'index.js') }), env: () => ({ PATH: process.env.PATH }), max: 2, execArgv: [] })
}

test('a worker retired mid-call finishes that call, is never handed to another caller, and dies when given back', async () => {
  const pool = newPool()
  try {
    const first = await pool.acquire()
    if (!('worker' in first)) throw new Error(first.failure.error)
    const w = first.worker
    const running = w.run(call('1', 100), 5000)
    pool.retire() // e.g. its bundle was rebuilt or its env changed
    expect(await running).toMatchObject({ ok: true })
    // The call is over but the worker was not given back yet: another caller must not get it.
    const second = await pool.acquire()
    if (!('worker' in second)) throw new Error(second.failure.error)
    expect(second.worker.pid).not.toBe(w.pid)
    expect(w.state).toBe('finishing')
    pool.release(w)
    expect(w.state).toBe('dead')
    await w.exited
    pool.release(second.worker)
    expect(second.worker.state).toBe('idle')
  } finally {
    await pool.stop()
  }
}, 15_000)
