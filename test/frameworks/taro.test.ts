/**
 * Issue 13, Taro half, "tested as a new user would": a Taro 4 React project (test/fixtures/taro-project,
 * its own package-lock with @tarojs/* 4.2.1) takes phonebind from the `npm pack` tarballs:
 *
 *  1. `npm pack` phonebind and phonebind-weapp; the fixture's own packages from a cache keyed by
 *     its lock (fixtureCache.ts);
 *  2. `phonebind init --yes` twice: Taro is recognised, config/index.ts gains the copy pattern, the
 *     React wrapper is written, the second run changes nothing;
 *  3. the profile page uses `<PhoneAuth>` as the README shows (page config + import), and a second
 *     one with props set (realtime, disabled, changeNumber) to prove they reach the native component;
 *  4. the real `taro build --type weapp` (offline), then WeChat's compilers over the output;
 *  5. `phonebind dev` runs the project's functions; the BUILT Taro app (app.js, taro.js, the page's
 *     base.wxml templates, the copied native component) runs under miniprogram-simulate with
 *     `wx.cloud` backed by the emulator: tap → allow reaches the page's React onBound (the masked
 *     number on screen) and the binding is in the database; deny reaches onDenied.
 *
 * The tarballs are installed into a scratch folder (with phonebind's own dependency, esbuild) and
 * linked into the project, rather than `npm i` in the project, which would re-install its 1,150
 * Taro packages on every run. jsdom (the page needs a DOM); Node-only work runs in child processes.
 */
import { spawnSync } from 'child_process'
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
import { FRAMEWORK_FIXTURES, installedFixture, linkCachedModules, npmEnv } from './fixtureCache'
import { initTwice, lapTimer, npmInstall, pack, requireBuiltPackages, run, startDev, type DevServer, type InitRun } from './fixtureProject'

jest.setTimeout(60_000)

const TARO_FIXTURE = FRAMEWORK_FIXTURES.taro.fixture
const lap = lapTimer('taro')
const wxAny = wx as unknown as Record<string, unknown>

let scratch: string
let project: string
let dist: string
let cli: string
let userFiles: Map<string, string>
let inits: InitRun[] = []
let build: { status: number | null; out: string; seconds: number }
let compiled: CompiledProject | undefined
let typecheck: { status: number | null; out: string }
let compileError: string | undefined
let dev: DevServer | undefined
const serverOut = () => dev?.output() ?? ''
let client: EmulatorClient

/** Step 3, as the README's Taro section shows it. */
function usePhoneAuthOnProfile(): void {
  const page = path.join(project, 'src/pages/profile')
  fs.writeFileSync(path.join(page, 'index.config.ts'), [
    'export default definePageConfig({',
    "  navigationBarTitleText: '我的',",
    '  usingComponents: {',
    "    'phone-auth': '/phonebind-weapp/phone-auth/index'",
    '  }',
    '})',
    '',
  ].join('\n'))
  const tsx = fs.readFileSync(path.join(page, 'index.tsx'), 'utf8')
    .replace("import { View, Text } from '@tarojs/components'\n", "import { View, Text } from '@tarojs/components'\nimport Taro from '@tarojs/taro'\nimport PhoneAuth from '../../components/phone-auth'\n")
    .replace("  const [masked, setMasked] = useState('未绑定')", "  const [masked, setMasked] = useState('未绑定')\n  const [failure, setFailure] = useState('')")
    .replace(/(\n {6}<\/View>\n)( {4}<\/View>\n {2}\))/, [
      '$1',
      '      <PhoneAuth',
      '        onBound={(d) => setMasked(d.phone.masked)}',
      "        onDenied={() => Taro.showToast({ title: '可稍后再绑定手机号', icon: 'none' })}",
      '        onFailed={(d) => setFailure(d.error.code)}',
      '      />',
      '      <PhoneAuth realtime disabled changeNumber />',
      "      {failure && <Text className='failure'>{failure}</Text>}",
      '$2',
    ].join('\n'))
  if (!tsx.includes('<PhoneAuth')) throw new Error('the profile page did not take <PhoneAuth>: the fixture changed shape')
  fs.writeFileSync(path.join(page, 'index.tsx'), tsx)
}

/** `unshare -n` (util-linux; root, as in CI) runs the build in a network namespace with no
 * network at all, so "offline" is enforced rather than assumed; elsewhere the build runs as is. */
const OFFLINE = spawnSync('unshare', ['-n', 'true']).status === 0

async function taroBuild(): Promise<typeof build> {
  const t0 = Date.now()
  const taro = path.join(project, 'node_modules/@tarojs/cli/bin/taro')
  const [cmd, ...args] = [...(OFFLINE ? ['unshare', '-n'] : []), process.execPath, taro, 'build', '--type', 'weapp']
  const r = await run(cmd!, args, project, { env: { ...npmEnv(), NODE_ENV: 'production', CI: 'true' } })
  return { status: r.code, out: r.out, seconds: (Date.now() - t0) / 1000 }
}

