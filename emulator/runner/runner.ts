/**
 * @module emulator/runner/runner — runs cloud functions in warm worker processes with the SCF
 * environment (wire protocol §3.1, §14): built bundles (`<functionsDir>/<name>/index.js`), or,
 * with `dev`, a project's function folders as they are, reloaded on change (./devFunctions.ts).
 *
 * Each invocation gets a fresh `WX_API_TOKEN`, registered in the `InvocationRegistry` for the
 * duration of the call only, so `/admin` attributes every SDK request to its invocation.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { EmulatorEvents } from '../events'
import { systemClock, type Clock, type InvocationRegistry } from '../types'
import { DevFunctions, type DevRunnerOptions, type ReloadReport } from './devFunctions'
import { readFunctionConfigCached } from './functionConfig'
import { ERR, MESSAGES, businessCode, failureCode, type FailureReason, type InvokeOutcome } from './outcomes'
import { FunctionPool } from './pool'
import { FUNCTION_NAME, missingDependencies, missingDependenciesMessage } from './sources'
import type { LoadSpec, WorkerReply } from './workerProcess'

export interface RunnerOptions {
  /** Folder of function folders, each holding a built `index.js` (default `cloudfunctions/`). */
  functionsDir?: string
  /** The `/admin` URL the SDK is pointed at through `TCB_CONTEXT_CNFG`. */
  adminUrl: string
  /** The CloudBase env id (`SCF_NAMESPACE`, `TCB_ENV`, `getWXContext().ENV`). */
  env: string
  invocations: InvocationRegistry
  events?: EmulatorEvents
  /** Extra environment per function name, e.g. `{ login: { WX_APP_SECRET: '…' } }`. */
  functionEnv?: Record<string, Record<string, string>>
  /** Extra environment of a function not named in `functionEnv` (e.g. one added while running). */
  defaultFunctionEnv?: Record<string, string>
  /**
   * Run `functionsDir` as a project's `cloudfunctionRoot` (`phonebind dev`): each function from
   * its own folder and node_modules, TypeScript through esbuild, reloaded when its files change.
   * Without it, only built `index.js` bundles run.
   */
  dev?: DevRunnerOptions
  /** Told of each reload in dev mode (also emitted as `function.reload`). */
  onReload?: (report: ReloadReport) => void
  /** Max concurrent workers per function (default 8); more callers queue. */
  poolSize?: number
  /** Idle workers are killed after this long (default 60 s). */
  idleMs?: number
  clock?: Clock
  /**
   * Node flags for the workers (default none), e.g. `['--cpu-prof', '--cpu-prof-dir=prof']` to
   * profile functions. Also read, space-separated, from `PHONEBIND_WORKER_EXEC_ARGV`.
   */
  workerExecArgv?: string[]
}

/** Who is calling, as WeChat would set it for a mini-program call. */
export interface CallerIdentity {
  openid: string
  appid: string
  unionid?: string
  clientIp?: string
  clientIpv6?: string
  /**
   * `getWXContext().SOURCE` (`TCB_SOURCE`): `wx_client` (the default) for a mini-program call;
   * the caller's chain plus `,scf` for a function called from a function (WX
   * reference-sdk-api/utils/Cloud.getWXContext: A gets `wx_client`, B gets `wx_client,scf`).
   */
  source?: string
}

export interface InvokeOptions {
  /** Overrides `config.json`'s `timeout` (which defaults to 3 s, as on CloudBase). */
  timeoutMs?: number
}

export interface Runner {
  invoke(name: string, event: unknown, identity: CallerIdentity, opts?: InvokeOptions): Promise<InvokeOutcome>
  /** Function folders that have a built bundle (in dev mode: a function entry). */
  listFunctions(): string[]
  /** Replaces a function's extra environment; its warm workers are retired. */
  setFunctionEnv(name: string, vars: Record<string, string>): void
  /** Starts workers ahead of the first call (like provisioned concurrency). */
  warm(name: string, count?: number): Promise<void>
  /** Pids of the live workers (for tests and the console). */
  pids(): number[]
  /** Kills every worker and fails queued calls. */
  stop(): Promise<void>
}

/** The SCF environment every worker starts with (reference §3.1), before any identity. */
export function scfEnvironment(opts: { env: string; adminUrl: string }): Record<string, string> {
  return {
    TENCENTCLOUD_RUNENV: 'SCF',
    SCF_NAMESPACE: opts.env,
    TCB_ENV: opts.env,
    TENCENTCLOUD_REGION: 'ap-shanghai',
    // Dummies: the SDK crashes without credentials (reference §4); the emulator ignores them.
    TENCENTCLOUD_SECRETID: 'AKIDemulatorDummySecretId',
    TENCENTCLOUD_SECRETKEY: 'emulatorDummySecretKey',
    TENCENTCLOUD_SESSIONTOKEN: 'emulatorDummySessionToken',
    TCB_CONTEXT_CNFG: JSON.stringify({ URL: opts.adminUrl }),
    WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID,WX_UNIONID,WX_CLIENTIP,WX_CLIENTIPV6,WX_API_TOKEN',
    TCB_CONTEXT_KEYS: 'TCB_ENV,TCB_SOURCE,TCB_SESSIONTOKEN',
    TCB_SOURCE: 'wx_client',
    TRIGGER_SRC: 'tcb',
  }
}

