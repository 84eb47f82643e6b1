/**
 * Shared set-up for the mini program suites. `wx.cloud` is the only thing replaced: it is the edge
 * to CloudBase that cannot be reached from jsdom. Everything else is simulate's `wx`.
 *
 * The component and its services are loaded as a user's mini program gets them: the built
 * phonebind-weapp package in miniprogram/miniprogram_npm/ (written by `npm run build`: the
 * package build, then 构建npm with miniprogram-ci). Nothing here reads packages/weapp/src.
 */
import * as fs from 'fs'
import * as path from 'path'
import simulate from 'miniprogram-simulate'
import type { BindData, PhoneView } from '../../core/contracts'
import type { NeedPrivacyListener } from '../../packages/weapp/src/types/wechat'
import type * as Weapp from '../../packages/weapp/src/index'

export const ROOT = path.resolve(__dirname, '../../miniprogram')
export const NPM_DIR = path.join(ROOT, 'miniprogram_npm')
export const PHONE_AUTH = path.join(NPM_DIR, 'phonebind-weapp/phone-auth/index')

function builtPackage(): string {
  const entry = path.join(NPM_DIR, 'phonebind-weapp', 'index.js')
  if (!fs.existsSync(entry)) throw new Error(`${path.relative(process.cwd(), entry)} is missing: run \`npm run build\` (it builds phonebind-weapp and runs 构建npm)`)
  return entry
}

/** The package's JS API, the same module instances the component uses (as `require('phonebind-weapp')` in the app). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const weapp: typeof Weapp = require(builtPackage())

/** The component's outcome texts, from the built package. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const outcomes: typeof import('../../packages/weapp/src/phone-auth/outcomes') = require(path.join(NPM_DIR, 'phonebind-weapp/phone-auth/outcomes'))

/**
 * Where WeChat finds a `usingComponents` entry: '/x' from the mini program root, './x' and '../x'
 * from the file, anything else relative first and then as an npm path in the nearest
 * miniprogram_npm/ up to the root. Returns the base path (no extension) or null.
 */
export function resolveUsingComponent(jsonFile: string, target: string, root: string = ROOT): string | null {
  const exists = (base: string) => fs.existsSync(`${base}.json`)
  if (target.startsWith('/')) return exists(path.join(root, target)) ? path.join(root, target) : null
  const relative = path.resolve(path.dirname(jsonFile), target)
  if (exists(relative)) return relative
  if (target.startsWith('.')) return null
  for (let dir = path.dirname(jsonFile); ; dir = path.dirname(dir)) {
    for (const base of [path.join(dir, 'miniprogram_npm', target), path.join(dir, 'miniprogram_npm', target, 'index')]) if (exists(base)) return base
    if (path.relative(root, dir) === '' || !dir.startsWith(root)) return null
  }
}

/** simulate resolves only '/x' and relative paths: npm entries of the page's usingComponents are
 * handed to it already resolved, the way WeChat resolves them. */
export function loadPage(page: string): string {
  const jsonFile = path.join(ROOT, `${page}.json`)
  const using: Record<string, string> = JSON.parse(fs.readFileSync(jsonFile, 'utf8')).usingComponents ?? {}
  const resolved: Record<string, string> = {}
  for (const [tag, target] of Object.entries(using)) {
    const base = resolveUsingComponent(jsonFile, target)
    if (!base) throw new Error(`${page}.json: <${tag}> → ${target} does not resolve`)
    resolved[tag] = `/${path.relative(ROOT, base).split(path.sep).join('/')}`
  }
  return simulate.load(path.join(ROOT, page), { rootPath: ROOT, usingComponents: resolved })
}

/** The phone-auth component from the built package. */
export function loadPhoneAuth(): string {
  return simulate.load(PHONE_AUTH, { rootPath: ROOT })
}

/** Replaces the built-in `<button>` stub so `disabled`, `loading`, `open-type` … can be read. */
export function overrideButton(): void {
  simulate.load({
    id: 'button',
    tagName: 'wx-button',
    template: '<slot/>',
    properties: {
      openType: String,
      disabled: Boolean,
      loading: Boolean,
      phoneNumberNoQuotaToast: { type: Boolean, value: true },
      ariaLabel: String,
    },
  })
}

export interface FakeCloud {
  init: jest.Mock
  callFunction: jest.Mock
  CloudID: jest.Mock
}

/**
 * Installs a fake `wx.cloud`. `CloudID` returns a tagged object, as the real one returns an opaque instance.
 * Each call stands for a fresh launch: the package forgets the binding earlier answers reported
 * (phone-auth hides its button for a bound user) — simulate's `wx` storage keeps nothing anyway.
 */
export function installCloud(callFunction: jest.Mock = jest.fn()): FakeCloud {
  weapp.resetSession()
  const cloud: FakeCloud = {
    init: jest.fn(),
    callFunction,
    CloudID: jest.fn((cloudID: string) => ({ __cloudIDWrapper: true, cloudID })),
  }
  ;(wx as unknown as { cloud: FakeCloud }).cloud = cloud
  return cloud
}

export function removeCloud(): void {
  delete (wx as unknown as { cloud?: unknown }).cloud
}

/** What `callFunction` resolves to for a function result. */
export const resolved = (result: unknown) => ({ errMsg: 'cloud.callFunction:ok', result, requestID: 'req-1' })

/** What `callFunction` rejects with (an Error carrying errCode, as the real client does). */
export function rejection(errCode: number, errMsg: string): Error & { errCode: number; errMsg: string } {
  return Object.assign(new Error(errMsg), { errCode, errMsg })
}

