/**
 * Issue 13, uni-app half, "tested as a new user would": an ordinary uni-app (Vue 3 + Vite) project
 * (test/fixtures/uniapp-project: two pages, its own `orders` function on wx-server-sdk ~2.6.3,
 * @dcloudio/* 3.0.0-4080720251210001 from its own lock file) takes phonebind from the `npm pack`
 * tarballs, and is built with uni-app's real CLI:
 *
 *  1. `npm pack` phonebind and phonebind-weapp;
 *  2. a temp copy of the fixture gets the fixture's cached packages (fixtureCache.ts), then
 *     `npm i <weapp.tgz>`, `npm i -D <phonebind.tgz>`, as a user would;
 *  3. `phonebind init --yes` twice: the second run changes nothing, no user file is touched but
 *     pages.json (one key added, its comments kept);
 *  4. `<PhoneAuth>` goes on the profile page as the README shows, and a second one with props set
 *     (realtime, disabled, change-number) to prove they reach the native component;
 *  5. `npm run build:mp-weixin` (`uni build -p mp-weixin`; with no network at all where `unshare -n`
 *     works), then WeChat's compilers over the output;
 *  6. `phonebind dev` runs in the project (functions from manifest.json's cloudfunctionRoot, the
 *     collections from the database/ rules init wrote); the BUILT page, uni's runtime, the Vue wrapper and the native
 *     component run under miniprogram-simulate with `wx` backed by the emulator: tap → allow reaches
 *     the page's Vue handler with the masked number and the binding is in the database; a deny
 *     reaches its deny handler.
 *
 * jsdom (the component needs a DOM): everything Node-only runs in child processes. Needs
 * `npm run build` first, and npm's cache or the registry for the installs.
 */
