import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanupFixtures, copyFixture } from './fixture'
import { runCli } from './helpers'

afterAll(cleanupFixtures)

const edit = (file: string, f: (j: Record<string, unknown>) => void) => {
  const j = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  f(j)
  writeFileSync(file, JSON.stringify(j, null, 2) + '\n')
}

/** The fixture after `init --yes`, phonebind-weapp installed, registered on a page and 构建npm run. */
async function healthyProject(): Promise<string> {
  const dir = copyFixture()
  expect((await runCli(['init', '--yes'], dir)).code).toBe(0)
  edit(join(dir, 'package.json'), (p) => (p.dependencies = { 'phonebind-weapp': '^0.1.0' }))
  // A stand-in for the installed package: doctor compares its miniprogram_dist with miniprogram_npm.
  const dist = join(dir, 'node_modules', 'phonebind-weapp', 'miniprogram_dist', 'phone-auth')
  mkdirSync(dist, { recursive: true })
  writeFileSync(join(dist, 'index.js'), 'Component({})\n')
  writeFileSync(join(dist, 'index.json'), '{ "component": true }\n')
  cpSync(join(dir, 'node_modules', 'phonebind-weapp', 'miniprogram_dist'), join(dir, 'miniprogram', 'miniprogram_npm', 'phonebind-weapp'), { recursive: true })
  edit(join(dir, 'miniprogram', 'pages', 'profile', 'index.json'), (j) => (j.usingComponents = { 'phone-auth': 'phonebind-weapp/phone-auth/index' }))
  return dir
}

async function doctor(dir: string) {
  return runCli(['doctor'], dir)
}

