/**
 * @module emulator — the local WeChat + CloudBase emulator, composed.
 *
 * One HTTP server on 127.0.0.1 serves:
 *   POST /admin                 CloudBase `/admin` (database + wx.openApi + functions + storage actions)
 *   PUT/GET /storage/…          cloud storage's uploads and temp URLs (`./storage/`)
 *   GET  /sns/jscode2session    the simulated WeChat's code2Session
 *   /client/…                   the simulated client (see `./wechat/client-routes.ts`)
 *   extra `routes`              e.g. the console (`/console`)
 * Every request first passes `./http/guard.ts` (Origin, loopback Host, body Content-Type).
 * Services start in order (store → wechat → http → runner) and stop in reverse.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { EmulatorClient } from './client'
import { DEFAULTS, DEFAULT_FUNCTIONS_DIR, declaredCollections, readCloudfunctionRoot, wechatFunctionEnv } from './config'
import { EmulatorEvents } from './events'
import { ServiceRegistry } from './registry'
import { createInvocationRegistry } from './invocations'
import { createFunctionActions, createRunner, type ReloadReport, type Runner } from './runner'
import { createStorage, type Storage } from './storage'
import { openStore, type DocumentStore } from './store'
import { createAdminRoute, createDatabaseActions } from './tcb'
import { systemClock, type ActionTable, type Clock, type EmulatorService, type InvocationRegistry, type RouteHandler } from './types'
import { createRequestGuard, isLoopbackHostname, type Refusal } from './http/guard'
import { createClientRoutes } from './wechat/client-routes'
import { seedDemoUsers } from './wechat/demo-users'
import { createJscode2SessionRoute, sendJson } from './wechat/http'
import { createWeChatActions } from './wechat/openapi'
import type { TestUser } from './wechat/state'
import { SimulatedWeChat } from './wechat/wechat'

export interface StartEmulatorOptions {
  /** 0 (default) picks a free port; the CLI passes 9090. */
  port?: number
  host?: string
  /** Persist under this directory; omit for a memory-only emulator (tests). */
  dataDir?: string
  /** Delete persisted data first. */
  fresh?: boolean
  /**
   * Start a new simulated WeChat but keep the database (`--new-wechat`): the way out when
   * `wechat.json` is damaged or missing. An existing `wechat.json` is renamed aside, not deleted.
   */
  newWeChat?: boolean
  /** Seed for WeChat ids and faults. */
  seed?: string
  /** Folder of function folders with built `index.js` bundles (default `cloudfunctions/`). */
  functionsDir?: string
  /**
   * A WeChat devtools project (`phonebind dev`): run every function of its `cloudfunctionRoot`
   * (or of `functionsDir` when given) from its own folder and node_modules, JavaScript as it is,
   * TypeScript bundled into `<projectRoot>/.phonebind/build/`, reloaded when its files change.
   */
  projectRoot?: string
  /** With `projectRoot`: watch the functions' files (default true). */
  watch?: boolean
  /** With `projectRoot`: told of each reload (also the `function.reload` event). */
  onReload?: (report: ReloadReport) => void
  clock?: Clock
  /** CloudBase env id (default `phonebind-local`). */
  env?: string
  /** Suppress progress lines. */
  quiet?: boolean
  /** Where progress lines go (default console.log). */
  log?: (line: string) => void
  /** Extra routes (the console), tried after the built-in ones. */
  routes?: RouteHandler[] | ((emulator: EmulatorHandles) => RouteHandler[])
  /** Max warm workers per function. */
  poolSize?: number
  /** Largest file cloud storage accepts (default 50 MiB). */
  maxFileBytes?: number
  /**
   * Collections created at startup when missing (default: the project's declared ones,
   * `database/<name>.rules.json`: phonebind's users, phone_index, sessions, phone_events).
   * Any other collection must be created as on CloudBase (`db.createCollection`, the console).
   * The default reads `database/` beside the emulator's sources; a project using the packaged
   * library passes its own list (e.g. its `database/*.rules.json`, via `declaredCollections(dir)`).
   * With `projectRoot`, the default is that project's `database/*.rules.json`.
   */
  collections?: string[]
  /**
   * Let calls on a missing collection through (a write creates it) instead of failing with
   * -502005 as CloudBase does (default false); each such collection is named once in a warning.
   */
  autoCreateCollections?: boolean
}

