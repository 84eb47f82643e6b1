/**
 * @module emulator — the local WeChat + CloudBase emulator, composed.
 *
 * One HTTP server on 127.0.0.1 serves:
 *   POST /admin                 CloudBase `/admin` (database + wx.openApi + functions + storage actions)
 *   PUT/GET /storage/…          cloud storage's uploads and temp URLs (`./storage/`)
 *   GET  /sns/jscode2session    the simulated WeChat's code2Session
 *   /cgi-bin/stable_token, /cgi-bin/token, /wxa/charge/usage/get, /cgi-bin/webhook/send,
 *   /client/quota…, /client/webhooks, /client/timer   the cost guard (`./wechat/charge-routes.ts`)
 *   POST /tencentcloud/sms/     Tencent Cloud SMS `SendSms` for the real SDK; /client/sms/… its inboxes (`./sms/`)
 *   /client/…                   the simulated client (see `./wechat/client-routes.ts`)
 *   extra `routes`              e.g. the console (`/console`)
 * Every request first passes `./http/guard.ts` (Origin, loopback Host, body Content-Type).
 * Each service is a module behind one lifecycle (`EmulatorService`: start, stop, info); only
 * the registry (`./registry.ts`) starts them, in order (store → wechat → storage → sms → http →
 * runner), and stops them in reverse.
 */
