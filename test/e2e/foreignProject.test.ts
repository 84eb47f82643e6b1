/**
 * Issue 11, "tested as a new user would": an ordinary existing mini program (the foreign project
 * fixture: plain JS, its own `todos` function on wx-server-sdk ~2.6.3) takes phonebind the way the
 * READMEs say, from the `npm pack` tarballs, and nothing of the repository's sources:
 *
 *  1. `npm pack` phonebind and phonebind-weapp;
 *  2. a temp copy of the fixture installs them (`npm i <weapp.tgz>`, `npm i -D <phonebind.tgz>`),
 *     and its own function's dependency (wx-server-sdk ~2.6.3, from the shared SDK cache);
 *  3. `phonebind init --yes` twice: the second run changes nothing, no user file is touched;
 *  4. `<phone-auth>` goes on the profile page as the package README shows;
 *  5. 构建npm (miniprogram-ci packNpmManually, per the project.config.json init wrote), then
 *     WeChat's compilers (miniprogram-ci's compile, wcc, wcsc) over the result;
 *  6. `phonebind dev` (the installed dist/cli.js) runs the project; the real component from
 *     miniprogram_npm, under miniprogram-simulate with `wx` backed by the emulator's simulated
 *     client, binds a phone (and a deny reaches `denied`); the project's own `todos` still works.
 *
 * jsdom (the component needs a DOM): everything Node-only runs in child processes. Needs
 * `npm run build` first (the tarballs are packed with --ignore-scripts so that no other suite sees
 * a package rebuilt under its feet), and npm's cache or the registry for the installs.
 */
import { execFile, spawnSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import simulate from 'miniprogram-simulate'
import { EmulatorClient, type EmulatorUser, type TapOptions } from '../../emulator/client'
import { FIXTURE, cleanupFixtures, copyFixture, hashTree } from '../cli/fixture'
import { installedSdk, linkNodeModules } from '../dev/sdkCache'
import { initTwice, lapTimer, npmInstall, pack, REPO, requireBuiltPackages, startDev, type DevServer, type InitRun } from '../frameworks/fixtureProject'
import { routeWxToEmulator } from '../miniprogram/emulatorWx'
import { nodeFetch } from '../miniprogram/nodeFetch'
import { overrideButton, resolveUsingComponent, setSdkVersion } from '../miniprogram/helpers'
import { compileWithMiniprogramCi, runWcc, runWcsc, type CompiledProject } from '../miniprogram/wechatCompilers'

jest.setTimeout(60_000)

const TSX = path.join(REPO, 'node_modules/tsx/dist/cli.mjs')
const wxAny = wx as unknown as Record<string, unknown>
const lap = lapTimer('foreign project')

let packDir: string
let tarballs: { phonebind: string; weapp: string }
let project: string
let mpRoot: string
let cli: string
let userFiles: Map<string, string>
let inits: InitRun[] = []
let packReport: { miniprogramPackages: number; otherPackages: number; warnings: string[]; error?: string }
let compiled: CompiledProject
/** miniprogram-ci's refusal, if any: reported by its own test, so the dev-server tests still run. */
let compileError: string | undefined
let dev: DevServer | undefined
const serverOut = () => dev?.output() ?? ''
let client: EmulatorClient

/** Step 4, as packages/weapp/README.md "Use" shows it, on the user's profile page (plain JS). */
function addPhoneAuthToProfile(): void {
  const page = path.join(mpRoot, 'pages/profile/index')
  const json = JSON.parse(fs.readFileSync(`${page}.json`, 'utf8'))
  json.usingComponents = { ...json.usingComponents, 'phone-auth': 'phonebind-weapp/phone-auth/index' }
  fs.writeFileSync(`${page}.json`, JSON.stringify(json, null, 2) + '\n')
  const wxml = fs.readFileSync(`${page}.wxml`, 'utf8').replace(/<\/view>\s*$/, [
    '  <view class="card">',
    '    <text class="label">手机号</text>',
    '    <text class="phone">{{masked}}</text>',
    '  </view>',
    '  <phone-auth bind:bound="onBound" bind:failed="onFailed" bind:denied="onDenied" />',
    '</view>',
    '',
  ].join('\n'))
  fs.writeFileSync(`${page}.wxml`, wxml)
  const js = fs.readFileSync(`${page}.js`, 'utf8').replace(/\n\}\);\s*$/, [
    '',
    '  onBound(e) {',
    '    this.setData({ masked: e.detail.phone.masked });',
    '  },',
    '',
    '  onDenied() {',
    "    wx.showToast({ title: '可稍后再绑定手机号', icon: 'none' });",
    '  },',
    '',
    '  onFailed(e) {',
    "    console.warn('[phone-auth]', e.detail.error.code);",
    '  },',
    '});',
    '',
  ].join('\n'))
  fs.writeFileSync(`${page}.js`, js)
}

