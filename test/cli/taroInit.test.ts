/**
 * `phonebind init` in Taro projects whose config it must not guess at (the happy path, with the
 * real Taro build, is test/frameworks/taro.test.ts). In-process, on copies of the Taro fixture.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { copyEdit } from '../../packages/phonebind/src/frameworks/taro'
import { taroWrapper } from '../../packages/phonebind/src/frameworks/taroWrapper'
import { props } from '../../packages/weapp/src/phone-auth/props'
import { detectFramework } from '../../packages/phonebind/src/frameworks/detect'
import { FIXTURE } from './fixture'
import { runCli } from './helpers'

const TARO_FIXTURE = join(__dirname, '..', 'fixtures', 'taro-project')
const PATTERN = "{ from: 'node_modules/phonebind-weapp/miniprogram_dist', to: 'dist/phonebind-weapp' }"
const made: string[] = []
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })))

function taroCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'phonebind-taro-init-'))
  made.push(dir)
  cpSync(TARO_FIXTURE, dir, { recursive: true })
  return dir
}

describe('framework detection', () => {
  it('recognises the Taro fixture and not a plain devtools project', () => {
    expect(detectFramework(TARO_FIXTURE)?.name).toBe('Taro')
    expect(detectFramework(FIXTURE)).toBeUndefined()
  })

  it('needs @tarojs/* in package.json, not just a config/ folder', () => {
    const dir = taroCopy()
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', dependencies: { react: '18.3.1' } }))
    expect(detectFramework(dir)).toBeUndefined()
  })
})

describe('the copy pattern in config/index.*', () => {
  it('goes after the [ of the template\'s one copy.patterns, indented like it', () => {
    const edit = copyEdit('    copy: {\n      patterns: [\n      ],\n', PATTERN)
    expect(edit).toEqual({ kind: 'insert', next: `    copy: {\n      patterns: [\n        ${PATTERN},\n      ],\n` })
  })

  it('opens a one-line `patterns: []`', () => {
    expect(copyEdit('  copy: {\n    patterns: [],\n  },\n', PATTERN)).toEqual({ kind: 'insert', next: `  copy: {\n    patterns: [\n      ${PATTERN},\n    ],\n  },\n` })
  })

  it('keeps the user\'s own patterns and is not added twice', () => {
    const text = "  copy: {\n    patterns: [\n      { from: 'src/assets/', to: 'dist/assets/' }\n    ],\n"
    const edit = copyEdit(text, PATTERN)
    expect(edit.kind).toBe('insert')
    const next = (edit as { next: string }).next
    expect(next).toContain("{ from: 'src/assets/', to: 'dist/assets/' }")
    expect(copyEdit(next, PATTERN)).toEqual({ kind: 'present' })
  })

  it('leaves anything else to the user: patterns from code, two copy blocks, none', () => {
    expect(copyEdit('  copy: { patterns: myPatterns },\n', PATTERN)).toEqual({ kind: 'manual' })
    expect(copyEdit('  copy: {\n    patterns: [],\n  },\n  h5: { copy: {\n    patterns: [],\n  } }\n', PATTERN)).toEqual({ kind: 'manual' })
    expect(copyEdit('export default {}\n', PATTERN)).toEqual({ kind: 'manual' })
  })
})

describe('the React wrapper and the component\'s events', () => {
  // Taro binds `onX` as `bind` + kebab-case in the template but listens for the lower-cased name at
  // run time, so a camelCase native event (`phoneBound`) would be bound as `bind:phone-bound` and
  // heard as `phonebound`: lost (the Vue 3 form of the same trap: NervJS/taro#8796, #11445).
  const events = [...readFileSync(join(__dirname, '../../packages/weapp/src/phone-auth/index.ts'), 'utf8').matchAll(/triggerEvent\('([^']+)'/g)].map((m) => m[1]!)

  it('every event phone-auth triggers is one lower-case word', () => {
    expect(events.length).toBeGreaterThan(0)
    for (const e of events) expect(e).toMatch(/^[a-z]+$/)
  })

  it('the wrapper forwards every one of them, each written out on the tag', () => {
    const text = taroWrapper('0.0.0')
    for (const e of new Set(events)) {
      const prop = `on${e[0]!.toUpperCase()}${e.slice(1)}`
      expect(text).toContain(`${prop}={(e) => props.${prop}?.(e.detail)}`)
    }
    expect(text.slice(text.indexOf('export default function'))).not.toContain('{...') // no spread on the tag: Taro would bind nothing
  })

  it('the wrapper writes every property phone-auth declares on the tag, the component\'s default when the page leaves it unset', () => {
    const text = taroWrapper('0.0.0')
    const tag = text.slice(text.indexOf('<phone-auth'))
    for (const [name, p] of Object.entries(props)) {
      expect(tag).toContain(`${name}={props.${name} ?? ${JSON.stringify(p.value).replace(/"/g, "'")}}`)
      expect(text).toContain(`  ${name}?: ${typeof p.value}\n`)
    }
  })
})

describe('init in a Taro project it cannot edit safely', () => {
  it('prints the exact line to add, leaves config/index.ts byte for byte, and exits 1', async () => {
    const dir = taroCopy()
    const config = join(dir, 'config', 'index.ts')
    const own = readFileSync(config, 'utf8').replace(/copy: \{\n\s*patterns: \[\n\s*\],/, 'copy: {\n      patterns: sharedPatterns,')
    writeFileSync(config, `const sharedPatterns = []\n${own}`)
    const before = readFileSync(config, 'utf8')
    const run = await runCli(['init', '--yes'], dir)
    expect(run.code).toBe(1)
    expect(readFileSync(config, 'utf8')).toBe(before)
    expect(run.out).toContain(`copy: { patterns: [ ${PATTERN} ] }`)
    expect(run.out).toContain("usingComponents: { 'phone-auth': '/phonebind-weapp/phone-auth/index' }")
  })

  it('never replaces the user\'s own src/components/phone-auth/index.tsx', async () => {
    const dir = taroCopy()
    const wrapper = join(dir, 'src', 'components', 'phone-auth', 'index.tsx')
    mkdirSync(join(wrapper, '..'), { recursive: true })
    writeFileSync(wrapper, 'export default function PhoneAuth() { return null }\n')
    const run = await runCli(['init', '--yes', '--force'], dir)
    expect(readFileSync(wrapper, 'utf8')).toBe('export default function PhoneAuth() { return null }\n')
    expect(run.out).toMatch(/src\/components\/phone-auth\/index\.tsx {2}你的文件，已跳过 \/ your file, skipped|src\/components\/phone-auth\/ {2}你的文件，已跳过/)
  })

  it('asks before editing config/index.ts; without a terminal and --yes it changes nothing there', async () => {
    const dir = taroCopy()
    const config = join(dir, 'config', 'index.ts')
    const before = readFileSync(config, 'utf8')
    const run = await runCli(['init'], dir)
    expect(run.code).toBe(1)
    expect(readFileSync(config, 'utf8')).toBe(before)
    expect(run.out).toContain(`+ copy.patterns: ${PATTERN}`)
  })
})

describe('phonebind doctor in a Taro project', () => {
  const WEAPP_DIST = join(__dirname, '../../packages/weapp/miniprogram_dist')

  it('checks the sources (Taro.cloud.init, the copy pattern, the page config), never 构建npm, and names the Taro fixes', async () => {
    const dir = taroCopy()
    expect((await runCli(['init', '--yes', '--env', 'shop-prod-5f2a9c3e7b1d4068'], dir)).code).toBe(0)
    const before = await runCli(['doctor'], dir)
    expect(before.code).toBe(1)
    expect(before.out).toContain('✔ 环境 ID / env id') // Taro.cloud.init in src/app.ts, not wx.cloud.init in the output
    expect(before.out).toContain('✔ config/index.ts 复制组件 / copies the component')
    expect(before.out).toContain("usingComponents: { 'phone-auth': '/phonebind-weapp/phone-auth/index' }")
    expect(before.out).not.toContain('构建npm')

    // What the README says next: the page config, npm i phonebind-weapp, taro build (its copy).
    writeFileSync(join(dir, 'src/pages/profile/index.config.ts'), "export default definePageConfig({\n  usingComponents: { 'phone-auth': '/phonebind-weapp/phone-auth/index' },\n})\n")
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, dependencies: { ...pkg.dependencies, 'phonebind-weapp': '^0.1.0' } }, null, 2))
    cpSync(WEAPP_DIST, join(dir, 'node_modules/phonebind-weapp/miniprogram_dist'), { recursive: true })
    cpSync(WEAPP_DIST, join(dir, 'dist/phonebind-weapp'), { recursive: true })
    const after = await runCli(['doctor'], dir)
    expect({ code: after.code, failures: after.out.split('\n').filter((l) => l.startsWith('✘')) }).toEqual({ code: 0, failures: [] })
    expect(after.out).toContain('✔ 构建输出中的组件为最新 / the component in the build output is current')

    // An upgrade installed after the last build: the output's copy is stale.
    appendFileSync(join(dir, 'node_modules/phonebind-weapp/miniprogram_dist/index.js'), '\n')
    const stale = await runCli(['doctor'], dir)
    expect(stale.code).toBe(1)
    expect(stale.out).toContain('✘ 构建输出中的组件已过期 / the component in the build output is stale')
  })
})
