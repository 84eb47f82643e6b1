import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFunctions } from '../../scripts/buildFunctions'
import { scfEnvironment } from '../../emulator/runner/runner'

// The deferral inside form-data (scripts/buildLazy.ts INNER_RULES), on a real function build:
// the multipart request wx.openApi sends must not load the MIME tables or https, and a named
// file part must still get its MIME type from them.
const ROOT = join(__dirname, '..', '..')
let out: string

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'lazy-split-test-'))
  await buildFunctions({ root: join(ROOT, 'cloudfunctions'), outDir: out, functions: ['getOpenData', 'sendSmsCode'] })
}, 60_000)
afterAll(() => rmSync(out, { recursive: true, force: true }))

test('the openapi side file holds form-data without the MIME tables', () => {
  const openapi = readFileSync(join(out, 'getOpenData', 'index.deps-openapi.js'), 'utf8')
  expect(openapi).toContain('multipart/form-data')
  expect(openapi).not.toContain('application/vnd.ms-excel')
  expect(openapi.length).toBeLessThan(80 * 1024)
  expect(readFileSync(join(out, 'getOpenData', 'index.deps-rare.js'), 'utf8')).toContain('application/vnd.ms-excel')
})

test('a Buffer part loads neither mime-db nor https; a named part still gets its MIME type', () => {
  const script = `
    const side = require('./index.deps-openapi.js');
    const FormData = side['form-data']();
    const loaded = () => ({ rare: Object.keys(require.cache).some((f) => f.endsWith('index.deps-rare.js')), https: process.moduleLoadList.includes('NativeModule https') });
    const f = new FormData();
    f.append('wxPayload', Buffer.from('{"a":1}'));
    const body = f.getBuffer().toString();
    const afterBuffer = loaded();
    const g = new FormData();
    g.append('media', Buffer.from('x'), { filename: 'a.png' });
    const named = g.getBuffer().toString();
    process.stdout.write(JSON.stringify({ body, afterBuffer, named, afterNamed: loaded() }));
  `
  const r = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: join(out, 'getOpenData'), encoding: 'utf8' })) as {
    body: string
    afterBuffer: { rare: boolean; https: boolean }
    named: string
    afterNamed: { rare: boolean; https: boolean }
  }
  expect(r.body).toContain('Content-Type: application/octet-stream')
  expect(r.body).toContain('{"a":1}')
  expect(r.afterBuffer).toEqual({ rare: false, https: false })
  expect(r.named).toContain('Content-Type: image/png')
  expect(r.afterNamed.rare).toBe(true)
})

// scripts/buildLazy.ts SOURCE_RULES: the Tencent Cloud SMS SDK is in sendSmsCode's side file
// `index.deps-sms.js`, loaded only when a text is sent (the real send through it is
// test/functions/smsFallback.test.ts, on bundles built the same way).
describe('sendSmsCode defers the Tencent Cloud SMS SDK', () => {
  // Names only the SDK has: an sms_client method phonebind never calls, the common client's error class.
  const SDK_MARKERS = ['DescribeSmsSignList', 'TencentCloudSDKHttpException']

  test('the SDK is in index.deps-sms.js, not in index.js', () => {
    const main = readFileSync(join(out, 'sendSmsCode', 'index.js'), 'utf8')
    const sms = readFileSync(join(out, 'sendSmsCode', 'index.deps-sms.js'), 'utf8')
    for (const marker of SDK_MARKERS) {
      expect(main).not.toContain(marker)
      expect(sms).toContain(marker)
    }
  })

  test('loading the function and refusing a request without sending loads no SDK', () => {
    expect(existsSync(join(out, 'sendSmsCode', 'index.deps-sms.js'))).toBe(true)
    const script = `
      const m = require('./index.js');
      const sms = () => Object.keys(require.cache).some((f) => f.endsWith('index.deps-sms.js'));
      const afterRequire = sms();
      m.main({ phone: 'not a number' }, {}).then((r) => process.stdout.write('\\n@@' + JSON.stringify({ afterRequire, code: r.error && r.error.code, afterCall: sms() })));
    `
    const env = { PATH: process.env.PATH ?? '', ...scfEnvironment({ env: 'lazy', adminUrl: 'http://127.0.0.1:9/admin' }), WX_OPENID: 'o-lazy-split', WX_APPID: 'wxlazysplit' }
    // The function logs JSON lines to stdout too; the script's line is marked.
    const stdout = execFileSync(process.execPath, ['-e', script], { cwd: join(out, 'sendSmsCode'), env, encoding: 'utf8' })
    const line = stdout.split('\n').find((l) => l.startsWith('@@')) ?? ''
    const r = JSON.parse(line.slice(2)) as { afterRequire: boolean; code: string; afterCall: boolean }
    expect(r).toEqual({ afterRequire: false, code: 'PHONE_INVALID', afterCall: false })
  })

  test('the SDK loads without whatwg-url: node-fetch never reads it on Node (buildLazy INNER_RULES)', () => {
    // tr46's processing-option names: whatwg-url's IDNA tables, only in the rare side file.
    expect(readFileSync(join(out, 'sendSmsCode', 'index.deps-sms.js'), 'utf8')).not.toContain('processing_option')
    const script = `
      const side = require('./index.deps-sms.js');
      const { Client } = Object.values(side)[0]();
      new Client({ credential: { secretId: 'id', secretKey: 'key' }, region: 'ap-guangzhou' });
      process.stdout.write(JSON.stringify({ client: typeof Client, rare: Object.keys(require.cache).some((f) => f.endsWith('index.deps-rare.js')) }));
    `
    const r = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: join(out, 'sendSmsCode'), encoding: 'utf8' })) as { client: string; rare: boolean }
    expect(r).toEqual({ client: 'function', rare: false })
  })
})
