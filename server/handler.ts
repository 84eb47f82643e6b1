/**
 * @module server/handler — wraps a function body so that every outcome is a `Result`.
 *
 * A thrown error reaches the mini program only as an opaque -404011/-504002, so nothing
 * escapes: business failures are already results, and anything unexpected (an SDK error, a
 * bug) is logged redacted and turned into a catalog failure. Identity comes only from
 * `cloud.getWXContext()`; `openid`, `OPENID` or `userInfo` in the event are never read.
 */
import type { FunctionName, Result } from '../core/contracts'
import { fail } from '../core/errors'
import { failureFromThrown } from './failures'
import { getCloud, getDatabase, type CloudSdk, type Database } from './cloud'
import { loadConfig, type ServerConfig } from './config'
import { createLogger, type LogSink, type Logger } from './logger'

/** What a function body gets besides its event. */
export interface Invocation {
  openid: string
  appid: string
  unionid?: string
  config: ServerConfig
  log: Logger
  cloud: CloudSdk
  db: Database
  now(): Date
}

/** `event` is passed as received: the body's parser (core/validate) decides what is valid. */
export type FunctionBody<D> = (event: unknown, inv: Invocation) => Promise<Result<D>>

/** What a body run without a client gets: no identity at all. */
export type SystemInvocation = Omit<Invocation, 'openid' | 'appid' | 'unionid'>
/**
 * A function's body for invocations with NO client identity — OPENID and APPID exist only
 * "小程序端调用云函数时" (getWXContext docs), so their absence means the console, `tcb fn invoke`,
 * a timer trigger. Only functions that pass one have this mode; the rest answer UNAUTHENTICATED.
 */
export type SystemBody<D> = (event: unknown, inv: SystemInvocation) => Promise<Result<D>>

export interface HandlerDeps {
  cloud?: () => CloudSdk
  env?: NodeJS.ProcessEnv
  sink?: LogSink
  now?: () => Date
}

export type Main<D> = (event: unknown, context?: unknown) => Promise<Result<D>>

function idString(v: unknown): string {
  // getWXContext turns all-digit values into numbers; identities are strings.
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : ''
}

/** Builds the exported `main` of one cloud function. */
export function handler<D>(name: FunctionName, body: FunctionBody<D>, deps: HandlerDeps = {}, system?: SystemBody<D>): Main<D> {
  return async (event) => {
    const started = Date.now()
    const config = loadConfig(deps.env ?? process.env)
    // Every secret of the deployment is scrubbed from log lines wherever it appears.
    const secrets = [config.appSecret, config.sms?.provider.secretKey, config.sms?.codeKey].filter((s): s is string => typeof s === 'string' && s.length >= 4)
    const log = createLogger(name, { secrets, sink: deps.sink })
    let result: Result<D>
    try {
      const cloud = (deps.cloud ?? getCloud)()
      const ctx = cloud.getWXContext()
      const openid = idString(ctx.OPENID)
      const appid = idString(ctx.APPID)
      const now = deps.now ?? (() => new Date())
      // A cross-account call (another app using this env through 环境共享) carries its user as
      // FROM_OPENID/FROM_APPID: a client, never "no client", whatever OPENID says.
      const crossAccount = idString(ctx.FROM_OPENID) !== '' || idString(ctx.FROM_APPID) !== ''
      if (openid === '' && appid === '' && !crossAccount && system) {
        result = await system(event, { config, log, cloud, db: getDatabase(cloud), now })
      } else if (openid === '' || appid === '') {
        result = fail('UNAUTHENTICATED')
      } else {
        const unionid = idString(ctx.UNIONID) || undefined
        const inv: Invocation = { openid, appid, unionid, config, log, cloud, db: getDatabase(cloud), now }
        result = await body(event, inv)
      }
    } catch (e) {
      log.error('unexpected failure', { error: e })
      result = failureFromThrown(e)
    }
    // Last line of defence: a result that somehow carries a secret is never sent.
    const sent = JSON.stringify(result)
    if (secrets.some((s) => sent.includes(s))) {
      log.error('result withheld: it contained a secret')
      result = fail('INTERNAL_ERROR')
    }
    log.info('done', { outcome: result.ok ? 'OK' : result.error.code, ms: Date.now() - started })
    return result
  }
}
