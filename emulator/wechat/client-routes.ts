/**
 * @module emulator/wechat/client-routes — the simulated client: what a mini program can do, as a
 * chosen test user, over JSON HTTP under `/client/…` (never under `/admin`). Also the control
 * knobs (faults, quota, expiry, reset) and a read-only database view for tests.
 *
 * Route table (all JSON; errors are `{error}` with 400/404):
 *   GET  /client/apps                      POST /client/apps {name?, quota?}
 *   GET  /client/users[?appid]
 *   POST /client/users                     POST /client/users/update {openid, …patch}
 *   POST /client/login {openid}            POST /client/checkSession {openid}
 *   POST /client/tapPhoneButton {openid, outcome?, realtime?, platform?, phoneNumberNoQuotaToast?}
 *   POST /client/callFunction {openid, name, data}
 *   GET  /client/control/faults            POST /client/control/faults {api, fault|null}
 *   POST /client/control/app {appid?, quota?, privacyDeclared?, phonePermission?}
 *   POST /client/control/expireCodes       POST /client/control/expireSession {openid}
 *   POST /client/control/countryCodeAsNumber {value}   POST /client/control/reset
 *   GET  /client/db                        GET  /client/db/<collection>[?limit][&reveal=1]
 *   POST /client/db {name}                 creates a collection, as the CloudBase console does (409 if it exists)
 *
 * `/client/db` shows documents as the console does (../console/sanitize.ts): session keys and
 * other secrets are always hidden, phone numbers masked unless `reveal=1`. A test that needs a
 * raw session key reads the store in process (`emulator.store`), never over HTTP.
 */
import type { IncomingMessage } from 'node:http'
import type { RouteHandler } from '../types'
import { callFunctionAsClient, type FunctionInvoker } from './call-function'
import { isFaultApi, validateFaultSpec } from './faults'
import { sanitizeDocument } from '../console/sanitize'
import { answerClient, BadRequest, decodePathPart, guarded, readJson } from './http'
import { TAP_OUTCOMES, type Platform, type TapOutcome } from './phone'
import type { SimulatedWeChat } from './wechat'

/** The document store as `/client/db` sees it: read-only, plus creating a collection. */
export interface DatabaseView {
  listCollections(): string[]
  find(collection: string, filter: Record<string, unknown>, opts?: { limit?: number }): unknown[]
  /** False when it already existed. */
  createCollection(collection: string): Promise<boolean>
}

/** A collection name `/client/db` and the console's `/console/api/db/<name>` accept. */
export const COLLECTION_NAME = /^[A-Za-z0-9_-]{1,64}$/

export interface ClientRouteDeps {
  wechat: SimulatedWeChat
  functions?: FunctionInvoker
  db?: DatabaseView
  /** Extra work for `/client/control/reset` (e.g. clearing the database). */
  onReset?: () => Promise<void>
}

/**
 * Routes whose change a user would miss after a crash (a created user or app, a control
 * setting): answered only once the change is on disk. Taps and logins stay asynchronous (a
 * crash may forget the last few milliseconds of them; see README, "Durability").
 */
const DURABLE_ROUTES: ReadonlySet<string> = new Set([
  '/client/apps',
  '/client/users',
  '/client/users/update',
  '/client/control/app',
  '/client/control/expireCodes',
  '/client/control/expireSession',
  '/client/control/reset',
])

type Body = Record<string, unknown>

const MAX_APP_NAME = 64
type Handler = (body: Body, url: URL) => Promise<unknown> | unknown

function str(body: Body, key: string, required = true): string | undefined {
  const v = body[key]
  if (v === undefined && !required) return undefined
  if (typeof v !== 'string' || v === '') throw new BadRequest(`${key} must be a non-empty string`)
  return v
}

function bool(body: Body, key: string): boolean | undefined {
  const v = body[key]
  if (v === undefined) return undefined
  if (typeof v !== 'boolean') throw new BadRequest(`${key} must be a boolean`)
  return v
}

function withoutSecret<T extends { secret?: string }>(app: T): Omit<T, 'secret'> {
  const { secret: _secret, ...rest } = app
  return rest
}