beforeAll(async () => {
  ;(globalThis as unknown as { fetch: unknown }).fetch = nodeFetch
  requireBuiltPackages()
  // 1. the tarballs
  packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phonebind-e2e-pack-'))
  tarballs = { phonebind: pack('phonebind', packDir), weapp: pack('weapp', packDir) }
  lap('packed')

  // 2. the user's project installs them, and its function's own dependencies
  project = copyFixture(false)
  mpRoot = path.join(project, 'miniprogram')
  const sdk = installedSdk('~2.6.3')
  await npmInstall(project, tarballs.weapp)
  await npmInstall(project, '--save-dev', tarballs.phonebind)
  linkNodeModules(path.join(project, 'cloudfunctions/todos'), (await sdk).nodeModules)
  cli = path.join(project, 'node_modules/phonebind/dist/cli.js')
  userFiles = hashTree(project)
  lap('installed')

  // 3. init, twice
  inits = initTwice(cli, project)
  lap('init ×2')

  // 4. the component on a page; 5. 构建npm and WeChat's compilers
  addPhoneAuthToProfile()
  const packed = await new Promise<string>((resolve) =>
    execFile(process.execPath, [TSX, path.join(__dirname, 'packNpm.ts'), project], { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve(stdout.trim().split('\n').pop() || JSON.stringify({ error: `${err?.message}: ${stderr}` }))))
  packReport = JSON.parse(packed)
  lap('构建npm')
  dev = startDev(cli, project)
  const [url] = await Promise.all([dev.ready, compileWithMiniprogramCi(project).then((c) => { compiled = c; lap('compiled') }, (e: Error) => { compileError = e.message })])
  // The repository's client (the same source the package bundles): the installed library entry
  // bundles the whole emulator, which does not load under jsdom (no TextDecoder); the last test
  // uses the installed package's client from a Node process, as a user's own tests would.
  client = new EmulatorClient(url)
  lap('dev started')
}, 240_000)

afterAll(async () => {
  await dev?.stop()
  cleanupFixtures()
  for (const d of [packDir, compiled?.dir]) if (d) fs.rmSync(d, { recursive: true, force: true })
  lap('done')
})

describe('installing and init', () => {
  test('both packages come from their tarballs: phonebind-weapp a dependency, phonebind a devDependency', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'))
    expect(pkg.dependencies).toEqual({ 'phonebind-weapp': expect.stringMatching(/^file:.*phonebind-weapp-.*\.tgz$/) })
    expect(pkg.devDependencies).toEqual({ phonebind: expect.stringMatching(/^file:.*phonebind-.*\.tgz$/) })
    expect(fs.lstatSync(path.join(project, 'node_modules/phonebind-weapp')).isSymbolicLink()).toBe(false)
  })

  test('init --yes succeeds, prints the next steps, and a second run changes nothing', () => {
    expect(inits.map((r) => [r.code, r.err])).toEqual([[0, ''], [0, '']])
    expect(inits[0]!.out).toContain('"phone-auth": "phonebind-weapp/phone-auth/index"')
    expect(inits[0]!.out).toMatch(/构建npm/)
    expect(inits[1]!.tree).toEqual(inits[0]!.tree)
    for (const fn of ['login', 'getPhoneNumber', 'getOpenData', 'unbindPhone']) expect(inits[0]!.tree.has(`cloudfunctions/${fn}/config.json`)).toBe(true)
  })

  test('no file the user wrote changes (project.config.json only gains the 构建npm setting)', () => {
    const after = inits[0]!.tree
    for (const [f, h] of userFiles) if (f !== 'project.config.json') expect([f, after.get(f)]).toEqual([f, h])
    const config = JSON.parse(fs.readFileSync(path.join(project, 'project.config.json'), 'utf8'))
    const original = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'project.config.json'), 'utf8'))
    expect(config).toMatchObject({ appid: original.appid, miniprogramRoot: original.miniprogramRoot, cloudfunctionRoot: original.cloudfunctionRoot })
    expect(config.setting).toMatchObject({ packNpmManually: true, packNpmRelationList: [{ packageJsonPath: expect.any(String), miniprogramNpmDistDir: expect.any(String) }] })
  })
})