/** The parts of a running emulator that routes and tests may use. */
export interface EmulatorHandles {
  wechat: SimulatedWeChat
  store: DocumentStore
  runner: Runner
  events: EmulatorEvents
  invocations: InvocationRegistry
  storage: Storage
}

export interface RunningEmulator extends EmulatorHandles {
  /** `http://127.0.0.1:<port>` */
  url: string
  adminUrl: string
  port: number
  env: string
  client: EmulatorClient
  /** The demo app's appid (its secret is only given to functions). */
  appid: string
  /** The demo users seeded on first start (empty if the data dir already existed). */
  seededUsers: TestUser[]
  stop(): Promise<void>
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? DEFAULTS.host
  const env = options.env ?? DEFAULTS.env
  const clock = options.clock ?? systemClock
  const projectRoot = options.projectRoot ? resolve(options.projectRoot) : undefined
  const functionsDir = resolve(options.functionsDir ?? (projectRoot ? readCloudfunctionRoot(projectRoot) : DEFAULT_FUNCTIONS_DIR))
  const log = options.quiet ? () => {} : (options.log ?? ((line: string) => console.log(line)))
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined

  const events = new EmulatorEvents()
  const invocations = createInvocationRegistry()
  const handles = { events, invocations } as Partial<EmulatorHandles> & { events: EmulatorEvents; invocations: InvocationRegistry }
  let seededUsers: TestUser[] = []
  let server: Server | undefined
  let url = ''

  const storeService: EmulatorService = {
    name: 'store',
    start: async () => {
      const store = (handles.store = await openStore({ dataDir, fresh: options.fresh, clock }))
      // Damage found in store.log is data loss, not progress: printed even when quiet.
      for (const line of store.recovery?.report ?? []) (options.log ?? console.warn)(line)
      // As a deployed project has them: created once, then kept in the log like any other.
      for (const c of options.collections ?? declaredCollections(projectRoot ? join(projectRoot, 'database') : undefined)) if (!store.hasCollection(c)) await store.createCollection(c)
    },
    stop: async () => handles.store?.close(),
  }

  const wechatService: EmulatorService = {
    name: 'wechat',
    start: async () => {
      handles.wechat = new SimulatedWeChat({
        dataDir,
        fresh: options.fresh,
        newWorld: options.newWeChat,
        // A missing wechat.json next to a database that refers to its users is refused.
        dependents: dataDir ? describeDocuments(handles.store!, dataDir) : undefined,
        seed: options.seed,
        clock,
        events,
        onFreshState: (wx) => {
          seededUsers = seedDemoUsers(wx)
        },
      })
    },
    stop: async () => handles.wechat?.flush(),
  }
  const announceNewWeChat = () => {
    const aside = handles.wechat?.setAsideAs
    if (aside) log(`Started a new simulated WeChat; the previous one is kept as ${aside}`)
  }

  const httpService: EmulatorService = {
    name: 'http',
    start: async () => {
      const h = handles as EmulatorHandles
      // The runner starts after the server (it needs the URL): actions reach it lazily.
      const lazyRunner = { invoke: (...args: Parameters<Runner['invoke']>) => h.runner.invoke(...args) }
      h.storage = createStorage({ env, dataDir, fresh: options.fresh, baseUrl: () => url, clock, maxFileBytes: options.maxFileBytes })
      const actions: ActionTable = {
        ...createDatabaseActions(h.store, {
          clock,
          autoCreateCollections: options.autoCreateCollections,
          // A fidelity warning, not progress: shown even when quiet.
          warn: options.log ?? ((line: string) => console.warn(line)),
        }),
        ...createWeChatActions(h.wechat),
        ...createFunctionActions(lazyRunner),
        ...h.storage.actions,
      }
      const builtIn: RouteHandler[] = [
        createAdminRoute({ actions, invocations, events }),
        createJscode2SessionRoute(h.wechat),
        createClientRoutes({
          wechat: h.wechat,
          functions: lazyRunner,
          db: h.store,
          onReset: async () => {
            await clearDatabase(h.store)
            await h.storage.files.clear()
          },
        }),
        h.storage.route,
      ]
      const extra = typeof options.routes === 'function' ? options.routes(h) : (options.routes ?? [])
      const guard = createRequestGuard({ listenHost: host, port: () => (server!.address() as AddressInfo).port })
      server = createServer((req, res) => void dispatch([...builtIn, ...extra], req, res, guard))
      server.keepAliveTimeout = DEFAULTS.keepAliveTimeoutMs
      server.headersTimeout = DEFAULTS.keepAliveTimeoutMs + 1000
      await new Promise<void>((ok, fail) => {
        server!.once('error', fail)
        server!.listen(options.port ?? 0, host, () => ok())
      })
      url = `http://${host}:${(server.address() as AddressInfo).port}`
    },
    stop: async () => {
      if (!server) return
      const s = server
      await new Promise<void>((ok) => {
        s.close(() => ok())
        s.closeAllConnections()
      })
    },
  }