import { join, resolve } from 'node:path'
import { EmulatorClient } from './client'
import { DEFAULTS, DEFAULT_FUNCTIONS_DIR, declaredCollections, readCloudfunctionRoot, smsFunctionEnv, wechatFunctionEnv } from './config'
import { EmulatorEvents } from './events'
import { HttpService } from './http/service'
import { isLoopbackHostname } from './http/guard'
import { createInvocationRegistry } from './invocations'
import { ServiceRegistry } from './registry'
import { createFunctionActions, FUNCTION_NAME, readFunctionConfigCached, type ReloadReport, type Runner } from './runner'
import { RunnerService } from './runner/service'
import type { Storage } from './storage'
import { SmsService } from './sms/service'
import type { SmsState } from './sms/state'
import { StorageService } from './storage/service'
import type { DocumentStore } from './store'
import { StoreService } from './store/service'
import { createAdminRoute, createDatabaseActions } from './tcb'
import { systemClock, type ActionTable, type Clock, type InvocationRegistry, type RouteHandler, type ServiceInfo } from './types'
import { createChargeRoutes } from './wechat/charge-routes'
import { createClientRoutes } from './wechat/client-routes'
import { createJscode2SessionRoute } from './wechat/http'
import { createWeChatActions } from './wechat/openapi'
import { WeChatService } from './wechat/service'
import type { TestUser, WeChatApp } from './wechat/state'
import type { SimulatedWeChat } from './wechat/wechat'

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
  /** The simulated Tencent Cloud SMS: account, inboxes, faults. */
  sms: SmsState
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
  /** Each service's name and address (URL, data folder, functions folder), in start order. */
  services: ServiceInfo[]
  stop(): Promise<void>
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? DEFAULTS.host
  const env = options.env ?? DEFAULTS.env
  const clock = options.clock ?? systemClock
  const projectRoot = options.projectRoot ? resolve(options.projectRoot) : undefined
  const functionsDir = resolve(options.functionsDir ?? (projectRoot ? readCloudfunctionRoot(projectRoot) : DEFAULT_FUNCTIONS_DIR))
  const log = options.quiet ? () => {} : (options.log ?? ((line: string) => console.log(line)))
  // Fidelity warnings and data loss, not progress: shown even when quiet.
  const warn = options.log ?? ((line: string) => console.warn(line))
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined
  const events = new EmulatorEvents()
  const invocations = createInvocationRegistry()
  const baseUrl = () => http.url

  // Each service gets the others it needs; the registry starts them in this order.
  const store = new StoreService({
    dataDir,
    fresh: options.fresh,
    clock,
    collections: () => options.collections ?? declaredCollections(projectRoot ? join(projectRoot, 'database') : undefined),
    warn,
  })
  const wechat = new WeChatService({
    dataDir,
    fresh: options.fresh,
    newWeChat: options.newWeChat,
    seed: options.seed,
    clock,
    events,
    // A missing wechat.json next to a database that refers to its users is refused.
    dependents: dataDir ? () => describeDocuments(store.store, dataDir) : undefined,
    baseUrl,
  })
  const storage = new StorageService({ env, dataDir, fresh: options.fresh, baseUrl, clock, maxFileBytes: options.maxFileBytes })
  const sms = new SmsService({ clock, baseUrl })
  const runner = new RunnerService({
    functionsDir,
    adminUrl: () => `${http.url}/admin`,
    env,
    invocations,
    events,
    clock,
    poolSize: options.poolSize,
    defaultFunctionEnv: () => {
      const app = defaultApp(wechat.wechat)
      return { ...wechatFunctionEnv({ appSecret: app.secret, apiBase: http.url, appid: app.appid }), ...smsFunctionEnv(sms.state.account, sms.endpoint()) }
    },
    dev: projectRoot ? { buildDir: join(projectRoot, DEFAULTS.buildDir), cwd: projectRoot, watch: options.watch } : undefined,
    onReload: options.onReload,
  })
  /** Read through the services, so a route built before the runner starts still reaches it. */
  const handles: EmulatorHandles = {
    events,
    invocations,
    get store() {
      return store.store
    },
    get wechat() {
      return wechat.wechat
    },
    get storage() {
      return storage.storage
    },
    get runner() {
      return runner.runner
    },
    get sms() {
      return sms.state
    },
  }
  const http = new HttpService({
    host,
    port: options.port ?? 0,
    routes: () => {
      const actions: ActionTable = {
        ...createDatabaseActions(store.store, { clock, autoCreateCollections: options.autoCreateCollections, warn }),
        ...createWeChatActions(wechat.wechat),
        ...createFunctionActions(runner),
        ...storage.storage.actions,
      }
      const builtIn: RouteHandler[] = [
        createAdminRoute({ actions, invocations, events }),
        createJscode2SessionRoute(wechat.wechat),
        // Before the client routes: they answer 404 for any /client path they do not know.
        createChargeRoutes({
          wechat: wechat.wechat,
          functions: runner,
          // Read from the function's folder like the runner reads its timeout: a config.json edited
          // under `phonebind dev` counts at the next fire.
          timerTriggers: (name) => (FUNCTION_NAME.test(name) ? readFunctionConfigCached(join(functionsDir, name)).timerTriggers : []),
        }),
        ...sms.routes(),
        createClientRoutes({
          wechat: wechat.wechat,
          functions: runner,
          db: store.store,
          onReset: async () => {
            await clearDatabase(store.store)
            await storage.storage.files.clear()
            sms.state.reset()
          },
        }),
        storage.storage.route,
      ]
      const extra = typeof options.routes === 'function' ? options.routes(handles) : (options.routes ?? [])
      return [...builtIn, ...extra]
    },
  })

  // The runner starts after the server: the functions' environment carries its URL.
  const registry = new ServiceRegistry([store, wechat, storage, sms, http, runner])
  await registry.startAll()
  const aside = wechat.wechat.setAsideAs
  if (aside) log(`Started a new simulated WeChat; the previous one is kept as ${aside}`)
  const url = http.url
  log(`phonebind emulator listening on ${url}`)
  if (!isLoopbackHostname(host)) {
    // Not silenced by `quiet`: anyone who can reach this address can drive the emulator.
    warn(
      `⚠ 警告 / WARNING: the emulator listens on ${host}, not loopback. It has no authentication: anyone who can reach ${url} can read session keys and change its data, and the Host check against DNS rebinding is off.`,
    )
  }
  return {
    ...handles,
    url,
    adminUrl: `${url}/admin`,
    port: Number(new URL(url).port),
    env,
    client: new EmulatorClient(url),
    appid: wechat.wechat.defaultAppid,
    seededUsers: wechat.seededUsers,
    services: registry.info(),
    stop: () => registry.stopAll(),
  }
}

/** The app a fresh WeChat creates first; a loaded `wechat.json` without it is damaged. */
function defaultApp(wx: SimulatedWeChat): WeChatApp {
  const app = wx.getApp()
  if (!app) throw new Error(`the simulated WeChat has no default app (${wx.defaultAppid}); start it with --new-wechat`)
  return app
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