import { execFileSync, spawnSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import simulate from 'miniprogram-simulate'
import { EmulatorClient, type EmulatorUser, type TapOptions } from '../../emulator/client'
import { hashTree } from '../cli/fixture'
import { installedSdk, linkNodeModules } from '../dev/sdkCache'
import { routeWxToEmulator } from '../miniprogram/emulatorWx'
import { nodeFetch } from '../miniprogram/nodeFetch'
import { overrideButton, phoneAuthsIn, setSdkVersion } from '../miniprogram/helpers'
import { compileWithMiniprogramCi, runWcc, runWcsc, type CompiledProject } from '../miniprogram/wechatCompilers'
import { FRAMEWORK_FIXTURES, installedFixture } from './fixtureCache'
import { initTwice, lapTimer, npmInstall, pack, REPO, requireBuiltPackages, run, startDev, type DevServer, type InitRun } from './fixtureProject'

jest.setTimeout(60_000)

const UNIAPP_FIXTURE = FRAMEWORK_FIXTURES.uniapp.fixture
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const wxAny = wx as unknown as Record<string, unknown>
const globals = globalThis as unknown as Record<string, unknown>
const lap = lapTimer('uni-app project')

let tmp: string
let project: string
let out: string
let cli: string
let userFiles: Map<string, string>
let inits: InitRun[] = []
let build: { code: number | null; out: string; seconds: number }
let compiled: CompiledProject | undefined
let compileError: string | undefined
let dev: DevServer | undefined
const serverOut = () => dev?.output() ?? ''
let client: EmulatorClient

/** Step 4, as the README's uni-app section shows it, on the user's profile page. */
function addPhoneAuthToProfile(): void {
  const file = path.join(project, 'src/pages/profile/index.vue')
  const vue = fs.readFileSync(file, 'utf8')
    .replace(/(\s*)<\/view>\n<\/template>/, [
      '',
      '    <view class="card">',
      '      <text class="label">手机号</text>',
      '      <text class="value phone">{{ masked }}</text>',
      '    </view>',
      '    <text v-if="failure" class="failure">{{ failure }}</text>',
      '    <PhoneAuth @bound="onBound" @denied="onDenied" @failed="onFailed" />',
      '    <PhoneAuth realtime disabled change-number />',
      '  </view>',
      '</template>',
    ].join('\n'))
    .replace("import { onShow } from '@dcloudio/uni-app'\n", "import { onShow } from '@dcloudio/uni-app'\nimport PhoneAuth from '@/components/phonebind/PhoneAuth.vue'\n")
    .replace('const count = ref(0)\n', [
      'const count = ref(0)',
      "const masked = ref('未绑定')",
      "const failure = ref('')",
      '',
      'function onBound(detail) {',
      '  masked.value = detail.phone.masked',
      '}',
      '',
      'function onDenied() {',
      "  uni.showToast({ title: '可稍后再绑定手机号', icon: 'none' })",
      '}',
      '',
      'function onFailed(detail) {',
      '  failure.value = detail.error.code',
      '}',
      '',
    ].join('\n'))
  fs.writeFileSync(file, vue)
}

beforeAll(async () => {
  ;(globalThis as unknown as { fetch: unknown }).fetch = nodeFetch
  requireBuiltPackages()
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'phonebind-uniapp-'))
  const tarballs = { phonebind: pack('phonebind', tmp), weapp: pack('weapp', tmp) }
  const [deps, sdk] = await Promise.all([installedFixture('uniapp'), installedSdk('~2.6.3')])
  lap(deps.installed ? 'packed; uni-app fixture packages installed into the cache' : 'packed; uni-app packages from the cache')

  // 2. the user's project: its packages (hard links into the cache: npm replaces, never edits, files), then ours
  project = path.join(tmp, 'uni-shop')
  fs.cpSync(UNIAPP_FIXTURE, project, { recursive: true })
  execFileSync('cp', ['-al', deps.nodeModules, path.join(project, 'node_modules')])
  await npmInstall(project, tarballs.weapp)
  await npmInstall(project, '--save-dev', tarballs.phonebind)
  linkNodeModules(path.join(project, 'cloudfunctions/orders'), sdk.nodeModules)
  cli = path.join(project, 'node_modules/phonebind/dist/cli.js')
  out = path.join(project, 'dist/build/mp-weixin')
  userFiles = hashTree(project)
  lap('installed')

  // 3. init, twice
  inits = initTwice(cli, project)
  lap('init ×2')

  // 4. the component on a page; 5. uni's build, then WeChat's compilers
  addPhoneAuthToProfile()
  const t0 = Date.now()
  // Offline: in a network namespace of its own where the machine allows one (root, util-linux), so
  // a build that reached for the network would fail here rather than pass by luck.
  const offline = spawnSync('unshare', ['-n', 'true']).status === 0
  build = { ...(await run(offline ? 'unshare' : npm, [...(offline ? ['-n', npm] : []), 'run', 'build:mp-weixin'], project)), seconds: (Date.now() - t0) / 1000 }
  lap(`uni build -p mp-weixin (${build.seconds.toFixed(1)} s${offline ? ', no network' : ''})`)
  if (build.code !== 0) throw new Error(`uni build -p mp-weixin failed:\n${build.out}`)
  // From the project's root, as the README says: the functions' folder comes from manifest.json.
  dev = startDev(cli, project, '--no-watch')
  const [url] = await Promise.all([dev.ready, compileWithMiniprogramCi(out).then((c) => { compiled = c; lap('compiled') }, (e: Error) => { compileError = e.message })])
  client = new EmulatorClient(url)
  lap('dev started')
}, 600_000)

afterAll(async () => {
  await dev?.stop()
  for (const d of [tmp, compiled?.dir]) if (d) fs.rmSync(d, { recursive: true, force: true })
  lap('done')
})