  const runnerService: EmulatorService = {
    name: 'runner',
    start: async () => {
      const app = handles.wechat!.getApp()!
      const perFunction = wechatFunctionEnv({ appSecret: app.secret, apiBase: url })
      handles.runner = createRunner({
        functionsDir,
        adminUrl: `${url}/admin`,
        env,
        invocations,
        events,
        clock,
        poolSize: options.poolSize,
        defaultFunctionEnv: perFunction,
        dev: projectRoot ? { buildDir: join(projectRoot, DEFAULTS.buildDir), cwd: projectRoot, watch: options.watch } : undefined,
        onReload: options.onReload,
      })
    },
    stop: async () => handles.runner?.stop(),
  }

  const registry = new ServiceRegistry([storeService, wechatService, httpService, runnerService])
  await registry.startAll()
  announceNewWeChat()
  const h = handles as EmulatorHandles
  log(`phonebind emulator listening on ${url}`)
  if (!isLoopbackHostname(host)) {
    // Not silenced by `quiet`: anyone who can reach this address can drive the emulator.
    const warn = options.log ?? ((line: string) => console.warn(line))
    warn(
      `⚠ 警告 / WARNING: the emulator listens on ${host}, not loopback. It has no authentication: anyone who can reach ${url} can read session keys and change its data, and the Host check against DNS rebinding is off.`,
    )
  }
  return {
    ...h,
    url,
    adminUrl: `${url}/admin`,
    port: Number(new URL(url).port),
    env,
    client: new EmulatorClient(url),
    appid: h.wechat.defaultAppid,
    seededUsers,
    stop: () => registry.stopAll(),
  }
}

async function dispatch(routes: RouteHandler[], req: IncomingMessage, res: ServerResponse, guard: (req: IncomingMessage, url: URL) => Refusal | undefined): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://emulator.local')
    // Every request passes the same Origin/Host/Content-Type check before any route (./http/guard.ts).
    const refused = guard(req, url)
    if (refused) return refuse(res, refused)
    for (const route of routes) if (await route(req, res, url)) return
    if (url.pathname === '/' || url.pathname === '/healthz') sendJson(res, 200, { ok: true, name: 'phonebind emulator' })
    else sendJson(res, 404, { error: `no route ${req.method ?? ''} ${url.pathname}` })
  } catch (e) {
    console.error('[emulator] request failed:', e instanceof Error ? e.message : e)
    if (!res.headersSent) sendJson(res, 500, { error: 'internal emulator error' })
    else res.destroy()
  }
}

function refuse(res: ServerResponse, r: Refusal): void {
  // The body is not read: close the connection rather than leave it unread on a kept-alive socket.
  res.setHeader('connection', 'close')
  sendJson(res, r.status, { error: r.error })
}

/** "the database in <dir> holds N documents (users, …)", or undefined when it holds none. */
function describeDocuments(store: DocumentStore, dataDir: string): string | undefined {
  const counts = store.listCollections().map((c) => [c, store.count(c, {})] as const).filter(([, n]) => n > 0)
  const total = counts.reduce((sum, [, n]) => sum + n, 0)
  return total === 0 ? undefined : `the database in ${dataDir} holds ${total} document(s) (${counts.map(([c]) => c).join(', ')})`
}

/** `/client/control/reset` also empties the database, so a reset is a true first start. */
async function clearDatabase(store: DocumentStore): Promise<void> {
  for (const c of store.listCollections()) await store.remove(c, {}, { multi: true })
}

export { EmulatorClient } from './client'
export { declaredCollections } from './config'
export type { SimulatedWeChat } from './wechat/wechat'