describe('构建npm and WeChat\'s compilers', () => {
  test('packNpmManually copies phonebind-weapp (and nothing of the devDependencies) into miniprogram_npm', () => {
    expect(packReport).toEqual({ miniprogramPackages: 1, otherPackages: 0, warnings: [] })
    expect(fs.readdirSync(path.join(mpRoot, 'miniprogram_npm'))).toEqual(['phonebind-weapp'])
    expect(fs.existsSync(path.join(mpRoot, 'miniprogram_npm/phonebind-weapp/phone-auth/index.json'))).toBe(true)
  })

  test('miniprogram-ci compiles the project, the npm component and the user\'s pages included', () => {
    expect(compileError).toBeUndefined()
    expect(compiled.files).toEqual(expect.arrayContaining([
      'app.js', 'pages/index/index.js', 'pages/profile/index.js', 'pages/profile/index.json',
      'miniprogram_npm/phonebind-weapp/phone-auth/index.js', 'miniprogram_npm/phonebind-weapp/phone-auth/index.wxml',
    ]))
    // The compiled page resolves the component through miniprogram_npm, as the client will.
    const pageJson = JSON.parse(fs.readFileSync(path.join(compiled.dir, 'pages/profile/index.json'), 'utf8'))
    expect(pageJson.usingComponents['phone-auth']).toMatch(/phonebind-weapp\/phone-auth\/index$/)
  })

  test('wcc compiles every WXML file and wcsc every WXSS file', () => {
    expect(compileError).toBeUndefined()
    const wxml = compiled.files.filter((f) => f.endsWith('.wxml'))
    expect(wxml).toEqual(expect.arrayContaining(['pages/profile/index.wxml', 'miniprogram_npm/phonebind-weapp/phone-auth/index.wxml']))
    const wcc = runWcc(compiled.dir, wxml)
    expect({ status: wcc.status, stderr: wcc.stderr }).toEqual({ status: 0, stderr: '' })
    expect(wcc.stdout).toContain("'pages/profile/index.wxml'")
    const wxss = compiled.files.filter((f) => f.endsWith('.wxss'))
    const wcsc = runWcsc(compiled.dir, wxss)
    expect({ status: wcsc.status, stderr: wcsc.stderr }).toEqual({ status: 0, stderr: '' })
    expect(wcsc.stdout).toContain('miniprogram_npm/phonebind-weapp/phone-auth/index.wxss')
  })
})