export function createRunner(opts: RunnerOptions): Runner {
  const functionsDir = resolve(opts.functionsDir ?? join(process.cwd(), 'cloudfunctions'))
  const clock = opts.clock ?? systemClock
  const poolSize = opts.poolSize ?? 8
  const idleMs = opts.idleMs ?? 60_000
  const functionEnv: Record<string, Record<string, string>> = { ...(opts.functionEnv ?? {}) }
  const base = scfEnvironment(opts)
  const execArgv = opts.workerExecArgv ?? (process.env.PHONEBIND_WORKER_EXEC_ARGV ?? '').split(' ').filter(Boolean)
  const pools = new Map<string, FunctionPool>()
  let stopped = false
  const dev = opts.dev
    ? new DevFunctions(functionsDir, opts.dev, {
        retire: (name) => pools.get(name)?.retire(),
        report: (r) => {
          opts.onReload?.(r)
          opts.events?.emit('function.reload', { ...r, at: clock.now() })
        },
      })
    : undefined

  const sweeper = setInterval(() => pools.forEach((p) => p.reap(idleMs)), Math.max(1000, idleMs / 2))
  sweeper.unref()

  function workerEnv(name: string): NodeJS.ProcessEnv {
    // A clean environment, as in a container: nothing of the emulator's own env leaks in.
    const host: Record<string, string> = {}
    for (const k of ['PATH', 'LANG', 'TZ', 'SYSTEMROOT']) if (process.env[k]) host[k] = process.env[k] as string
    return { ...host, ...(functionEnv[name] ?? opts.defaultFunctionEnv ?? {}), ...base }
  }

  function bundlePath(name: string): string | undefined {
    if (!FUNCTION_NAME.test(name)) return undefined
    const p = join(functionsDir, name, 'index.js')
    return existsSync(p) ? p : undefined
  }

  function poolFor(name: string, bundle: string): FunctionPool {
    let pool = pools.get(name)
    if (!pool) {
      const load = (): LoadSpec => (dev ? dev.spec(name) : { file: bundle })
      pool = new FunctionPool({ load, onLoaded: (files) => dev?.noteLoaded(name, files), env: () => workerEnv(name), max: poolSize, execArgv })
      pools.set(name, pool)
    }
    return pool
  }

  /** Emits `invocation.start`, and exactly one `invocation.end` whatever happens in between. */
  async function invoke(name: string, event: unknown, identity: CallerIdentity, invokeOpts: InvokeOptions = {}): Promise<InvokeOutcome> {
    const invocationId = randomUUID()
    const started = performance.now()
    opts.events?.emit('invocation.start', { invocationId, functionName: name, openid: identity.openid, at: clock.now() })
    let outcome: InvokeOutcome
    try {
      outcome = await attempt(name, event, identity, invokeOpts, invocationId, started)
    } catch (err) {
      // A bug of the emulator's, not the function's: the caller still gets one clean failure
      // and the console no phantom running call.
      const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      outcome = { ok: false, errCode: ERR.EXECUTE_FAIL, errMsg: MESSAGES.internal(text), reason: 'THREW', logs: [], invocationId, durationMs: performance.now() - started }
    }
    opts.events?.emit('invocation.end', {
      invocationId,
      functionName: name,
      openid: identity.openid,
      at: clock.now(),
      durationMs: outcome.durationMs,
      resultCode: outcome.ok ? businessCode(outcome.result) : failureCode(outcome.reason),
      logs: outcome.logs,
    })
    return outcome
  }

  async function attempt(
    name: string,
    event: unknown,
    identity: CallerIdentity,
    invokeOpts: InvokeOptions,
    invocationId: string,
    started: number,
  ): Promise<InvokeOutcome> {
    const failure = (errCode: number, errMsg: string, reason: FailureReason, logs: string[]): InvokeOutcome => ({
      ok: false,
      errCode,
      errMsg,
      reason,
      logs,
      invocationId,
      durationMs: performance.now() - started,
    })

    if (stopped) return failure(ERR.EXECUTE_FAIL, MESSAGES.stopped, 'STOPPED', [])
    let bundle: string | undefined
    if (dev) {
      const prepared = FUNCTION_NAME.test(name) ? await dev.get(name) : undefined
      if (!prepared) return failure(ERR.NOT_FOUND, MESSAGES.notFound, 'NOT_FOUND', [])
      if (!prepared.ok) return failure(ERR.EXECUTE_FAIL, `${prepared.errorName}: ${prepared.error}`, 'THREW', logLines(invocationId, prepared.error))
      // The cloud installs package.json's dependencies into the function's folder; here the
      // developer does, and a function that would resolve them from elsewhere is refused.
      const missing = missingDependencies(prepared.source)
      if (missing.length > 0) {
        const text = missingDependenciesMessage(prepared.source, missing, opts.dev!.cwd ?? join(functionsDir, '..'))
        return failure(ERR.EXECUTE_FAIL, `Error: Cannot find module '${missing[0]}': ${text}`, 'THREW', logLines(invocationId, text))
      }
      bundle = prepared.spec.file
    } else bundle = bundlePath(name)
    if (!bundle) return failure(ERR.NOT_FOUND, MESSAGES.notFound, 'NOT_FOUND', [])

    const config = readFunctionConfigCached(join(functionsDir, name))
    const timeoutMs = invokeOpts.timeoutMs ?? config.timeoutSeconds * 1000
    const pool = poolFor(name, bundle)
    const acquired = await pool.acquire()
    if ('failure' in acquired) {
      const f = acquired.failure
      if (stopped) return failure(ERR.EXECUTE_FAIL, MESSAGES.stopped, 'STOPPED', tagged(invocationId, f.logs))
      return failure(ERR.EXECUTE_FAIL, f.error, 'THREW', tagged(invocationId, f.logs))
    }
    const worker = acquired.worker
    const token = `emu-${randomBytes(18).toString('base64url')}`
    opts.invocations.register({
      token,
      invocationId,
      functionName: name,
      openid: identity.openid,
      appid: identity.appid,
      unionid: identity.unionid,
      source: identity.source,
      openapiPermissions: config.openapiPermissions,
    })
    let reply: WorkerReply
    try {
      reply = await worker.run(
        {
          id: invocationId,
          event: event ?? {},
          identity: {
            WX_OPENID: identity.openid,
            WX_APPID: identity.appid,
            WX_UNIONID: identity.unionid,
            WX_CLIENTIP: identity.clientIp,
            WX_CLIENTIPV6: identity.clientIpv6,
            WX_API_TOKEN: token,
            TCB_SOURCE: identity.source ?? 'wx_client',
          },
          context: {
            request_id: invocationId,
            function_name: name,
            function_version: '$LATEST',
            namespace: opts.env,
            tencentcloud_region: 'ap-shanghai',
            time_limit_in_ms: timeoutMs,
            memory_limit_in_mb: 256,
          },
        },
        timeoutMs,
      )
    } finally {
      opts.invocations.unregister(token)
      pool.release(worker)
    }
    const durationMs = performance.now() - started
    if (reply.ok) {
      const resultJson = reply.json ?? 'null'
      return { ok: true, result: JSON.parse(resultJson), resultJson, logs: reply.logs, invocationId, durationMs }
    }
    switch (reply.kind) {
      case 'timeout':
        return failure(ERR.TIMEOUT, MESSAGES.timeout(timeoutMs / 1000), 'TIMEOUT', reply.logs)
      case 'size':
        return failure(ERR.RESULT_TOO_LARGE, MESSAGES.tooLarge, 'TOO_LARGE', reply.logs)
      case 'input':
        return failure(ERR.INVALID_PARAM, MESSAGES.badEvent(reply.error), 'BAD_EVENT', reply.logs)
      case 'crash':
        if (stopped) return failure(ERR.EXECUTE_FAIL, MESSAGES.stopped, 'STOPPED', reply.logs)
        return failure(ERR.EXECUTE_FAIL, reply.logs.length ? reply.error : MESSAGES.crashed(reply.error), 'THREW', reply.logs)
      default:
        return failure(ERR.EXECUTE_FAIL, reply.error, 'THREW', reply.logs)
    }
  }

  return {
    invoke,
    listFunctions() {
      if (dev) return dev.list()
      if (!existsSync(functionsDir)) return []
      return readdirSync(functionsDir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.') && FUNCTION_NAME.test(e.name))
        .filter((e) => existsSync(join(functionsDir, e.name, 'index.js')))
        .map((e) => e.name)
        .sort()
    },
    setFunctionEnv(name, vars) {
      functionEnv[name] = { ...vars }
      pools.get(name)?.retire()
    },
    async warm(name, count = 1) {
      const prepared = dev && FUNCTION_NAME.test(name) ? await dev.get(name) : undefined
      const bundle = dev ? (prepared?.ok ? prepared.spec.file : undefined) : bundlePath(name)
      if (!bundle || stopped) return
      const pool = poolFor(name, bundle)
      const got = await Promise.all(Array.from({ length: Math.min(count, poolSize) }, () => pool.acquire()))
      for (const a of got) if ('worker' in a) pool.release(a.worker)
    },
    pids() {
      return [...pools.values()].flatMap((p) => p.pids())
    },
    async stop() {
      stopped = true
      clearInterval(sweeper)
      await dev?.stop()
      await Promise.all([...pools.values()].map((p) => p.stop()))
      pools.clear()
    },
  }
}

/** A message as the invocation's log lines (`<id> ERROR <line>`). */
function logLines(invocationId: string, text: string): string[] {
  return text.split('\n').map((l) => `${invocationId} ERROR ${l}`)
}

/** Load-failure lines were tagged `init` by the worker; attribute them to this invocation. */
function tagged(invocationId: string, logs: string[]): string[] {
  return logs.map((l) => (l.startsWith('init ') ? `${invocationId} ${l.slice(5)}` : l))
}