export function createClientRoutes(deps: ClientRouteDeps): RouteHandler {
  const { wechat } = deps
  const user = (body: Body) => guarded(() => wechat.requireUser(str(body, 'openid')!))

  const get: Record<string, Handler> = {
    '/client/apps': () => ({ apps: wechat.listApps(), defaultAppid: wechat.defaultAppid }),
    '/client/users': (_b, url) => ({ users: wechat.listUsers(url.searchParams.get('appid') ?? undefined) }),
    '/client/control/faults': () => ({ faults: wechat.faults.list() }),
    '/client/db': () => ({ collections: deps.db?.listCollections() ?? [] }),
  }

  const post: Record<string, Handler> = {
    '/client/apps': (b) => {
      // Each call creates an app, so a body that is not exactly {name?, quota?} creates none.
      const unknown = Object.keys(b).filter((k) => k !== 'name' && k !== 'quota')
      if (unknown.length) throw new BadRequest(`unknown field ${JSON.stringify(unknown[0]!.slice(0, 40))}: the body is {name?, quota?}`)
      const name = str(b, 'name', false)
      if (name !== undefined && name.length > MAX_APP_NAME) throw new BadRequest(`name must be at most ${MAX_APP_NAME} characters`)
      if (b.quota !== undefined && !(Number.isSafeInteger(b.quota) && (b.quota as number) >= 0)) throw new BadRequest('quota must be a non-negative integer')
      return { app: withoutSecret(wechat.createApp({ name, quota: b.quota as number | undefined })) }
    },
    '/client/users': (b) => ({
      user: guarded(() =>
        wechat.createUser({
          appid: str(b, 'appid', false),
          openid: str(b, 'openid', false),
          purePhoneNumber: str(b, 'purePhoneNumber', false),
          countryCode: str(b, 'countryCode', false),
          baseLibrary: str(b, 'baseLibrary', false),
          unionid: typeof b.unionid === 'boolean' ? b.unionid : str(b, 'unionid', false),
          privacyAuthorized: bool(b, 'privacyAuthorized'),
          nickname: str(b, 'nickname', false),
        }),
      ),
    }),
    '/client/users/update': (b) => {
      const { openid } = user(b)
      const patch: Parameters<SimulatedWeChat['updateUser']>[1] = {}
      for (const k of ['baseLibrary', 'purePhoneNumber', 'countryCode', 'nickname'] as const) if (b[k] !== undefined) patch[k] = str(b, k)
      if (b.privacyAuthorized !== undefined) patch.privacyAuthorized = bool(b, 'privacyAuthorized')
      return { user: wechat.updateUser(openid, patch) }
    },
    '/client/login': (b) => wechat.login(user(b).openid),
    '/client/checkSession': (b) => {
      const ok = wechat.checkSession(user(b).openid)
      return ok ? { ok, errMsg: 'checkSession:ok' } : { ok, errMsg: 'checkSession:fail session time out' }
    },
    '/client/tapPhoneButton': (b) => {
      const outcome = str(b, 'outcome', false)
      if (outcome !== undefined && !TAP_OUTCOMES.includes(outcome as TapOutcome)) throw new BadRequest(`outcome must be one of ${TAP_OUTCOMES.join(', ')}`)
      const platform = str(b, 'platform', false)
      if (platform !== undefined && !['ios', 'android', 'devtools', 'legacy'].includes(platform)) throw new BadRequest('platform must be ios, android, devtools or legacy')
      return wechat.tapPhoneButton(user(b).openid, { outcome: outcome as TapOutcome | undefined, realtime: bool(b, 'realtime'), platform: platform as Platform | undefined, phoneNumberNoQuotaToast: bool(b, 'phoneNumberNoQuotaToast') })
    },
    '/client/callFunction': (b) => {
      if (!deps.functions) throw new BadRequest('no function runner is attached to this emulator', 503)
      const name = str(b, 'name')!
      return callFunctionAsClient({ wechat, functions: deps.functions }, user(b), name, b.data)
    },
    '/client/control/faults': (b) => {
      if (!isFaultApi(b.api)) throw new BadRequest('api must be jscode2session, getPhoneNumber or getOpenData')
      const spec = b.fault === null || b.fault === undefined ? null : guarded(() => validateFaultSpec(b.fault))
      wechat.setFault(b.api, spec)
      return { faults: wechat.faults.list() }
    },
    '/client/control/app': (b) => {
      const appid = str(b, 'appid', false) ?? wechat.defaultAppid
      const patch: Parameters<SimulatedWeChat['updateApp']>[1] = {}
      if (b.quota !== undefined) patch.quota = b.quota as number
      if (b.privacyDeclared !== undefined) patch.privacyDeclared = bool(b, 'privacyDeclared')
      if (b.phonePermission !== undefined) patch.phonePermission = bool(b, 'phonePermission')
      return { app: withoutSecret(guarded(() => wechat.updateApp(appid, patch))) }
    },
    '/client/control/expireCodes': () => {
      wechat.expireCodes()
      return {}
    },
    '/client/control/expireSession': (b) => {
      wechat.expireSession(user(b).openid)
      return {}
    },
    '/client/control/countryCodeAsNumber': (b) => {
      wechat.countryCodeAsNumber = bool(b, 'value') ?? false
      return { value: wechat.countryCodeAsNumber }
    },
    '/client/db': async (b) => {
      const name = str(b, 'name')!
      if (!COLLECTION_NAME.test(name)) throw new BadRequest('name must be 1-64 letters, digits, _ or -')
      if (!deps.db) throw new BadRequest('no database is attached to this emulator', 503)
      if (!(await deps.db.createCollection(name))) throw new BadRequest(`collection ${name} already exists / 集合已存在`, 409)
      return { created: name }
    },
    '/client/control/reset': async () => {
      wechat.reset()
      await deps.onReset?.()
      return { users: wechat.listUsers() }
    },
  }

  const dbRead = (url: URL): unknown => {
    const collection = decodePathPart(url.pathname.slice('/client/db/'.length))
    if (!COLLECTION_NAME.test(collection)) throw new BadRequest('bad collection name')
    const limit = Number(url.searchParams.get('limit') ?? 1000)
    const reveal = url.searchParams.get('reveal') === '1'
    if (!deps.db) throw new BadRequest('no database is attached to this emulator', 503)
    if (!deps.db.listCollections().includes(collection)) return { documents: [] }
    const docs = deps.db.find(collection, {}, { limit: Number.isInteger(limit) && limit > 0 ? limit : 1000 })
    return { documents: docs.map((d) => sanitizeDocument(collection, d, reveal)) }
  }

  return async (req: IncomingMessage, res, url) => {
    if (url.pathname !== '/client' && !url.pathname.startsWith('/client/')) return false
    await answerClient(res, '/client route', async () => {
      if (req.method === 'GET' && url.pathname.startsWith('/client/db/')) return dbRead(url)
      if (req.method === 'GET' && get[url.pathname]) return get[url.pathname]!({}, url)
      if (req.method === 'POST' && post[url.pathname]) {
        const out = await post[url.pathname]!(await readJson(req), url)
        if (DURABLE_ROUTES.has(url.pathname)) await wechat.flush()
        return out
      }
      throw new BadRequest(`no route ${req.method ?? ''} ${url.pathname}`, 404)
    })
    return true
  }
}
