/**
 * @module emulator/runner/pool — the warm workers of one function, like SCF's container
 * instances: reuse an idle one, start another while all are busy (up to `max`), queue beyond
 * that, and retire workers that sat idle too long or whose bundle was rebuilt.
 */
import { statSync } from 'node:fs'
import { WorkerProcess, type WorkerReply } from './workerProcess'

export interface PoolOptions {
  bundlePath: string
  /** Built per spawn so an env change (e.g. `setFunctionEnv`) reaches new workers. */
  env: () => NodeJS.ProcessEnv
  max: number
  execArgv: string[]
}

type Acquired = { worker: WorkerProcess } | { failure: Extract<WorkerReply, { ok: false }> }

export class FunctionPool {
  private readonly workers = new Set<WorkerProcess>()
  private readonly waiters: ((a: Acquired) => void)[] = []
  private bundleMtime = 0
  private stopped = false

  constructor(private readonly opts: PoolOptions) {
    this.bundleMtime = this.mtime()
  }

  get size(): number {
    return this.workers.size
  }

  pids(): number[] {
    return [...this.workers].map((w) => w.pid).filter((p): p is number => p !== undefined)
  }

  /** A loaded worker claimed for the caller (state `busy`). The caller must `release` it. */
  async acquire(): Promise<Acquired> {
    if (this.stopped) return { failure: { ok: false, kind: 'crash', error: 'stopped', logs: [] } }
    this.retireIfRebuilt()
    for (const w of this.workers) {
      if (w.claim()) return { worker: w }
    }
    if (this.workers.size < this.opts.max) return this.spawn()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Hands the worker to the next waiter, or lets it idle. Dead workers are dropped. */
  release(w: WorkerProcess): void {
    w.unclaim()
    if (w.retireAfterRun) w.kill()
    if (w.state === 'dead') this.workers.delete(w)
    if (this.stopped) return
    const next = this.waiters.shift()
    if (!next) return
    if (w.claim()) next({ worker: w })
    else void this.spawn().then(next)
  }

  /** Retires workers idle for longer than `idleMs`. */
  reap(idleMs: number, now = Date.now()): void {
    for (const w of this.workers) {
      if (w.state === 'idle' && now - w.lastUsed > idleMs) {
        this.workers.delete(w)
        w.kill()
      }
    }
  }

  /** Kills idle workers now and busy ones when they finish (new env or new bundle). */
  retire(): void {
    for (const w of this.workers) {
      if (w.state !== 'busy') {
        this.workers.delete(w)
        w.kill()
      } else {
        // Finishes its invocation, then dies on release.
        w.retireAfterRun = true
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const resolve of this.waiters.splice(0)) resolve({ failure: { ok: false, kind: 'crash', error: 'stopped', logs: [] } })
    const all = [...this.workers]
    this.workers.clear()
    await Promise.all(all.map((w) => w.stop()))
  }

  private async spawn(): Promise<Acquired> {
    const w = new WorkerProcess(this.opts.bundlePath, this.opts.env(), this.opts.execArgv)
    this.workers.add(w)
    // A worker that dies while idle (a stray timer threw after main returned) frees its slot.
    // No waiter can be queued then: waiters exist only while every worker is busy.
    w.child.once('exit', () => this.workers.delete(w))
    const failed = await w.ready
    if (failed && !failed.ok) {
      this.workers.delete(w)
      return { failure: failed }
    }
    if (this.stopped) {
      await w.stop()
      return { failure: { ok: false, kind: 'crash', error: 'stopped', logs: [] } }
    }
    return { worker: w }
  }

  private retireIfRebuilt(): void {
    const m = this.mtime()
    if (m !== this.bundleMtime) {
      this.bundleMtime = m
      this.retire()
    }
  }

  private mtime(): number {
    try {
      return statSync(this.opts.bundlePath).mtimeMs
    } catch {
      return 0
    }
  }
}