beforeAll(async () => {
  ;(globalThis as unknown as { fetch: unknown }).fetch = nodeFetch
  requireBuiltPackages()
  // 1. the tarballs, installed as a user's npm would; the fixture's own packages from the cache
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'phonebind-taro-pkgs-'))
  const tarballs = [pack('weapp', scratch), pack('phonebind', scratch)]
  fs.writeFileSync(path.join(scratch, 'package.json'), '{"private":true}\n')
  const taro = installedFixture('taro')
  const sdk = installedSdk('~2.6.3')
  await npmInstall(scratch, ...tarballs)
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'phonebind-taro-'))
  fs.cpSync(TARO_FIXTURE, project, { recursive: true })
  const { nodeModules, installed } = await taro
  lap(installed ? 'Taro packages installed (cold cache)' : 'Taro packages from the cache')
  linkCachedModules(project, nodeModules)
  fs.symlinkSync(path.join(scratch, 'node_modules/phonebind-weapp'), path.join(project, 'node_modules/phonebind-weapp'), 'dir')
  linkNodeModules(path.join(project, 'cloudfunctions/orders'), (await sdk).nodeModules)
  cli = path.join(scratch, 'node_modules/phonebind/dist/cli.js')
  userFiles = hashTree(project)

  // 2. init, twice
  inits = initTwice(cli, project)
  lap('init ×2')

  // 3. the component on the profile page; 4. the real Taro build, then WeChat's compilers
  usePhoneAuthOnProfile()
  build = await taroBuild()
  lap(`taro build${OFFLINE ? ' (no network: unshare -n)' : ''} in ${build.seconds.toFixed(1)} s`)
  dist = path.join(project, 'dist')
  const tsc = path.join(project, 'node_modules/typescript/bin/tsc')
  dev = startDev(cli, project)
  const [url] = await Promise.all([
    dev.ready,
    run(process.execPath, [tsc, '--noEmit', '-p', project], project, { env: process.env, timeout: 120_000 }).then((r) => { typecheck = { status: r.code, out: r.out } }),
    build.status === 0 ? compileWithMiniprogramCi(project).then((c) => { compiled = c; lap('compiled') }, (e: Error) => { compileError = e.message }) : undefined,
  ])
  client = new EmulatorClient(url)
  lap('dev started')
}, 600_000)

afterAll(async () => {
  await dev?.stop()
  for (const d of [project, scratch, compiled?.dir]) if (d) fs.rmSync(d, { recursive: true, force: true })
  lap('done')
})

describe('phonebind init in a Taro project', () => {
  test('recognises Taro, adds the copy pattern and the wrapper, and a second run changes nothing', () => {
    expect(inits.map((r) => [r.code, r.err])).toEqual([[0, ''], [0, '']])
    expect(inits[0]!.out).toMatch(/^phonebind init — .*（Taro）$/m)
    expect(inits[0]!.out).toContain("usingComponents: { 'phone-auth': '/phonebind-weapp/phone-auth/index' }")
    expect(inits[1]!.tree).toEqual(inits[0]!.tree)
    const config = fs.readFileSync(path.join(project, 'config/index.ts'), 'utf8')
    expect(config).toContain("{ from: 'node_modules/phonebind-weapp/miniprogram_dist', to: 'dist/phonebind-weapp' },")
    expect(inits[0]!.tree.has('src/components/phone-auth/index.tsx')).toBe(true)
    for (const fn of ['login', 'getPhoneNumber', 'getOpenData', 'unbindPhone']) expect(inits[0]!.tree.has(`cloudfunctions/${fn}/config.json`)).toBe(true)
  })

  test('no other file of the user changes; no 构建npm setting for a Taro project', () => {
    const after = inits[0]!.tree
    for (const [f, h] of userFiles) if (f !== 'config/index.ts') expect([f, after.get(f)]).toEqual([f, h])
    const config = JSON.parse(fs.readFileSync(path.join(project, 'project.config.json'), 'utf8'))
    expect(config.setting.packNpmManually).toBeUndefined()
    expect(config.setting.packNpmRelationList).toBeUndefined()
  })
})

