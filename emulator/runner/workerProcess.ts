/**
 * @module emulator/runner/workerProcess — the parent's handle on one forked worker
 * (`worker.cjs`): a warm container that runs one invocation at a time.
 *
 * States (firebase's functionsRuntimeWorker has the same shape, CREATED → IDLE → BUSY →
 * FINISHING → FINISHED): starting → idle ⇄ busy → dead, and `finishing` for a worker that must
 * not be reused but still owes its caller one call (its bundle or env changed mid-run): it
 * serves that call, is never claimed again, and dies when given back. A worker that times out,
 * crashes or fails to load is killed and never reused; a fresh one takes its place on the next
 * call. `dead` means "killed or exiting": the process may live a few more milliseconds, until
 * `exited` resolves. `WORKER_TRANSITIONS` lists every move allowed.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

export type WorkerState = 'starting' | 'idle' | 'busy' | 'finishing' | 'dead'

/** The moves a worker may make; anything else is a bug in the pool and throws. Staying put is always allowed. */
export const WORKER_TRANSITIONS: Readonly<Record<WorkerState, readonly WorkerState[]>> = {
  // Loaded: reserved for the caller that spawned it (busy); retired before it loaded (finishing).
  starting: ['busy', 'finishing', 'dead'],
  idle: ['busy', 'dead'],
  // Call ended and warm (idle); retired mid-call (finishing); crashed, timed out, killed (dead).
  busy: ['idle', 'finishing', 'dead'],
  finishing: ['dead'],
  dead: [],
}

/** The worker's reply to one invocation (see worker.cjs for the wire shape). */
export type WorkerReply =
  | { ok: true; json: string | null; logs: string[] }
  /** `input`: the invocation could not be sent to the worker (e.g. an event JSON cannot encode); nothing ran. */
  | { ok: false; kind: 'threw' | 'crash' | 'size' | 'timeout' | 'load' | 'input'; error: string; logs: string[] }

export interface InvokeMessage {
  id: string
  event: unknown
  identity: Record<string, string | undefined>
  context: Record<string, unknown>
}

type ReadyMessage = { t: 'ready'; ok: boolean; error?: string; logs: string[]; files?: string[] }

/** What a worker loads: `file`, or `file` compiled as the module `as` (see worker.cjs). */
export interface LoadSpec {
  file: string
  as?: string
}
type ResultMessage = { t: 'result'; id: string } & WorkerReply

const WORKER_SCRIPT = join(__dirname, 'worker.cjs')
const STDERR_TAIL = 4096

export class WorkerProcess {
  private current: WorkerState = 'starting'
  lastUsed = Date.now()
  readonly child: ChildProcess
  /** Resolves once the bundle is loaded; resolves to a failure reply if it could not load. */
  readonly ready: Promise<WorkerReply | null>
  private pending: { id: string; resolve: (r: WorkerReply) => void; timer: NodeJS.Timeout } | null = null
  /** The function's own modules the worker loaded (reported once loaded, or failing to). */
  files: string[] = []
  private stderrTail = ''
  private markExited!: () => void
  /** Resolves once the process is gone (exited, or never started); only then is its slot free. */
  readonly exited = new Promise<void>((resolve) => {
    this.markExited = resolve
  })

