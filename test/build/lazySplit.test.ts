import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFunctions } from '../../scripts/buildFunctions'

// The deferral inside form-data (scripts/buildLazy.ts INNER_RULES), on a real function build:
// the multipart request wx.openApi sends must not load the MIME tables or https, and a named
// file part must still get its MIME type from them.
const ROOT = join(__dirname, '..', '..')
let out: string

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'lazy-split-test-'))
  await buildFunctions({ root: join(ROOT, 'cloudfunctions'), outDir: out, functions: ['getOpenData'] })
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