describe('phonebind dev: the real component from miniprogram_npm, and the project\'s own function', () => {
  // The package as the app's `require('phonebind-weapp')` gets it: the module instances the component uses.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const weapp = () => require(path.join(mpRoot, 'miniprogram_npm/phonebind-weapp/index.js')) as typeof import('../../packages/weapp/src/index')
  let pageId: string

  /** simulate resolves only '/x' and relative paths: the page's npm entries resolved as WeChat does. */
  function loadProfile(): string {
    const jsonFile = path.join(mpRoot, 'pages/profile/index.json')
    const using: Record<string, string> = JSON.parse(fs.readFileSync(jsonFile, 'utf8')).usingComponents
    const resolved: Record<string, string> = {}
    for (const [tag, target] of Object.entries(using)) {
      const base = resolveUsingComponent(jsonFile, target, mpRoot)
      if (!base) throw new Error(`<${tag}> → ${target} does not resolve`)
      resolved[tag] = `/${path.relative(mpRoot, base).split(path.sep).join('/')}`
    }
    return simulate.load(path.join(mpRoot, 'pages/profile/index'), { rootPath: mpRoot, usingComponents: resolved })
  }

  /** `wx` routed to the emulator as `user`, where the platform would route it. */
  function actAs(user: EmulatorUser): void {
    setSdkVersion(user.baseLibrary)
    routeWxToEmulator(() => client, () => user.openid)
  }

  async function openProfile(user: EmulatorUser) {
    actAs(user)
    weapp().resetSession()
    // What the README's App.onLaunch does: cloud init, then the phonebind session.
    expect(weapp().initCloud('todo-prod-4g7x2k9d1c3b5a6e')).toBe(true)
    const session = await weapp().startSession({ legacy: false })
    const page = simulate.render(pageId)
    page.attach(document.createElement('parent-wrapper'))
    return { page, session, text: () => page.dom!.textContent ?? '' }
  }

  const handlerCalls: Array<{ name: string; detail: any }> = []

  /** The user taps the phone button: WeChat (the emulator) makes the detail, the component handles it,
   * and one of the page's handlers is called. The README's tag has no class or id: the button is
   * found across the component's shadow root (`>>>`). */
  async function tapPhone(page: ReturnType<typeof simulate.render>, user: EmulatorUser, tap: TapOptions) {
    handlerCalls.length = 0
    const detail = await client.tapPhoneButton(user.openid, tap)
    const button = page.querySelector('.container >>> .phone-btn')
    if (!button) throw new Error('no .phone-btn inside <phone-auth> on the page')
    button.dispatchEvent('getphonenumber', { detail })
    const handlers = ['onBound', 'onDenied', 'onFailed']
    const until = Date.now() + 15_000
    while (!handlerCalls.some((c) => handlers.includes(c.name)) && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
    await simulate.sleep(0)
    return handlerCalls.filter((c) => handlers.includes(c.name))
  }

  const userDoc = async (openid: string) => (await client.db<{ _id: string; phone?: { masked: string; source: string } }>('users')).find((u) => u._id === openid)

  beforeAll(() => {
    overrideButton()
    // simulate knows only Component(); a Page() page is what WeChat runs as a Component whose page
    // lifecycles (onLoad, onShow …) are methods — the same shape the root demo's pages are written in.
    // Only this shim is the test's: the Page() file itself went through WeChat's compilers above.
    ;(globalThis as unknown as { Page: unknown }).Page = (options: Record<string, unknown>) => {
      const { data, ...rest } = options
      // Each handler is recorded as it is called: the component's events reach the test through the
      // page's own bind:bound / bind:denied handlers, as they reach the user's code.
      const methods = Object.fromEntries(Object.entries(rest).filter(([, v]) => typeof v === 'function').map(([name, fn]) => [name, function (this: unknown, ...args: unknown[]) {
        handlerCalls.push({ name, detail: (args[0] as { detail?: unknown } | undefined)?.detail })
        return (fn as (...a: unknown[]) => unknown).apply(this, args)
      }]))
      return Component({ data: data as Record<string, unknown>, methods } as never)
    }
    pageId = loadProfile()
  })

  test('tap → allow: `bound` reaches the page\'s onBound with the masked number, and the binding is in the database', async () => {
    const user = await client.createUser({ purePhoneNumber: '13800138000', countryCode: '86' })
    const { page, session, text } = await openProfile(user)
    expect(session.ok).toBe(true)
    const events = await tapPhone(page, user, { outcome: 'allow' })
    expect(events).toEqual([{ name: 'onBound', detail: expect.objectContaining({ source: expect.any(String), change: 'bound' }) }])
    expect(events[0].detail.phone.masked).toBe('138****8000')
    expect(page.instance.data.masked).toBe('138****8000') // the user's handler ran
    expect(text()).toContain('138****8000')
    expect(text()).not.toContain('13800138000')
    expect((await userDoc(user.openid))?.phone).toMatchObject({ masked: '138****8000' })
    expect((await client.db<{ openid: string }>('phone_index')).map((d) => d.openid)).toContain(user.openid)
  })

  test('tap → deny: `denied` reaches the page, nothing is bound', async () => {
    const user = await client.createUser({ purePhoneNumber: '13900139000', countryCode: '86' })
    const { page } = await openProfile(user)
    const toasts: unknown[] = []
    const savedToast = wx.showToast
    wxAny.showToast = (o: unknown) => { toasts.push(o) }
    try {
      const events = await tapPhone(page, user, { outcome: 'deny', platform: 'android' })
      expect(events).toEqual([{ name: 'onDenied', detail: expect.objectContaining({ source: 'phone-button', error: expect.objectContaining({ code: 'USER_DENIED' }) }) }])
    } finally {
      wxAny.showToast = savedToast
    }
    expect(toasts).toEqual([expect.objectContaining({ title: '可稍后再绑定手机号' })]) // the user's onDenied ran
    expect((await userDoc(user.openid))?.phone ?? null).toBeNull()
  })

  test('the project\'s own `todos` function (wx-server-sdk ~2.6.3) still works beside phonebind\'s', async () => {
    // As the user does in the cloud console (云开发控制台 → 数据库 → 添加集合): the collection must exist.
    if (!(await client.collections()).includes('todos')) await client.createCollection('todos')
    const user = await client.createUser({ purePhoneNumber: '13700137000', countryCode: '86' })
    const added = await client.callFunction(user.openid, 'todos', { action: 'add', title: '买牛奶' })
    expect(added.result).toEqual({ id: expect.any(String) })
    const listed = await client.callFunction(user.openid, 'todos', { action: 'list' })
    expect((listed.result as { todos: Array<{ title: string; _openid: string }> }).todos).toEqual([expect.objectContaining({ title: '买牛奶', _openid: user.openid, done: false })])
    // And through the page's own onShow (wx.cloud.callFunction backed by the emulator).
    const { page } = await openProfile(user)
    page.instance.onShow()
    const until = Date.now() + 10_000
    while (page.instance.data.count !== 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
    expect(page.instance.data.count).toBe(1)
    // A user's own Node test: `require('phonebind')` from the project, its EmulatorClient, the same function.
    const script = `const { EmulatorClient } = require('phonebind');
      new EmulatorClient(process.argv[1]).callFunction(process.argv[2], 'todos', { action: 'count' })
        .then((r) => console.log(JSON.stringify(r.result)), (e) => { console.error(e.message); process.exit(1) })`
    const own = spawnSync(process.execPath, ['-e', script, client.baseUrl, user.openid], { cwd: project, encoding: 'utf8' })
    expect({ status: own.status, stderr: own.stderr, out: own.stdout.trim() }).toEqual({ status: 0, stderr: '', out: '{"count":1}' })
    expect(serverOut()).not.toMatch(/Error|错误/)
  })
})