  constructor(spec: LoadSpec, env: NodeJS.ProcessEnv, execArgv: string[] = []) {
    this.child = fork(WORKER_SCRIPT, spec.as ? [spec.file, spec.as] : [spec.file], {
      env,
      // No tsx/jest loaders in the worker: a deployed function runs on plain node.
      execArgv,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    })
    // The worker captures console output itself; stderr only carries what node prints
    // before or outside that (e.g. a fatal startup error). Keep a tail for crash reports.
    this.child.stderr?.setEncoding('utf8')
    this.child.stderr?.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-STDERR_TAIL)
    })
    let resolveReady!: (r: WorkerReply | null) => void
    this.ready = new Promise((resolve) => {
      resolveReady = resolve
      const onMessage = (m: ReadyMessage | ResultMessage) => {
        if (m.t !== 'ready') return
        this.child.off('message', onMessage)
        this.files = m.files ?? []
        if (m.ok) {
          // Reserved for the caller that spawned it, so no other caller can take it first.
          // A finishing one stays finishing (it still serves that caller); a dead one stays dead.
          if (this.current === 'starting') this.moveTo('busy')
          resolve(null)
        } else {
          this.kill()
          resolve({ ok: false, kind: 'load', error: m.error ?? 'load failed', logs: m.logs })
        }
      }
      this.child.on('message', onMessage)
    })
    this.child.on('message', (m: ReadyMessage | ResultMessage) => {
      if (m.t === 'result') this.settle(m.id, m)
    })
    const gone = (error: string) => {
      this.moveTo('dead')
      resolveReady({ ok: false, kind: 'load', error, logs: [] }) // no-op once it was ready
      if (this.pending) this.settle(this.pending.id, { ok: false, kind: 'crash', error, logs: [] })
      this.markExited()
    }
    this.child.once('exit', (code, signal) => gone(this.exitText(code, signal)))
    // A process that could not be started (EAGAIN, EMFILE…) gets 'error' and never 'exit'.
    // Other errors (an EPIPE from a worker that died by itself) are answered by 'exit'.
    this.child.on('error', (err) => {
      if (this.child.pid === undefined) gone(`could not start the worker: ${err.message}`)
    })
  }

  get state(): WorkerState {
    return this.current
  }

  private moveTo(next: WorkerState): void {
    if (next === this.current) return
    if (!WORKER_TRANSITIONS[this.current].includes(next)) throw new Error(`worker cannot go from ${this.current} to ${next}`)
    this.current = next
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  /** Marks an idle worker as taken; returns false if it is not idle. */
  claim(): boolean {
    if (this.current !== 'idle') return false
    this.moveTo('busy')
    return true
  }

  /** Gives back a claimed worker that ran nothing (e.g. one started by `warm`). */
  unclaim(): void {
    if (this.current === 'busy' && !this.pending) {
      this.moveTo('idle')
      this.lastUsed = Date.now()
    }
  }

  /**
   * The bundle or env changed: an idle worker dies now; a starting or busy one finishes the
   * call it owes, then dies when given back (`unclaim` is not enough; the pool kills it).
   */
  retire(): void {
    if (this.current === 'idle') this.kill()
    else if (this.current === 'starting' || this.current === 'busy') this.moveTo('finishing')
  }

  /** Runs one invocation on a claimed worker; kills it if it outlives `timeoutMs`. */
  run(msg: InvokeMessage, timeoutMs: number): Promise<WorkerReply> {
    if (this.current === 'dead') {
      // Died between being claimed and being used (e.g. a stray timer threw while idle).
      return Promise.resolve({ ok: false, kind: 'crash', error: 'worker exited before the call', logs: [] })
    }
    if ((this.current !== 'busy' && this.current !== 'finishing') || this.pending) throw new Error(`worker is ${this.current}`)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.settle(msg.id, { ok: false, kind: 'timeout', error: `timed out after ${timeoutMs} ms`, logs: [] })
        this.kill()
      }, timeoutMs)
      this.pending = { id: msg.id, resolve, timer }
      try {
        this.child.send({ t: 'invoke', ...msg }, (err) => {
          // The channel broke under the write: the worker is going or gone; never reuse it.
          if (err) this.settle(msg.id, { ok: false, kind: 'crash', error: `could not reach the worker: ${err.message}`, logs: [] })
        })
      } catch (err) {
        // Thrown synchronously: node encodes the whole message before writing any of it (a
        // stack overflow on deep data, a BigInt…), so nothing reached the worker and it stays warm.
        this.settle(msg.id, { ok: false, kind: 'input', error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), logs: [] })
      }
    })
  }

  private settle(id: string, reply: WorkerReply): void {
    const p = this.pending
    if (!p || p.id !== id) return
    this.pending = null
    clearTimeout(p.timer)
    if (this.current === 'busy' || this.current === 'finishing') {
      // A crash ends the worker (it exits after reporting); anything else leaves it warm, or,
      // if finishing, waiting to be given back and killed.
      const warm = reply.ok || reply.kind === 'threw' || reply.kind === 'size' || reply.kind === 'input'
      if (!warm) this.kill()
      else if (this.current === 'busy') this.moveTo('idle')
    }
    this.lastUsed = Date.now()
    p.resolve(reply)
  }

  /** SIGKILL: a function gets no chance to run on after its time is up. */
  kill(): void {
    this.moveTo('dead')
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
  }

  /**
   * Closes the IPC channel (the worker exits on disconnect, so `--cpu-prof` and the like can
   * write their files), then SIGKILLs whatever is still there after `graceMs`.
   */
  async stop(graceMs = 1000): Promise<void> {
    const running = this.child.exitCode === null && this.child.signalCode === null
    this.moveTo('dead')
    if (running && this.child.connected) {
      this.child.disconnect()
      const timer = setTimeout(() => this.kill(), graceMs)
      await this.exited
      clearTimeout(timer)
      return
    }
    this.kill()
    await this.exited
  }

  private exitText(code: number | null, signal: NodeJS.Signals | null): string {
    const how = signal ? `signal ${signal}` : `exit code ${code}`
    const tail = this.stderrTail.trim().split('\n').slice(-5).join('\n')
    return tail ? `${how}: ${tail}` : how
  }
}
