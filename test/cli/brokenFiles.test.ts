/**
 * A user's file the framework paths of the CLI cannot use (uni-app's manifest.json / pages.json,
 * Taro's package.json and config/index.*, project.config.json): init, dev and doctor stop with one
 * line naming the file, its line:column, what is wrong and what to do — exit 1, no stack trace —
 * and init writes nothing. Also: init's step 3 names the framework's own cloud init.
 * In-process, on copies of the fixtures.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { copyFixture, cleanupFixtures, hashTree } from './fixture'
import { runCli } from './helpers'
import { COMMANDS } from '../../packages/phonebind/src/cli'
import { UserFileError } from '../../packages/phonebind/src/userFile'

const REPO = resolve(__dirname, '../..')
const made: string[] = []
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true })
  cleanupFixtures()
})

function copyOf(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'phonebind-broken-'))
  made.push(dir)
  cpSync(join(REPO, 'test/fixtures', fixture), dir, { recursive: true })
  return dir
}

/** A pages.json with comments (allowed) and a missing comma at line 5, column 5. */
const PAGES_MISSING_COMMA = '{\n  // 页面 / pages\n  "pages": [\n    { "path": "pages/index/index" }\n    { "path": "pages/profile/index" }\n  ]\n}\n'
/** A manifest.json with an unquoted key at line 4, column 5. */
const MANIFEST_UNQUOTED = '{\n  "mp-weixin": {\n    "appid": "wx0123456789abcdef",\n    cloudfunctionRoot: "../../../../cloudfunctions/"\n  }\n}\n'

/** What every failure must look like: exit 1, one ✘ line for the file at line:column, no stack trace, no other output on stderr. */
function expectFileError(r: { code: number; out: string; err: string }, where: string, problem: string, fix = '修正后重新运行 / fix it and run again'): void {
  const text = r.out + r.err
  expect(r.code).toBe(1)
  expect(text).toContain(`✘ ${where} ${problem} → ${fix}\n`)
  expect(text).not.toMatch(/\n\s+at /)
  expect(text).not.toContain('Error')
}

describe('uni-app sources that do not parse', () => {
  it('init: a pages.json missing a comma stops at 5:5, before anything is written', async () => {
    const dir = copyOf('uniapp-project')
    writeFileSync(join(dir, 'src/pages.json'), PAGES_MISSING_COMMA)
    const before = hashTree(dir)
    const r = await runCli(['init', '--yes'], dir)
    expectFileError(r, `${join(dir, 'src/pages.json')}:5:5`, '无法解析：此处应为逗号 / cannot parse: comma expected')
    expect(r.out).toBe('')
    expect(hashTree(dir)).toEqual(before)
  })

  it.each([['init'], ['dev'], ['doctor']])('%s: a manifest.json with an unquoted key stops at 4:5', async (command) => {
    const dir = copyOf('uniapp-project')
    writeFileSync(join(dir, 'src/manifest.json'), MANIFEST_UNQUOTED)
    const before = hashTree(dir)
    const r = await runCli([command!], dir)
    expectFileError(r, `${join(dir, 'src/manifest.json')}:4:5`, '无法解析：无效的符号 / cannot parse: invalid symbol')
    expect(hashTree(dir)).toEqual(before)
  })

  it('doctor: a pages.json missing a comma is named with its place', async () => {
    const dir = copyOf('uniapp-project')
    writeFileSync(join(dir, 'src/pages.json'), PAGES_MISSING_COMMA)
    expectFileError(await runCli(['doctor'], dir), `${join(dir, 'src/pages.json')}:5:5`, '无法解析：此处应为逗号 / cannot parse: comma expected')
  })

  it('init: a pages.json that is valid JSON but not an object says so', async () => {
    const dir = copyOf('uniapp-project')
    writeFileSync(join(dir, 'src/pages.json'), '[]\n')
    const before = hashTree(dir)
    expectFileError(await runCli(['init', '--yes'], dir), join(dir, 'src/pages.json'), '无法使用：顶层不是 JSON 对象 { … } / cannot use: the top level is not a JSON object { … }')
    expect(hashTree(dir)).toEqual(before)
  })
})

