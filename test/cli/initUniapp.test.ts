/**
 * `phonebind init` in uni-app projects, in-process and without uni-app's toolchain (the full
 * build and flow are test/frameworks/uniapp.test.ts): where it finds the project, what it writes,
 * and that it never replaces a file or a setting of the user's.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'jsonc-parser'
import { hashTree } from './fixture'
import { wrapperSource } from '../../packages/phonebind/src/frameworks/uniapp'
import { props } from '../../packages/weapp/src/phone-auth/props'
import { runCli } from './helpers'

const REPO = resolve(__dirname, '../..')
const FIXTURE = join(REPO, 'test/fixtures/uniapp-project')
const made: string[] = []
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }) })

/** A copy of the uni-app fixture with phonebind-weapp "installed" (the built package, as npm would unpack it). */
function uniProject(opts: { hbuilder?: boolean; weapp?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'phonebind-uni-init-'))
  made.push(dir)
  cpSync(FIXTURE, dir, { recursive: true })
  if (opts.hbuilder) {
    // HBuilderX's layout: the sources at the root, no src/.
    for (const f of ['manifest.json', 'pages.json', 'App.vue', 'main.js', 'pages']) renameSync(join(dir, 'src', f), join(dir, f))
    rmSync(join(dir, 'src'), { recursive: true })
  }
  if (opts.weapp !== false) {
    const pkg = join(dir, 'node_modules/phonebind-weapp')
    mkdirSync(pkg, { recursive: true })
    cpSync(join(REPO, 'packages/weapp/miniprogram_dist'), join(pkg, 'miniprogram_dist'), { recursive: true })
    cpSync(join(REPO, 'packages/weapp/package.json'), join(pkg, 'package.json'))
  }
  return dir
}

const jsonc = (file: string) => parse(readFileSync(file, 'utf8')) as Record<string, any>

beforeAll(() => {
  if (!existsSync(join(REPO, 'packages/weapp/miniprogram_dist/index.js'))) throw new Error('run npm run build first')
})