describe('phonebind init in a uni-app project', () => {
  test('init --yes recognises uni-app, succeeds, and a second run changes nothing', () => {
    expect(inits.map((r) => [r.code, r.err])).toEqual([[0, ''], [0, '']])
    expect(inits[0]!.out).toContain('（uni-app）')
    expect(inits[0]!.out).toContain("import PhoneAuth from '@/components/phonebind/PhoneAuth.vue'")
    expect(inits[0]!.out).not.toMatch(/构建npm/) // uni-app has no 构建npm step
    expect(inits[1]!.tree).toEqual(inits[0]!.tree)
    const tree = inits[0]!.tree
    // The functions go where manifest.json's mp-weixin.cloudfunctionRoot points from uni's output folder.
    for (const fn of ['login', 'getPhoneNumber', 'getOpenData', 'unbindPhone']) expect(tree.has(`cloudfunctions/${fn}/config.json`)).toBe(true)
    expect(tree.has('src/wxcomponents/phonebind-weapp/phone-auth/index.js')).toBe(true)
    expect(tree.has('src/components/phonebind/PhoneAuth.vue')).toBe(true)
    expect(tree.has('project.config.json')).toBe(false) // uni writes that one into dist/
  })

  test('no file the user wrote changes but pages.json, which gains the global component and keeps its comments', () => {
    const after = inits[0]!.tree
    for (const [f, h] of userFiles) if (f !== 'src/pages.json') expect([f, after.get(f)]).toEqual([f, h])
    const before = fs.readFileSync(path.join(UNIAPP_FIXTURE, 'src/pages.json'), 'utf8')
    const now = fs.readFileSync(path.join(project, 'src/pages.json'), 'utf8')
    expect(now).toContain('//pages数组中第一项表示应用启动页')
    expect(now.split('\n').filter((l) => !before.includes(l)).map((l) => l.trim())).toEqual([
      '"backgroundColor": "#F8F8F8",',
      '"usingComponents": {',
      '"phonebind-phone-auth": "/wxcomponents/phonebind-weapp/phone-auth/index"',
    ]) // and a closing brace
    expect(now.length - before.length).toBeLessThan(120)
  })

  test('the copied component and the wrapper carry phonebind\'s mark, so a later init knows them as its own', () => {
    const wxml = fs.readFileSync(path.join(project, 'src/wxcomponents/phonebind-weapp/phone-auth/index.wxml'), 'utf8')
    expect(wxml).toMatch(/^<!-- Generated by phonebind 0\.1\.0 /)
    const built = fs.readFileSync(path.join(REPO, 'packages/weapp/miniprogram_dist/phone-auth/index.wxml'), 'utf8')
    expect(wxml.endsWith(built)).toBe(true)
    const vue = fs.readFileSync(path.join(project, 'src/components/phonebind/PhoneAuth.vue'), 'utf8')
    expect(vue).toMatch(/^<!-- Generated by phonebind /)
    expect(vue).toContain('<!-- #ifdef MP-WEIXIN -->')
  })
})

describe('uni build -p mp-weixin and WeChat\'s compilers', () => {
  test('uni-app\'s CLI builds the project: the component copied as is, the wrapper a component, the global registration in app.json', () => {
    expect(build.code).toBe(0)
    const app = JSON.parse(fs.readFileSync(path.join(out, 'app.json'), 'utf8'))
    expect(app.usingComponents).toEqual({ 'phonebind-phone-auth': '/wxcomponents/phonebind-weapp/phone-auth/index' })
    const page = JSON.parse(fs.readFileSync(path.join(out, 'pages/profile/index.json'), 'utf8'))
    expect(page.usingComponents).toEqual({ 'phone-auth': '../../components/phonebind/PhoneAuth' })
    // The Vue listeners became WeChat's lowercase bindings: nothing lost to event casing.
    const wrapper = fs.readFileSync(path.join(out, 'components/phonebind/PhoneAuth.wxml'), 'utf8')
    expect(wrapper).toMatch(/<phonebind-phone-auth [^>]*bindbound="\{\{\w+\}\}" binddenied="\{\{\w+\}\}" bindfailed="\{\{\w+\}\}"/)
    expect(fs.readFileSync(path.join(out, 'pages/profile/index.wxml'), 'utf8')).toMatch(/<phone-auth bindbound="\{\{\w+\}\}" binddenied="\{\{\w+\}\}" bindfailed="\{\{\w+\}\}"/)
    const config = JSON.parse(fs.readFileSync(path.join(out, 'project.config.json'), 'utf8'))
    expect(config).toMatchObject({ appid: 'wx8c3a51f0e2d94b67', cloudfunctionRoot: '../../../cloudfunctions/' })
  })

  test('miniprogram-ci compiles the output; wcc and wcsc compile every WXML and WXSS file', () => {
    expect(compileError).toBeUndefined()
    expect(compiled!.files).toEqual(expect.arrayContaining([
      'app.js', 'common/vendor.js', 'pages/profile/index.js', 'components/phonebind/PhoneAuth.js',
      'wxcomponents/phonebind-weapp/phone-auth/index.js', 'wxcomponents/phonebind-weapp/phone-auth/index.wxml',
    ]))
    const wxml = compiled!.files.filter((f) => f.endsWith('.wxml'))
    const wcc = runWcc(compiled!.dir, wxml)
    expect({ status: wcc.status, stderr: wcc.stderr }).toEqual({ status: 0, stderr: '' })
    expect(wcc.stdout).toContain("'components/phonebind/PhoneAuth.wxml'")
    const wcsc = runWcsc(compiled!.dir, compiled!.files.filter((f) => f.endsWith('.wxss')))
    expect({ status: wcsc.status, stderr: wcsc.stderr }).toEqual({ status: 0, stderr: '' })
  })
})