describe('taro build --type weapp and WeChat\'s compilers', () => {
  test('the wrapper and the page that uses it type-check with the project\'s own TypeScript (onBound gets a typed detail)', () => {
    expect(typecheck).toEqual({ status: 0, out: '' })
  })

  test('the real Taro CLI builds the project offline, with the component copied into the output', () => {
    expect({ status: build.status, tail: build.status === 0 ? '' : build.out.slice(-3000) }).toEqual({ status: 0, tail: '' })
    expect(fs.existsSync(path.join(dist, 'phonebind-weapp/phone-auth/index.js'))).toBe(true)
    expect(JSON.parse(fs.readFileSync(path.join(dist, 'pages/profile/index.json'), 'utf8')).usingComponents).toMatchObject({ 'phone-auth': '/phonebind-weapp/phone-auth/index' })
    // Taro binds a native component's events from the props it saw on the tag: all three are here.
    const tag = /<phone-auth [^>]*>/.exec(fs.readFileSync(path.join(dist, 'base.wxml'), 'utf8'))?.[0]
    expect(tag).toEqual(expect.stringContaining('bindbound="eh"'))
    expect(tag).toEqual(expect.stringContaining('binddenied="eh"'))
    expect(tag).toEqual(expect.stringContaining('bindfailed="eh"'))
    // Every property of phone-auth is written on the tag (the wrapper names each one), camelCase as
    // Taro writes props; wcc (below) compiles such an attribute to the property of the same name.
    expect(tag).toEqual(expect.stringContaining('changeNumber="{{i.changeNumber}}"'))
    expect(tag).toEqual(expect.stringContaining('realtime="{{i.realtime}}"'))
  })

  test('miniprogram-ci compiles the output; wcc and wcsc compile every WXML and WXSS file', () => {
    expect(compileError).toBeUndefined()
    expect(compiled!.files).toEqual(expect.arrayContaining(['app.js', 'base.wxml', 'pages/profile/index.js', 'phonebind-weapp/phone-auth/index.js', 'phonebind-weapp/phone-auth/index.wxml']))
    // Taro's templates load a WXS module (base.wxml → utils.wxs): wcc is given it with the WXML files.
    const wcc = runWcc(compiled!.dir, compiled!.files.filter((f) => /\.(wxml|wxs)$/.test(f)))
    expect({ status: wcc.status, stderr: wcc.stderr }).toEqual({ status: 0, stderr: '' })
    expect(wcc.stdout).toContain("'pages/profile/index.wxml'")
    expect(wcc.stdout).toContain("'changeNumber'") // WeChat's compiler keeps the camelCase attribute as the property's name
    const wcsc = runWcsc(compiled!.dir, compiled!.files.filter((f) => f.endsWith('.wxss')))
    expect({ status: wcsc.status, stderr: wcsc.stderr }).toEqual({ status: 0, stderr: '' })
  })
})