describe('phonebind init in a uni-app project', () => {
  it('CLI layout, run from inside src/: the project is the folder above, and everything lands in src/', async () => {
    const dir = uniProject()
    const r = await runCli(['init', '--yes'], join(dir, 'src', 'pages'))
    expect([r.code, r.err]).toEqual([0, ''])
    expect(r.out).toContain(`phonebind init — ${dir}（uni-app）`)
    expect(existsSync(join(dir, 'src/wxcomponents/phonebind-weapp/phone-auth/index.wxml'))).toBe(true)
    expect(existsSync(join(dir, 'src/components/phonebind/PhoneAuth.vue'))).toBe(true)
    // manifest.json already names the functions' folder (from dist/build/mp-weixin): used, not changed.
    expect(existsSync(join(dir, 'cloudfunctions/getPhoneNumber/config.json'))).toBe(true)
    expect(readFileSync(join(dir, 'src/manifest.json'), 'utf8')).toBe(readFileSync(join(FIXTURE, 'src/manifest.json'), 'utf8'))
    expect(jsonc(join(dir, 'src/pages.json')).globalStyle.usingComponents).toEqual({ 'phonebind-phone-auth': '/wxcomponents/phonebind-weapp/phone-auth/index' })
    expect(existsSync(join(dir, 'project.config.json'))).toBe(false)
  })

  it('HBuilderX layout (no src/): sources at the root, and a missing cloudfunctionRoot is added to manifest.json with its comments kept', async () => {
    const dir = uniProject({ hbuilder: true })
    const text = readFileSync(join(dir, 'manifest.json'), 'utf8').replace(/\n\s*\/\/ 微信云开发.*\n\s*"cloudfunctionRoot" : "[^"]*"/, '')
    writeFileSync(join(dir, 'manifest.json'), text.replace('"usingComponents" : true,', '"usingComponents" : true'))
    const r = await runCli(['init', '--yes'], join(dir, 'pages', 'index'))
    expect([r.code, r.err]).toEqual([0, ''])
    const manifest = readFileSync(join(dir, 'manifest.json'), 'utf8')
    expect(manifest).toContain('/* 小程序特有相关 */')
    // HBuilderX builds into unpackage/dist/build/mp-weixin: four levels up to the project.
    expect(jsonc(join(dir, 'manifest.json'))['mp-weixin'].cloudfunctionRoot).toBe('../../../../cloudfunctions/')
    expect(existsSync(join(dir, 'cloudfunctions/login/index.js'))).toBe(true)
    expect(existsSync(join(dir, 'wxcomponents/phonebind-weapp/phone-auth/index.js'))).toBe(true)
    expect(existsSync(join(dir, 'components/phonebind/PhoneAuth.vue'))).toBe(true)
  })

  it('never replaces the user\'s own PhoneAuth.vue or their phonebind-phone-auth registration, and says so', async () => {
    const dir = uniProject()
    mkdirSync(join(dir, 'src/components/phonebind'), { recursive: true })
    writeFileSync(join(dir, 'src/components/phonebind/PhoneAuth.vue'), '<template><view>mine</view></template>\n')
    const pages = readFileSync(join(dir, 'src/pages.json'), 'utf8').replace('"backgroundColor": "#F8F8F8"\n', '"backgroundColor": "#F8F8F8",\n\t\t"usingComponents": { "phonebind-phone-auth": "/wxcomponents/mine/index" }\n')
    writeFileSync(join(dir, 'src/pages.json'), pages)
    const r = await runCli(['init', '--yes'], dir)
    expect(r.code).toBe(1)
    expect(readFileSync(join(dir, 'src/components/phonebind/PhoneAuth.vue'), 'utf8')).toBe('<template><view>mine</view></template>\n')
    expect(readFileSync(join(dir, 'src/pages.json'), 'utf8')).toBe(pages)
    expect(r.out).toContain('! src/components/phonebind/PhoneAuth.vue  你的文件，已跳过 / your file, skipped')
    expect(r.out).toContain('globalStyle.usingComponents.phonebind-phone-auth = "/wxcomponents/mine/index" 是你的设置，未修改')
  })

  it('changes no file of the user\'s without --yes or a terminal, and says how', async () => {
    const dir = uniProject()
    const before = hashTree(dir)
    const r = await runCli(['init'], dir)
    expect(r.code).toBe(1)
    expect(readFileSync(join(dir, 'src/pages.json'), 'utf8')).toBe(readFileSync(join(FIXTURE, 'src/pages.json'), 'utf8'))
    expect(r.out).toContain('+ globalStyle.usingComponents.phonebind-phone-auth = "/wxcomponents/phonebind-weapp/phone-auth/index"')
    expect(r.out).toContain('--yes')
    const after = hashTree(dir)
    for (const [f, h] of before) expect([f, after.get(f)]).toEqual([f, h])
  })

  it('without phonebind-weapp installed: says to install it, copies nothing', async () => {
    const dir = uniProject({ weapp: false })
    const r = await runCli(['init', '--yes'], dir)
    expect(r.code).toBe(1)
    expect(r.out).toContain('npm i phonebind-weapp')
    expect(existsSync(join(dir, 'src/wxcomponents'))).toBe(false)
  })

  it('an older copy of the component is kept and reported; --force replaces it (after an upgrade)', async () => {
    const dir = uniProject()
    expect((await runCli(['init', '--yes'], dir)).code).toBe(0)
    const file = join(dir, 'src/wxcomponents/phonebind-weapp/phone-auth/index.js')
    const current = readFileSync(file, 'utf8')
    writeFileSync(file, current.replace(/^(\/\/ Generated by phonebind )\S+/, '$10.0.9') + '\n// older\n')
    const kept = await runCli(['init', '--yes'], dir)
    expect(kept.code).toBe(1)
    expect(kept.out).toContain('! src/wxcomponents/phonebind-weapp/phone-auth/index.js  旧版本，未替换')
    expect(readFileSync(file, 'utf8')).toContain('// older')
    const forced = await runCli(['init', '--yes', '--force'], dir)
    expect(forced.code).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(current)
  })
})