describe('the built uni-app page, its Vue wrapper and the native component, with `wx` backed by phonebind dev', () => {
  let pageId: string
  const toasts: Array<{ title?: string }> = []
  const appRef: { current?: Record<string, unknown> } = {}

  /** `wx` routed to the emulator as the current user, where the platform would route it. Installed
   * once: uni's runtime keeps the `wx.cloud` it first saw, so the user changes, not the object. */
  let current: EmulatorUser
  function actAs(user: EmulatorUser): void {
    current = user
    setSdkVersion(user.baseLibrary)
    if (!wxAny.cloud) routeWxToEmulator(() => client, () => current.openid)
  }

  // The session lives in the copied component's own modules (wxcomponents/phonebind-weapp/services).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const weapp = () => require(path.join(out, 'wxcomponents/phonebind-weapp/index.js')) as typeof import('../../packages/weapp/src/index')

  async function openProfile(user: EmulatorUser) {
    actAs(user)
    weapp().resetSession()
    const page = simulate.render(pageId)
    page.attach(document.createElement('parent-wrapper'))
    await simulate.sleep(0)
    // The page's own nodes (no `>>>`): phone-auth shows the number and errors in its own UI too,
    // so only these prove the event reached the page's Vue handler.
    const own = (selector: string) => page.querySelector(selector)?.dom?.textContent ?? ''
    return { page, text: () => page.dom!.textContent ?? '', phone: () => own('.phone'), failure: () => own('.failure') }
  }

  /** The user taps the phone button inside <PhoneAuth> (page → Vue wrapper → native component). */
  async function tapPhone(page: ReturnType<typeof simulate.render>, user: EmulatorUser, tap: TapOptions, until: () => boolean) {
    const detail = await client.tapPhoneButton(user.openid, tap)
    // `>>>` crosses both component boundaries (the Vue wrapper's and the native component's).
    const button = page.querySelector('.container >>> .phone-btn')
    if (!button) throw new Error('no .phone-btn inside <PhoneAuth> on the page')
    button.dispatchEvent('getphonenumber', { detail })
    const deadline = Date.now() + 15_000
    while (!until() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    await simulate.sleep(0)
  }

  const userDoc = async (openid: string) => (await client.db<{ _id: string; phone?: { masked: string } }>('users')).find((u) => u._id === openid)

  beforeAll(() => {
    overrideButton()
    wxAny.showToast = (o: { title?: string }) => { toasts.push(o) }
    // The platform's App() and getApp(): uni's runtime (common/vendor.js) registers the app through
    // App() from the built app.js and reaches its Vue app through getApp().$vm.
    globals.App = (options: Record<string, unknown>) => {
      appRef.current = options
      ;(options.onLaunch as ((o: unknown) => void) | undefined)?.call(options, { path: 'pages/profile/index', query: {}, scene: 1001 })
    }
    globals.getApp = () => appRef.current
    globals.getCurrentPages = () => []
    globals.Page = (options: Record<string, unknown>) => (globals.Component as (o: unknown) => void)(options)
    const user = { openid: 'launch', baseLibrary: '3.5.0' } as EmulatorUser
    actAs(user)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(out, 'app.js'))
    const app = JSON.parse(fs.readFileSync(path.join(out, 'app.json'), 'utf8')) as { usingComponents: Record<string, string> }
    // app.json's usingComponents are global: simulate applies `usingComponents` to every component it loads.
    pageId = simulate.load(path.join(out, 'pages/profile/index'), { rootPath: out, usingComponents: app.usingComponents })
  })

  test('tap → allow: the page\'s @bound handler gets the masked number, and the binding is in the database', async () => {
    const user = await client.createUser({ purePhoneNumber: '13800138000', countryCode: '86' })
    const { page, text, phone } = await openProfile(user)
    expect(phone()).toBe('未绑定')
    await tapPhone(page, user, { outcome: 'allow' }, () => phone() !== '未绑定')
    expect(phone()).toBe('138****8000') // the page's onBound(detail) ran with detail.phone.masked
    expect(text()).not.toContain('13800138000')
    expect((await userDoc(user.openid))?.phone).toMatchObject({ masked: '138****8000' })
    expect((await client.db<{ openid: string }>('phone_index')).map((d) => d.openid)).toContain(user.openid)
  })

  test('tap → deny: the page\'s @denied handler runs, nothing is bound', async () => {
    const user = await client.createUser({ purePhoneNumber: '13900139000', countryCode: '86' })
    const { page, phone, failure } = await openProfile(user)
    toasts.length = 0
    await tapPhone(page, user, { outcome: 'deny', platform: 'android' }, () => toasts.some((t) => t.title === '可稍后再绑定手机号'))
    expect(toasts).toEqual([expect.objectContaining({ title: '可稍后再绑定手机号' })]) // the user's onDenied ran
    expect([phone(), failure()]).toEqual(['未绑定', ''])
    expect((await userDoc(user.openid))?.phone ?? null).toBeNull()
  })

  test('tap on an account without the phone permission: the page\'s @failed handler gets the error code, nothing is bound', async () => {
    const user = await client.createUser({ purePhoneNumber: '13600136000', countryCode: '86' })
    const { page, phone, failure } = await openProfile(user)
    await tapPhone(page, user, { outcome: 'noPermission' }, () => failure() !== '')
    expect(failure()).toBe('APP_NOT_ELIGIBLE') // the user's onFailed(detail) ran with detail.error.code
    expect(phone()).toBe('未绑定')
    expect((await userDoc(user.openid))?.phone ?? null).toBeNull()
  })

  test('props set on <PhoneAuth> reach the native component (uni hands them over as u-p, its runtime sets them); unset ones keep their defaults', async () => {
    const user = await client.createUser({ purePhoneNumber: '13500135000', countryCode: '86' })
    const { page } = await openProfile(user)
    const [plain, set] = phoneAuthsIn(page, '.container')
    expect(plain!.props).toMatchObject({ realtime: false, disabled: false, changeNumber: false, legacy: false, debug: false, privacyMode: 'auto', cooldownAfter: 3, text: '手机号快捷验证 / Verify with WeChat phone' })
    expect(plain!.button).toMatchObject({ openType: 'getPhoneNumber', disabled: false })
    expect(set!.props).toMatchObject({ realtime: true, disabled: true, changeNumber: true, legacy: false, debug: false, privacyMode: 'auto', cooldownAfter: 3 })
    expect(set!.button).toMatchObject({ openType: 'getRealtimePhoneNumber', disabled: true }) // what the user sees
  })

  test('phonebind dev, run in the uni-app project, serves the functions of manifest.json\'s cloudfunctionRoot, the project\'s own `orders` (wx-server-sdk ~2.6.3) included', async () => {
    expect(serverOut()).toMatch(/云函数 \/ cloud functions — cloudfunctions\//)
    for (const c of ['users', 'phone_index']) expect(await client.collections()).toContain(c) // from database/*.rules.json
    if (!(await client.collections()).includes('orders')) await client.createCollection('orders')
    const user = await client.createUser({ purePhoneNumber: '13700137000', countryCode: '86' })
    const added = await client.callFunction(user.openid, 'orders', { action: 'add', title: '买牛奶' })
    expect(added.result).toEqual({ id: expect.any(String) })
    const counted = await client.callFunction(user.openid, 'orders', { action: 'count' })
    expect(counted.result).toEqual({ count: 1 })
    expect(serverOut()).not.toMatch(/Error|错误/)
  })
})