describe('the built Taro app under miniprogram-simulate, wx.cloud backed by phonebind dev', () => {
  let user: EmulatorUser | undefined
  let app: Record<string, (...a: unknown[]) => unknown>
  let pageId: string
  const toasts: unknown[] = []

  /** `wx` where the platform would route it: login, the session check and wx.cloud go to the emulator as `user`. */
  function installWx(): void {
    routeWxToEmulator(() => client, () => user!.openid)
    wxAny.showToast = (o: unknown) => { toasts.push(o) }
  }

  beforeAll(() => {
    if (build.status !== 0) throw new Error('the Taro build failed: see its test')
    overrideButton()
    installWx()
    const g = globalThis as unknown as Record<string, unknown>
    // The mini program's globals, as the client gives them to app.js and the pages. simulate knows
    // only Component(): a Page() is what WeChat runs as a component whose page lifecycles (onLoad …)
    // are methods — the test's only shim; every file it runs is Taro's build output.
    g.App = (options: typeof app) => { app = options }
    g.getApp = () => app
    g.getCurrentPages = () => []
    g.Page = (options: Record<string, unknown>) => {
      const { data, ...rest } = options
      return Component({ data: data as Record<string, unknown>, methods: Object.fromEntries(Object.entries(rest).filter(([, v]) => typeof v === 'function')) } as never)
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(dist, 'app.js'))
    app.onLaunch!({ path: 'pages/profile/index', query: {}, scene: 1001 })
    pageId = simulate.load(path.join(dist, 'pages/profile/index'), { rootPath: dist })
  })

  async function openProfile(u: EmulatorUser) {
    user = u
    setSdkVersion(u.baseLibrary)
    // Each test is a new launch by another user: the copied package's per-launch state (session,
    // the known binding phone-auth shows instead of a paid button) starts empty. Its index.js is the
    // module instance the component uses (the same require cache).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ;(require(path.join(dist, 'phonebind-weapp/index.js')) as { resetSession: () => void }).resetSession()
    const page = simulate.render(pageId)
    page.attach(document.createElement('parent-wrapper'))
    ;(page.instance as unknown as { onLoad: (q: object) => void }).onLoad({})
    await waitFor(() => text(page).includes('未绑定'))
    return page
  }

  const text = (page: ReturnType<typeof simulate.render>) => page.dom!.textContent ?? ''
  /** Text of the page's own node (not the component's: phone-auth shows the masked number and the
   * error in its own UI too, so only the page's node proves the page's React handler ran). */
  const own = (page: ReturnType<typeof simulate.render>, selector: string) => (page.querySelector(selector) as unknown as { dom?: HTMLElement } | null)?.dom?.textContent ?? null

  async function waitFor(done: () => boolean, ms = 15_000): Promise<void> {
    const until = Date.now() + ms
    while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
    await simulate.sleep(0)
  }

  async function tapPhone(page: ReturnType<typeof simulate.render>, tap: TapOptions) {
    const detail = await client.tapPhoneButton(user!.openid, tap)
    const button = page.querySelector('.profile >>> .phone-btn')
    if (!button) throw new Error(`no .phone-btn inside <phone-auth> on the Taro page: ${JSON.stringify(page.toJSON()).slice(0, 3000)}`)
    button.dispatchEvent('getphonenumber', { detail })
  }

  test('the project\'s own `orders` function (wx-server-sdk ~2.6.3) still works beside phonebind\'s, from the index page', async () => {
    // As the user does in the cloud console (云开发控制台 → 数据库 → 添加集合): the collection must exist.
    if (!(await client.collections()).includes('orders')) await client.createCollection('orders')
    user = await client.createUser({ purePhoneNumber: '13600136000', countryCode: '86' })
    const page = simulate.render(simulate.load(path.join(dist, 'pages/index/index'), { rootPath: dist }))
    page.attach(document.createElement('parent-wrapper'))
    const instance = page.instance as unknown as { onLoad: (q: object) => void; onShow: () => void }
    instance.onLoad({})
    instance.onShow()
    await waitFor(() => text(page).includes('我的订单：0'))
    page.querySelector('.add')!.dispatchEvent('tap')
    await waitFor(() => text(page).includes('手冲咖啡豆'))
    expect(text(page)).toContain('我的订单：1')
    expect(serverOut()).not.toMatch(/Error|错误/)
  })

  const userDoc = async (openid: string) => (await client.db<{ _id: string; phone?: { masked: string } }>('users')).find((u) => u._id === openid)

  test('tap → allow: `bound` reaches the Taro page\'s onBound (the masked number on screen) and the binding is in the database', async () => {
    const page = await openProfile(await client.createUser({ purePhoneNumber: '13800138000', countryCode: '86' }))
    expect(own(page, '.phone')).toBe('未绑定')
    await tapPhone(page, { outcome: 'allow' })
    await waitFor(() => own(page, '.phone') === '138****8000')
    expect(own(page, '.phone')).toBe('138****8000') // the page's setMasked ran
    expect(text(page)).not.toContain('13800138000')
    expect((await userDoc(user!.openid))?.phone).toMatchObject({ masked: '138****8000' })
    expect((await client.db<{ openid: string }>('phone_index')).map((d) => d.openid)).toContain(user!.openid)
  })

  test('tap → deny: `denied` reaches the page\'s onDenied, nothing is bound', async () => {
    const page = await openProfile(await client.createUser({ purePhoneNumber: '13900139000', countryCode: '86' }))
    toasts.length = 0
    await tapPhone(page, { outcome: 'deny', platform: 'android' })
    await waitFor(() => toasts.length > 0)
    expect(toasts).toEqual([expect.objectContaining({ title: '可稍后再绑定手机号' })])
    expect(own(page, '.phone')).toBe('未绑定')
    expect((await userDoc(user!.openid))?.phone ?? null).toBeNull()
  })

  test('props set on <PhoneAuth> reach the native component; unset ones keep the component\'s defaults (not undefined)', async () => {
    const page = await openProfile(await client.createUser({ purePhoneNumber: '13500135000', countryCode: '86' }))
    const [plain, set] = phoneAuthsIn(page, '.profile')
    expect(plain!.props).toMatchObject({ realtime: false, disabled: false, changeNumber: false, legacy: false, debug: false, privacyMode: 'auto', cooldownAfter: 3, text: '手机号快捷验证 / Verify with WeChat phone' })
    expect(plain!.button).toMatchObject({ openType: 'getPhoneNumber', disabled: false })
    expect(set!.props).toMatchObject({ realtime: true, disabled: true, changeNumber: true, legacy: false, debug: false, privacyMode: 'auto', cooldownAfter: 3 })
    expect(set!.button).toMatchObject({ openType: 'getRealtimePhoneNumber', disabled: true }) // what the user sees
  })

  test('a failure reaches onFailed with its code (quota exhausted), not swallowed', async () => {
    const page = await openProfile(await client.createUser({ purePhoneNumber: '13700137000', countryCode: '86' }))
    await tapPhone(page, { outcome: 'quota' })
    await waitFor(() => own(page, '.failure') !== null)
    expect(own(page, '.failure')).toBe('QUOTA_EXHAUSTED') // the page's onFailed ran with the code
  })
})
