/**
 * @jest-environment node
 *
 * WeChat's own compilers accept the demo mini program as `npm run build` leaves it: the pages,
 * and phone-auth taken through 构建npm from miniprogram_npm/. miniprogram-ci resolves every
 * usingComponents entry the way devtools does and parses every script; wcc and wcsc compile every
 * WXML and WXSS file. Each check is also shown to fail on a broken input, so a pass means something.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { compileWithMiniprogramCi, runWcc, runWcsc, type CompiledProject } from './wechatCompilers'

const REPO = path.resolve(__dirname, '../..')
let compiled: CompiledProject

beforeAll(async () => {
  compiled = await compileWithMiniprogramCi(REPO)
}, 60_000)
afterAll(() => fs.rmSync(compiled.dir, { recursive: true, force: true }))

/** A copy of the devtools project (config + mini program) to break on purpose. */
function projectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phonebind-project-'))
  fs.copyFileSync(path.join(REPO, 'project.config.json'), path.join(dir, 'project.config.json'))
  fs.cpSync(path.join(REPO, 'miniprogram'), path.join(dir, 'miniprogram'), { recursive: true })
  return dir
}

describe('miniprogram-ci (the compile step of 上传, offline)', () => {
  test('compiles the demo, with phone-auth from miniprogram_npm in the package', () => {
    expect(compiled.files).toEqual(expect.arrayContaining([
      'app.js', 'app.json', 'pages/index/index.js', 'pages/index/index.json', 'pages/index/index.wxml',
      'miniprogram_npm/phonebind-weapp/index.js',
      'miniprogram_npm/phonebind-weapp/phone-auth/index.js',
      'miniprogram_npm/phonebind-weapp/phone-auth/index.json',
      'miniprogram_npm/phonebind-weapp/phone-auth/index.wxml',
      'miniprogram_npm/phonebind-weapp/phone-auth/index.wxss',
      'miniprogram_npm/phonebind-weapp/core/errors.js',
      'miniprogram_npm/phonebind-weapp/sms-verify/index.js',
      'miniprogram_npm/phonebind-weapp/sms-verify/index.json',
      'miniprogram_npm/phonebind-weapp/sms-verify/index.wxml',
      'miniprogram_npm/phonebind-weapp/sms-verify/index.wxss',
    ]))
    // TypeScript went through devtools' plugin: no .ts is uploaded, and the page asks for the package by name.
    expect(compiled.files.filter((f) => f.endsWith('.ts'))).toEqual([])
    expect(fs.readFileSync(path.join(compiled.dir, 'pages/index/index.js'), 'utf8')).toContain('require("phonebind-weapp")')
  })

  test('refuses a usingComponents entry that does not resolve in miniprogram_npm', async () => {
    const dir = projectCopy()
    try {
      const page = path.join(dir, 'miniprogram/pages/index/index.json')
      fs.writeFileSync(page, fs.readFileSync(page, 'utf8').replace('phonebind-weapp/phone-auth/index', 'phonebind-weapp/no-such/index'))
      await expect(compileWithMiniprogramCi(dir)).rejects.toThrow(/component not found/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('wcc and wcsc (miniprogram-compiler)', () => {
  test('wcc compiles every WXML file, the package component included', () => {
    const wxml = compiled.files.filter((f) => f.endsWith('.wxml'))
    expect(wxml).toContain('miniprogram_npm/phonebind-weapp/phone-auth/index.wxml')
    expect(wxml).toContain('miniprogram_npm/phonebind-weapp/sms-verify/index.wxml')
    const run = runWcc(compiled.dir, wxml)
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' })
    expect(run.stdout).toContain('$gwx')
    expect(run.stdout).toContain("'miniprogram_npm/phonebind-weapp/phone-auth/index.wxml'") // the compiled template registry
  })

  test('wcc refuses broken WXML', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phonebind-wcc-'))
    try {
      fs.writeFileSync(path.join(dir, 'broken.wxml'), '<view><text>unclosed</view>')
      expect(runWcc(dir, ['broken.wxml']).status).not.toBe(0)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test('wcsc compiles every WXSS file, the package component included', () => {
    const wxss = compiled.files.filter((f) => f.endsWith('.wxss'))
    expect(wxss).toContain('miniprogram_npm/phonebind-weapp/phone-auth/index.wxss')
    expect(wxss).toContain('miniprogram_npm/phonebind-weapp/sms-verify/index.wxss')
    const run = runWcsc(compiled.dir, wxss)
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' })
    expect(run.stdout).toContain('miniprogram_npm/phonebind-weapp/phone-auth/index.wxss')
  })

  test('wcsc refuses broken WXSS', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phonebind-wcsc-'))
    try {
      fs.writeFileSync(path.join(dir, 'broken.wxss'), '.a { color: red; ')
      expect(runWcsc(dir, ['broken.wxss']).status).not.toBe(0)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