describe('phonebind doctor', () => {
  it('passes on a project set up as the README says, and reminds of the privacy guide', async () => {
    const r = await doctor(await healthyProject())
    expect(r.out).not.toContain('✘')
    expect(r.code).toBe(0)
    expect(r.out).toContain('ℹ 提醒：用户隐私保护指引须声明「手机号」')
  })

  it('finds wx.cloud.init outside app.js and accepts an env given by a variable', async () => {
    const dir = await healthyProject()
    writeFileSync(join(dir, 'miniprogram', 'app.js'), "const { launch } = require('./services/launch')\nApp({ onLaunch() { launch() } })\n")
    mkdirSync(join(dir, 'miniprogram', 'services'))
    writeFileSync(join(dir, 'miniprogram', 'services', 'launch.js'), "const env = require('../config').env\n// wx.cloud.init() in a comment does not count\nexports.launch = () => wx.cloud.init({ env, traceUser: true })\n")
    const r = await doctor(dir)
    expect(r.out).toContain('✔ 环境 ID / env id\n    由表达式给出，未检查')
    expect(r.code).toBe(0)
  })

  it("accepts phonebind-weapp's initCloud(env) as the cloud init, and checks its literal env", async () => {
    const dir = await healthyProject()
    writeFileSync(join(dir, 'miniprogram', 'app.js'), "const { initCloud } = require('phonebind-weapp')\nApp({ onLaunch() { initCloud('todo-prod-4g7x2k9d1c3b5a6e') } })\n")
    const ok = await doctor(dir)
    expect(ok.out).not.toContain('找不到 wx.cloud.init')
    expect(ok.code).toBe(0)
    writeFileSync(join(dir, 'miniprogram', 'app.js'), "const { initCloud } = require('phonebind-weapp')\nApp({ onLaunch() { initCloud('my-env-id') } })\n")
    const placeholder = await doctor(dir)
    expect(placeholder.out).toContain('env is a placeholder')
    expect(placeholder.code).toBe(1)
  })

  const cases: [string, (dir: string) => void, string][] = [
    ['a placeholder appid', (d) => edit(join(d, 'project.config.json'), (j) => (j.appid = 'touristappid')), '✘ appid 是占位符 “touristappid”'],
    ['a wx000… appid in project.private.config.json', (d) => writeFileSync(join(d, 'project.private.config.json'), '{ "appid": "wx0000000000000000" }'), '✘ appid 是占位符 “wx0000000000000000”'],
    ['a placeholder env id in app.js', (d) => writeFileSync(join(d, 'miniprogram', 'app.js'), readFileSync(join(d, 'miniprogram', 'app.js'), 'utf8').replace('todo-prod-4g7x2k9d1c3b5a6e', 'my-env-id')), 'env is a placeholder'],
    ['no wx.cloud.init at all', (d) => writeFileSync(join(d, 'miniprogram', 'app.js'), 'App({})\n'), '✘ 找不到 wx.cloud.init'],
    ['wx.cloud.init without env', (d) => writeFileSync(join(d, 'miniprogram', 'app.js'), 'App({ onLaunch() { wx.cloud.init({ traceUser: true }) } })\n'), '✘ wx.cloud.init 没有 env'],
    ['cloudbaserc.json without an env id', (d) => edit(join(d, 'cloudbaserc.json'), (j) => (j.envId = 'your-env-id')), '✘ cloudbaserc.json 的 envId 是占位符'],
    ['getPhoneNumber without its openapi permission', (d) => writeFileSync(join(d, 'cloudfunctions', 'getPhoneNumber', 'config.json'), '{ "permissions": { "openapi": [] } }'), 'config.json 缺少 openapi 权限 phonenumber.getPhoneNumber'],
    ['a misspelt permission', (d) => writeFileSync(join(d, 'cloudfunctions', 'getPhoneNumber', 'config.json'), '{ "permissions": { "openapi": ["phonenumber.getPhoneNumberk"] } }'), 'lacks the openapi permission'],
    ['a function runtime too old for the bundle', (d) => edit(join(d, 'cloudbaserc.json'), (j) => ((j.functions as { runtime?: string }[])[0]!.runtime = 'Nodejs16.13')), '运行时太旧或未指定 / runtime too old or not named: login: Nodejs16.13'],
    ['a function without a named runtime', (d) => edit(join(d, 'cloudbaserc.json'), (j) => delete (j.functions as { runtime?: string }[])[1]!.runtime), 'getPhoneNumber: 未指定 / not named'],
    ['an outdated phonebind function', (d) => writeFileSync(join(d, 'cloudfunctions', 'login', 'index.js'), readFileSync(join(d, 'cloudfunctions', 'login', 'index.js'), 'utf8').replace(/^(\/\/ Generated by phonebind )\S+/, '$10.0.1')), '是旧版本 0.0.1'],
    ['a missing function', (d) => rmSync(join(d, 'cloudfunctions', 'unbindPhone'), { recursive: true }), '✘ 云函数 unbindPhone 不存在'],
    ['the component registered nowhere', (d) => edit(join(d, 'miniprogram', 'pages', 'profile', 'index.json'), (j) => (j.usingComponents = {})), '✘ 没有页面注册 phone-auth 组件'],
    ['phonebind-weapp as a devDependency', (d) => edit(join(d, 'package.json'), (p) => ((p.devDependencies = { 'phonebind-weapp': '^0.1.0' }), delete p.dependencies)), 'npm i phonebind-weapp (not -D)'],
    ['构建npm not set up for package.json outside miniprogramRoot', (d) => edit(join(d, 'project.config.json'), (j) => (j.setting = { ...(j.setting as object), packNpmManually: false, packNpmRelationList: [] })), '✘ 构建npm 未配置'],
    ['构建npm never run', (d) => rmSync(join(d, 'miniprogram', 'miniprogram_npm'), { recursive: true }), '✘ 构建npm 未运行'],
    ['构建npm older than the installed package', (d) => writeFileSync(join(d, 'node_modules', 'phonebind-weapp', 'miniprogram_dist', 'phone-auth', 'index.js'), 'Component({ v: 2 })\n'), '✘ 构建npm 的结果已过期'],
    ['a collection without its rule', (d) => rmSync(join(d, 'database', 'sessions.rules.json')), '✘ 集合缺少安全规则 / collections without rules: sessions'],
    ['a rule that lets clients read', (d) => writeFileSync(join(d, 'database', 'users.rules.json'), '{ "read": true, "write": false }'), 'collections without rules: users'],
  ]

  it.each(cases)('fails on %s, with the fix', async (_name, breakIt, expected) => {
    const dir = await healthyProject()
    breakIt(dir)
    const r = await doctor(dir)
    expect(r.code).toBe(1)
    expect(r.out).toContain(expected)
    expect(r.out).toMatch(/→ /)
  })
})
