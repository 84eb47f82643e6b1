import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PHONEBIND_FUNCTIONS } from '../../packages/phonebind/src/facts'
import { cleanupFixtures, copyFixture, FIXTURE, hashTree } from './fixture'
import { runCli } from './helpers'

afterAll(cleanupFixtures)

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'))

describe('phonebind init in an existing project', () => {
  it('adds the four functions, the rules and cloudbaserc.json, and a second run changes nothing', async () => {
    const dir = copyFixture()
    const userFiles = hashTree(FIXTURE)
    const first = await runCli(['init', '--yes'], join(dir, 'miniprogram', 'pages'))
    expect(first.code).toBe(0)
    for (const fn of PHONEBIND_FUNCTIONS) {
      for (const f of ['index.js', 'phonebind.js', 'package.json', 'config.json']) expect(existsSync(join(dir, 'cloudfunctions', fn, f))).toBe(true)
    }
    expect(json(join(dir, 'cloudfunctions', 'getPhoneNumber', 'config.json')).permissions.openapi).toEqual(['phonenumber.getPhoneNumber'])
    expect(json(join(dir, 'cloudfunctions', 'login', 'package.json')).dependencies).toEqual({})
    expect(json(join(dir, 'database', 'users.rules.json'))).toEqual({ read: false, write: false })
    const rc = json(join(dir, 'cloudbaserc.json'))
    expect(rc.envId).toBe('todo-prod-4g7x2k9d1c3b5a6e') // read from app.js's wx.cloud.init
    expect(rc.functions.map((f: { name: string; runtime: string }) => `${f.name}:${f.runtime}`)).toEqual(PHONEBIND_FUNCTIONS.map((n) => `${n}:Nodejs18.15`))
    // phoneQuota's timer: in config.json for devtools, in cloudbaserc.json for `tcb fn trigger create`.
    const quotaTimer = [{ name: 'phoneQuotaDaily', type: 'timer', config: '0 0 9 * * * *' }]
    expect(json(join(dir, 'cloudfunctions', 'phoneQuota', 'config.json')).triggers).toEqual(quotaTimer)
    expect(rc.functions.find((f: { name: string }) => f.name === 'phoneQuota').triggers).toEqual(quotaTimer)
    expect(first.out).toContain('"phone-auth": "phonebind-weapp/phone-auth/index"')
    expect(first.out).toContain('构建npm')
    expect(first.out).toContain('手机号')

    // Every file the user wrote is byte for byte the same, except project.config.json …
    const after = hashTree(dir)
    for (const [f, h] of userFiles) if (f !== 'project.config.json') expect([f, after.get(f)]).toEqual([f, h])
    // … which only gained the 构建npm setting (devtools' template defaults false / [] replaced).
    const before = json(join(FIXTURE, 'project.config.json'))
    const now = json(join(dir, 'project.config.json'))
    expect({ ...now, setting: { ...now.setting, packNpmManually: false, packNpmRelationList: [] } }).toEqual(before)
    expect(now.setting.packNpmManually).toBe(true)
    expect(now.setting.packNpmRelationList).toEqual([{ packageJsonPath: './package.json', miniprogramNpmDistDir: './miniprogram/' }])

    const second = await runCli(['init', '--yes'], dir)
    expect(second.code).toBe(0)
    expect(hashTree(dir)).toEqual(after)
    expect(second.out).not.toContain('新建 / created')
  })

  it('does not touch project.config.json without a terminal or --yes, and says how', async () => {
    const dir = copyFixture()
    const before = readFileSync(join(dir, 'project.config.json'), 'utf8')
    const r = await runCli(['init'], dir)
    expect(r.code).toBe(1)
    expect(readFileSync(join(dir, 'project.config.json'), 'utf8')).toBe(before)
    expect(r.out).toContain('+ setting.packNpmManually = true')
    expect(r.out).toContain('--yes')
  })

  it('asks on a terminal before changing project.config.json, and respects no', async () => {
    const dir = copyFixture()
    const before = readFileSync(join(dir, 'project.config.json'), 'utf8')
    const no = await runCli(['init'], dir, {}, 'n\n')
    expect(no.out).toContain('change project.config.json? [Y/n]')
    expect(readFileSync(join(dir, 'project.config.json'), 'utf8')).toBe(before)
    const yes = await runCli(['init'], dir, {}, 'y\n')
    expect(yes.code).toBe(0)
    expect(json(join(dir, 'project.config.json')).setting.packNpmManually).toBe(true)
  })

  it("never replaces a user's function of the same name, even with --force, and fails saying so", async () => {
    const dir = copyFixture()
    const mine = 'exports.main = async () => ({ mine: true })\n'
    mkdirSync(join(dir, 'cloudfunctions', 'login'))
    writeFileSync(join(dir, 'cloudfunctions', 'login', 'index.js'), mine)
    const r = await runCli(['init', '--yes', '--force'], dir)
    expect(r.code).toBe(1)
    expect(readFileSync(join(dir, 'cloudfunctions', 'login', 'index.js'), 'utf8')).toBe(mine)
    expect(r.out).toContain('cloudfunctions/login/index.js  你的文件，已跳过 / your file, skipped')
    expect(r.out).toContain('✘')
  })

  it("keeps a user's edited config.json and reports an own older script; --force replaces only the script", async () => {
    const dir = copyFixture()
    await runCli(['init', '--yes'], dir)
    const cfg = join(dir, 'cloudfunctions', 'getPhoneNumber', 'config.json')
    const edited = '{ "permissions": { "openapi": ["phonenumber.getPhoneNumber"] }, "timeout": 20 }\n'
    writeFileSync(cfg, edited)
    const loader = join(dir, 'cloudfunctions', 'getPhoneNumber', 'index.js')
    const current = readFileSync(loader, 'utf8')
    const older = current.replace(/^(\/\/ Generated by phonebind )\S+/, '$10.0.1')
    writeFileSync(loader, older)

    const plain = await runCli(['init', '--yes'], dir)
    expect(plain.out).toMatch(/getPhoneNumber\/index\.js  旧版本/)
    expect(readFileSync(loader, 'utf8')).toBe(older)

    const forced = await runCli(['init', '--yes', '--force'], dir)
    expect(forced.code).toBe(0)
    expect(readFileSync(loader, 'utf8')).toBe(current)
    expect(readFileSync(cfg, 'utf8')).toBe(edited)
  })

  it("adds only the missing functions to a user's cloudbaserc.json, keeping theirs", async () => {
    const dir = copyFixture()
    const theirs = { envId: 'todo-prod-4g7x2k9d1c3b5a6e', functionRoot: './cloudfunctions', functions: [{ name: 'todos', timeout: 5, runtime: 'Nodejs16.13' }, { name: 'login', runtime: 'Nodejs16.13' }] }
    writeFileSync(join(dir, 'cloudbaserc.json'), JSON.stringify(theirs, null, 4))
    const r = await runCli(['init', '--yes'], dir)
    const rc = json(join(dir, 'cloudbaserc.json'))
    expect(rc.functions.slice(0, 2)).toEqual(theirs.functions)
    expect(rc.functions.map((f: { name: string }) => f.name)).toEqual(['todos', ...PHONEBIND_FUNCTIONS])
    expect(readFileSync(join(dir, 'cloudbaserc.json'), 'utf8')).toMatch(/^\{\n {4}"envId"/) // their indentation
    expect(r.out).toContain('+ functions[name=getPhoneNumber]')
  })

  it('adds cloudfunctionRoot to a project without one, and creates the folder', async () => {
    const dir = copyFixture()
    const file = join(dir, 'project.config.json')
    const cfg = json(file)
    delete cfg.cloudfunctionRoot
    writeFileSync(file, JSON.stringify(cfg, null, 2) + '\n')
    const r = await runCli(['init', '--yes'], dir)
    expect(r.code).toBe(0)
    expect(json(file).cloudfunctionRoot).toBe('cloudfunctions/')
    expect(existsSync(join(dir, 'cloudfunctions', 'login', 'index.js'))).toBe(true)
  })

  it('refuses outside a devtools project', async () => {
    const r = await runCli(['init', '--yes'], '/')
    expect(r.code).toBe(1)
    expect(r.err).toContain('project.config.json')
  })
})