export const FULL_NUMBER = '13800138000'
export function phoneView(source: PhoneView['source'] = 'code'): PhoneView {
  return { masked: '138****8000', countryCode: '86', source, verifiedAt: '2026-11-23T09:00:00.000Z' }
}
export const bindOk = (source: PhoneView['source'] = 'code', change: BindData['change'] = 'bound') =>
  resolved({ ok: true, data: { phone: phoneView(source), change } })

/** A promise plus its resolver, to hold a cloud call in flight. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => { resolve = r })
  return { promise, resolve }
}

/** Sets the base-library version simulate reports. */
export function setSdkVersion(version: string): void {
  ;(wx as unknown as { getAppBaseInfo: () => unknown }).getAppBaseInfo = () => ({ SDKVersion: version, host: { env: 'WeChat' } })
}

/** Lets queued microtasks and simulate's async dispatch finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await simulate.sleep(0)
}

export interface JsonNode {
  tagName: string
  attrs: Array<{ name: string; value: unknown }>
  children: Array<JsonNode | string>
}

/** Every node of a `toJSON()` tree whose class list contains `className`. */
export function nodesWithClass(root: JsonNode, className: string): JsonNode[] {
  const out: JsonNode[] = []
  const walk = (node: JsonNode | string) => {
    if (typeof node === 'string') return
    const cls = node.attrs.find((a) => a.name === 'class')
    if (cls && String(cls.value).split(/\s+/).includes(className)) out.push(node)
    node.children.forEach(walk)
  }
  walk(root)
  return out
}

export const attr = (node: JsonNode | undefined, name: string): unknown => node?.attrs.find((a) => a.name === name)?.value

/** Collects every console line written during a test, to prove nothing sensitive is logged. */
export function captureConsole(): { lines: string[]; restore: () => void } {
  const lines: string[] = []
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
    jest.spyOn(console, m).mockImplementation((...args: unknown[]) => { lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')) }),
  )
  return { lines, restore: () => spies.forEach((s) => s.mockRestore()) }
}

/** Renders and attaches a phone-auth (registered as `id`), recording its outcome events; `sheet()` finds the privacy sheet. */
export function mountPhoneAuth(id: string, props: Record<string, unknown> = {}) {
  const comp = simulate.render(id, props)
  const events: Array<{ name: string; detail: any }> = []
  for (const name of ['bound', 'failed', 'denied']) comp.addEventListener(name, (e: { detail: unknown }) => events.push({ name, detail: e.detail }))
  comp.attach(document.createElement('parent-wrapper'))
  const sheet = () => nodesWithClass(comp.toJSON() as unknown as JsonNode, 'privacy')
  return { comp, events, sheet }
}

/** WeChat's privacy APIs, faked (one definition for the privacy suites): `getPrivacySetting` answers
 * with `needAuthorization` and the contract's name; `onNeedPrivacyAuthorization` keeps only the last
 * listener, as WeChat does. `trigger` is what WeChat does when a privacy API or component needs consent. */
export function installPrivacy(needAuthorization = false, privacyContractName = '《示例小程序隐私保护指引》') {
  let current: NeedPrivacyListener | null = null
  const mocks = {
    getPrivacySetting: jest.fn((o: { success: (r: unknown) => void }) => o.success({ needAuthorization, privacyContractName })),
    onNeedPrivacyAuthorization: jest.fn((l: NeedPrivacyListener) => { current = l }),
    openPrivacyContract: jest.fn(),
  }
  Object.assign(wx as unknown as Record<string, unknown>, mocks)
  const trigger = (referrer?: string) => {
    const resolve = jest.fn()
    if (!current) throw new Error('no listener registered: the official popup would show')
    current(resolve, referrer === undefined ? {} : { referrer })
    return resolve
  }
  return { ...mocks, listener: () => mocks.onNeedPrivacyAuthorization.mock.calls.at(-1)![0] as NeedPrivacyListener, trigger }
}

/** Takes the fakes of {@link installPrivacy} away again. */
export function removePrivacy(): void {
  for (const k of ['getPrivacySetting', 'onNeedPrivacyAuthorization', 'openPrivacyContract']) delete (wx as unknown as Record<string, unknown>)[k]
}

/**
 * The set-up the phone-auth privacy suites share: the button stand-in and phone-auth loaded once
 * per file, and after each test WeChat's privacy APIs, `wx.cloud` and `wx.getAppBaseInfo` put back
 * (tests replace the last to pick a base library). Returns the component's registered id.
 */
export function phoneAuthPrivacySuite(): () => string {
  let id: string | undefined
  const savedBaseInfo = wx.getAppBaseInfo
  beforeAll(() => {
    overrideButton()
    id = loadPhoneAuth()
  })
  afterEach(() => {
    removePrivacy()
    ;(wx as unknown as Record<string, unknown>).getAppBaseInfo = savedBaseInfo
    removeCloud()
  })
  return () => id!
}

/**
 * Every phone-auth under `scope` on a rendered page, found through its phone button (`>>>` crosses
 * any wrapper a framework puts around it): the native button's data (open-type, disabled) and the
 * properties the phone-auth instance holding it received. For the framework suites: a prop set on
 * a framework's wrapper must arrive here.
 */
export function phoneAuthsIn(page: { querySelectorAll(selector: string): unknown[] }, scope: string): Array<{ button: Record<string, unknown>; props: Record<string, unknown> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exparser = require('miniprogram-exparser') as { Element: { getMethodCaller(node: unknown): { data: Record<string, unknown> } | undefined } }
  return (page.querySelectorAll(`${scope} >>> .phone-btn`) as Array<{ data: Record<string, unknown>; _exparserNode: { ownerShadowRoot: { getHostNode(): unknown } } }>).map((b) => ({
    button: b.data,
    props: exparser.Element.getMethodCaller(b._exparserNode.ownerShadowRoot.getHostNode())?.data ?? {},
  }))
}
