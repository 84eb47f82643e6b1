/**
 * @module emulator/runner/pool — the warm workers of one function, like SCF's container
 * instances: reuse an idle one, start another while all are busy (up to `max`), queue beyond
 * that, and retire workers that sat idle too long or whose bundle was rebuilt.
 */
import { statSync } from 'node:fs'
import { WorkerProcess, type LoadSpec, type WorkerReply } from './workerProcess'

export interface PoolOptions {
  /** What a new worker loads; read at each spawn, so a reloaded function's next worker gets the new code. */
  load: () => LoadSpec
  /** Told the function's own files each worker loaded (the dev runner watches them). */
  onLoaded?: (files: string[]) => void
  /** Built per spawn so an env change (e.g. `setFunctionEnv`) reaches new workers. */
  env: () => NodeJS.ProcessEnv
  max: number
  execArgv: string[]
}

type Acquired = { worker: WorkerProcess } | { failure: Extract<WorkerReply, { ok: false }> }

const STOPPED: Acquired = { failure: { ok: false, kind: 'crash', error: 'stopped', logs: [] } }

/**
 * Accounting: `workers` holds every process that has not exited, dying ones included, so the
 * number of live processes can never pass `max`. A slot is freed only when a process is gone,
 * and every event that can free or idle one (a release, an exit) wakes the queue (`dispatch`).
 */
export class FunctionPool {
  private readonly workers = new Set<WorkerProcess>()
  private readonly waiters: ((a: Acquired) => void)[] = []
  private bundleMtime = 0
  private stopped = false

  constructor(private readonly opts: PoolOptions) {
    this.bundleMtime = this.mtime()
  }

  /** Processes not yet exited (starting, idle, busy or dying). */
  get size(): number {
    return this.workers.size
  }

  pids(): number[] {
    return [...this.workers].map((w) => w.pid).filter((p): p is number => p !== undefined)
  }

  /** A loaded worker claimed for the caller (state `busy`). The caller must `release` it. */
  acquire(): Promise<Acquired> {
    if (this.stopped) return Promise.resolve(STOPPED)
    this.retireIfRebuilt()
    // Callers are served in arrival order: a new one never overtakes a queued one.
    return new Promise((resolve) => {
      this.waiters.push(resolve)
      this.dispatch()
    })
  }

  /** Gives the worker back: to the next waiter, or to idle. A finishing one dies here and frees its slot on exit. */
  release(w: WorkerProcess): void {
    if (w.state === 'finishing') w.kill()
    else w.unclaim()
    this.dispatch()
  }

  /** Retires workers idle for longer than `idleMs`. */
  reap(idleMs: number, now = Date.now()): void {
    for (const w of this.workers) {
      if (w.state === 'idle' && now - w.lastUsed > idleMs) w.kill()
    }
  }

  /** Kills idle workers now, and busy or starting ones once their call ends (new env or bundle). */
  retire(): void {
    // A starting worker is already promised to a caller made before the change: it serves
    // that call (state `finishing`), then dies on release.
    for (const w of this.workers) w.retire()
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const resolve of this.waiters.splice(0)) resolve(STOPPED)
    await Promise.all([...this.workers].map((w) => w.stop()))
  }

  /** Hands idle workers to waiters, and starts workers for the rest while there is room. */
  private dispatch(): void {
    while (!this.stopped && this.waiters.length > 0) {
      const idle = [...this.workers].find((w) => w.claim())
      if (idle) {
        this.waiters.shift()!({ worker: idle })
      } else if (this.workers.size < this.opts.max) {
        const next = this.waiters.shift()!
        this.spawn().then(next, (err: unknown) => next({ failure: { ok: false, kind: 'load', error: `could not start the worker: ${String(err)}`, logs: [] } }))
      } else {
        return
      }
    }
  }

  /** Starts a worker reserved for one caller; its slot is taken now and freed when it exits. */
  private async spawn(): Promise<Acquired> {
    const w = new WorkerProcess(this.opts.load(), this.opts.env(), this.opts.execArgv)
    this.workers.add(w)
    void w.exited.then(() => {
      this.workers.delete(w)
      this.dispatch()
    })
    const failed = await w.ready
    if (w.files.length) this.opts.onLoaded?.(w.files)
    if (failed && !failed.ok) return { failure: failed }
    if (this.stopped) {
      await w.stop()
      return STOPPED
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
      return statSync(this.opts.load().file).mtimeMs
    } catch {
      return 0
    }
  }
}