describe('Taro files that cannot be used', () => {
  it('init and doctor: a package.json with a trailing comma is named at 3:1, not taken for "not Taro"', async () => {
    const dir = copyOf('taro-project')
    writeFileSync(join(dir, 'package.json'), '{\n  "dependencies": { "@tarojs/taro": "4.0.9" },\n}\n')
    const before = hashTree(dir)
    for (const command of ['init', 'doctor']) {
      expectFileError(await runCli([command], dir), `${join(dir, 'package.json')}:3:1`, '无法解析：多余的逗号（此文件不允许末尾逗号） / cannot parse: trailing comma (not allowed in this file)')
    }
    expect(hashTree(dir)).toEqual(before)
  })

  it('init: a config/index.ts that cannot be read stops before anything is written', async () => {
    const dir = copyOf('taro-project')
    unlinkSync(join(dir, 'config/index.ts'))
    mkdirSync(join(dir, 'config/index.ts'))
    const before = hashTree(dir)
    expectFileError(await runCli(['init', '--yes'], dir), join(dir, 'config/index.ts'), '无法读取（EISDIR）/ cannot be read (EISDIR)', '检查它是可读的文件后重新运行 / make it a readable file and run again')
    expect(hashTree(dir)).toEqual(before)
  })
})

describe('project.config.json', () => {
  it('init: a comment in project.config.json is named at its line:column', async () => {
    const dir = copyFixture()
    const file = join(dir, 'project.config.json')
    writeFileSync(file, '{\n  // 注释 / a comment\n  "appid": "wx0123456789abcdef"\n}\n')
    const before = hashTree(dir)
    expectFileError(await runCli(['init', '--yes'], dir), `${file}:2:3`, '无法解析：此文件不允许注释 / cannot parse: comments are not allowed in this file')
    expect(hashTree(dir)).toEqual(before)
  })
})

describe("init's step 3 names the framework's own cloud init", () => {
  it('Taro: src/app.* → Taro.cloud.init, never app.js → wx.cloud.init', async () => {
    const dir = copyOf('taro-project')
    const r = await runCli(['init', '--yes'], dir)
    const step3 = r.out.split('\n').find((l) => l.startsWith('  3. '))
    expect(step3).toMatch(/src\/app\.\* (→ Taro\.cloud\.init\(|的 Taro\.cloud\.init)/)
    expect(r.out).not.toContain('app.js')
  })

  it('uni-app: App.vue, main.* → wx.cloud.init', async () => {
    const dir = copyOf('uniapp-project')
    const r = await runCli(['init', '--yes'], dir)
    const step3 = r.out.split('\n').find((l) => l.startsWith('  3. '))
    expect(step3).toMatch(/src\/App\.vue, main\.\* (→ wx\.cloud\.init\(|的 wx\.cloud\.init)/)
  })
})

describe('cloudbaserc.json', () => {
  it('init: a broken cloudbaserc.json stops init before the functions are written', async () => {
    const dir = copyFixture()
    const file = join(dir, 'cloudbaserc.json')
    writeFileSync(file, '{\n  "envId": "todo-prod-4g7x2k9d1c3b5a6e"\n  "functions": []\n}\n')
    const before = hashTree(dir)
    expectFileError(await runCli(['init', '--yes'], dir), `${file}:3:3`, '无法解析：此处应为逗号 / cannot parse: comma expected')
    expect(hashTree(dir)).toEqual(before)
  })
})

describe('the dispatcher', () => {
  it('prints a ProjectError a command did not catch as its ✘ line, exit 1 (a file read late still never ends in a stack trace)', async () => {
    const file = join(tmpdir(), 'late.json')
    COMMANDS['late-read'] = { summary: 'test', load: () => ({ usage: '', run: async () => { throw new UserFileError(file, '无法解析：此处应为逗号 / cannot parse: comma expected', '修正后重新运行 / fix it and run again', { line: 2, column: 7 }) } }) }
    try {
      const r = await runCli(['late-read'], tmpdir())
      expectFileError(r, `${file}:2:7`, '无法解析：此处应为逗号 / cannot parse: comma expected')
      expect(r.err).toBe(`✘ ${file}:2:7 无法解析：此处应为逗号 / cannot parse: comma expected → 修正后重新运行 / fix it and run again\n`)
    } finally {
      delete COMMANDS['late-read']
    }
  })
})