describe('phonebind doctor in a uni-app project', () => {
  /** A uni-app project as the README leaves it: phonebind-weapp a dependency, init run with an env id. */
  async function readyProject(): Promise<string> {
    const dir = uniProject()
    const pkgFile = join(dir, 'package.json')
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'))
    writeFileSync(pkgFile, JSON.stringify({ ...pkg, dependencies: { ...pkg.dependencies, 'phonebind-weapp': '^0.1.0' } }, null, 2))
    expect((await runCli(['init', '--yes', '--env', 'shop-prod-7f3k2m9q1d5c8b4a'], dir)).code).toBe(0)
    return dir
  }
  const failures = (out: string) => out.split('\n').filter((l) => l.startsWith('✘'))

  it('after init, from the project or inside src/: every check passes from the sources (manifest.json, App.vue, pages.json, wxcomponents/), no project.config.json, no 构建npm', async () => {
    const dir = await readyProject()
    for (const cwd of [dir, join(dir, 'src', 'pages')]) {
      const r = await runCli(['doctor'], cwd)
      expect({ code: r.code, failures: failures(r.out), err: r.err }).toEqual({ code: 0, failures: [], err: '' })
      expect(r.out).toContain(`phonebind doctor — ${dir}`)
      expect(r.out).toContain('✔ appid wx8c3a51f0e2d94b67') // manifest.json → mp-weixin, not the empty DCloud appid
      expect(r.out).toContain('✔ 环境 ID / env id\n    shop-prod-7f3k2m9q1d5c8b4a') // wx.cloud.init in App.vue
      expect(r.out).toContain('✔ cloudfunctionRoot cloudfunctions/')
      expect(r.out).toContain('✔ 组件已全局注册 / component registered globally')
      expect(r.out).toContain('✔ src/wxcomponents/phonebind-weapp 与已安装的 phonebind-weapp 0.1.0 一致 / matches the installed package')
      expect(r.out).toContain('✔ 包装组件 / wrapper src/components/phonebind/PhoneAuth.vue')
      expect(r.out).not.toMatch(/构建npm|project\.config\.json/)
    }
  })

  it('names each uni-app mistake with its fix: placeholder mp-weixin appid, no wx.cloud.init, no global registration, no wrapper', async () => {
    const dir = await readyProject()
    const manifest = join(dir, 'src/manifest.json')
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"appid" : "wx8c3a51f0e2d94b67"', '"appid" : "touristappid"'))
    const app = join(dir, 'src/App.vue')
    writeFileSync(app, readFileSync(app, 'utf8').replace(/\n\s*wx\.cloud\.init\([^\n]*/, ''))
    const pages = join(dir, 'src/pages.json')
    writeFileSync(pages, readFileSync(pages, 'utf8').replace(/"phonebind-phone-auth"/, '"other-tag"'))
    rmSync(join(dir, 'src/components/phonebind/PhoneAuth.vue'))
    const r = await runCli(['doctor'], dir)
    expect(r.code).toBe(1)
    expect(failures(r.out)).toEqual([
      '✘ src/manifest.json 的 mp-weixin.appid 是占位符 “touristappid” / mp-weixin.appid is a placeholder',
      '✘ 找不到 wx.cloud.init / no wx.cloud.init in src/App.vue, main.*',
      '✘ src/pages.json 没有全局注册组件 / does not register the component globally',
      '✘ 没有包装组件 src/components/phonebind/PhoneAuth.vue / the wrapper is missing',
    ])
    expect(r.out).toContain('"mp-weixin" → "appid"')
    expect(r.out).toContain('在 App.vue 的 onLaunch 里（// #ifdef MP-WEIXIN）调用 wx.cloud.init')
    expect(r.out).toContain('globalStyle → usingComponents: { "phonebind-phone-auth": "/wxcomponents/phonebind-weapp/phone-auth/index" }')
  })

  it('an upgrade of phonebind-weapp after init: the wxcomponents/ copy and the wrapper are stale until init --force', async () => {
    const dir = await readyProject()
    const installed = join(dir, 'node_modules/phonebind-weapp')
    appendFileSync(join(installed, 'miniprogram_dist/phone-auth/index.js'), '\n// 0.1.1\n')
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'))
    writeFileSync(join(installed, 'package.json'), JSON.stringify({ ...pkg, version: '0.1.1' }))
    const stale = await runCli(['doctor'], dir)
    expect(stale.code).toBe(1)
    expect(failures(stale.out)).toEqual([
      '✘ src/wxcomponents/phonebind-weapp 中的组件已过期或被修改 / the component copy is stale or edited',
      '✘ 包装组件 src/components/phonebind/PhoneAuth.vue 已过期 / the wrapper is outdated',
    ])
    expect(stale.out).toContain('npx phonebind init --force')
    expect((await runCli(['init', '--yes', '--force'], dir)).code).toBe(0)
    const after = await runCli(['doctor'], dir)
    expect({ code: after.code, failures: failures(after.out) }).toEqual({ code: 0, failures: [] })
    expect(after.out).toContain('与已安装的 phonebind-weapp 0.1.1 一致')
  })

  it('phonebind-weapp not a dependency, or manifest.json without cloudfunctionRoot: says so', async () => {
    const dir = uniProject({ hbuilder: true })
    const manifest = join(dir, 'manifest.json')
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/\n\s*\/\/ 微信云开发.*\n\s*"cloudfunctionRoot" : "[^"]*"/, ''))
    const r = await runCli(['doctor'], dir)
    expect(r.code).toBe(1)
    expect(failures(r.out)).toEqual(expect.arrayContaining([
      '✘ manifest.json 没有 mp-weixin.cloudfunctionRoot / has no mp-weixin.cloudfunctionRoot',
      '✘ phonebind-weapp 不在 package.json 中 / is not in package.json',
    ]))
  })
})

describe('the uni-app Vue wrapper', () => {
  it('binds every property phone-auth declares on the native tag, each a prop with the component\'s default', () => {
    const text = wrapperSource('0.0.0')
    for (const [name, p] of Object.entries(props)) {
      expect(text).toContain(`:${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${name}"`)
      expect(text).toContain(`  ${name}?: ${typeof p.value}\n`)
      expect(text).toContain(`  ${name}: ${JSON.stringify(p.value).replace(/"/g, "'")},\n`)
    }
  })
})

