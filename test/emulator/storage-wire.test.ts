/**
 * Cloud storage through the real wx-server-sdk 4.0.2: a probe function calls `cloud.uploadFile`,
 * `getTempFileURL`, `downloadFile` and `deleteFile` against the emulator, which keeps the files
 * under `<dataDir>/storage/`. Expected shapes are the documented ones (WX
 * reference-server-api/storage/{uploadFile,downloadFile,getTempFileURL,deleteFile}).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunningEmulator } from '../../emulator'
import type { EmulatorUser } from '../../emulator/client'
import { createConsoleRoutes } from '../../emulator/console'
import { buildFixtures, startTestEmulator } from './helpers'

jest.setTimeout(30_000)

type Probe = { ok: true; res: any } | { ok: false; errCode: number; errMsg: string }

const T0 = Date.UTC(2026, 11, 4, 8, 0, 0)
let now = T0
let fixtures: { dir: string; cleanup: () => void }
let dataDir: string
let emu: RunningEmulator
let alice: EmulatorUser
let bucketPrefix: string

beforeAll(async () => {
  fixtures = await buildFixtures()
  dataDir = mkdtempSync(join(tmpdir(), 'phonebind-storage-'))
  emu = await startTestEmulator(fixtures.dir, { dataDir, fresh: true, clock: { now: () => now }, maxFileBytes: 4096, routes: (h) => createConsoleRoutes(h) })
  ;[alice] = await emu.client.users()
  bucketPrefix = `cloud://${emu.env}.`
})

afterAll(async () => {
  await emu?.stop()
  fixtures?.cleanup()
  rmSync(dataDir, { recursive: true, force: true })
})

async function probe(data: Record<string, unknown>): Promise<Probe> {
  return (await emu.client.callFunction<Probe>(alice.openid, 'storageprobe', data)).result
}

async function upload(cloudPath: string, text: string): Promise<string> {
  const up = await probe({ op: 'upload', cloudPath, text })
  if (!up.ok) throw new Error(`upload failed: ${up.errMsg}`)
  return up.res.fileID as string
}

describe('uploadFile → getTempFileURL → downloadFile → deleteFile', () => {
  it('stores the bytes under the data dir and answers each call in its documented shape', async () => {
    const up = await probe({ op: 'upload', cloudPath: 'avatars/o1/头像.txt', text: 'hello 世界' })
    // uploadFile: {fileID, statusCode, errMsg}; fileID is cloud://<env>.<bucket>/<cloudPath>.
    expect(up).toEqual({ ok: true, res: { fileID: expect.stringMatching(/^cloud:\/\/phonebind-local\.[0-9a-f]+-phonebind-local-\d+\/avatars\/o1\/头像\.txt$/), statusCode: expect.any(Number), errMsg: 'uploadFile:ok' } })
    const fileID = (up as { res: { fileID: string } }).res.fileID
    expect(readFileSync(join(dataDir, 'storage', 'avatars', 'o1', '头像.txt'), 'utf8')).toBe('hello 世界')

    // getTempFileURL: fileList [{fileID, tempFileURL, status: 0, errMsg: 'ok'}], a URL on loopback.
    const urls = await probe({ op: 'url', fileList: [fileID] })
    expect(urls).toEqual({ ok: true, res: { errMsg: 'getTempFileURL:ok', fileList: [{ fileID, tempFileURL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/storage\/download\//), status: 0, errMsg: 'ok' }] } })
    const tempFileURL = (urls as { res: { fileList: { tempFileURL: string }[] } }).res.fileList[0]!.tempFileURL
    const fetched = await fetch(encodeURI(tempFileURL))
    expect(fetched.status).toBe(200)
    expect(fetched.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await fetched.text()).toBe('hello 世界')

    // downloadFile: {fileContent, statusCode, errMsg}.
    expect(await probe({ op: 'download', fileID })).toEqual({ ok: true, res: { fileContent: 'hello 世界', statusCode: 200, errMsg: 'downloadFile:ok' } })

    // deleteFile: fileList [{fileID, status: 0, errMsg: 'ok'}]; the file is gone from the folder.
    expect(await probe({ op: 'delete', fileList: [fileID] })).toEqual({ ok: true, res: { errMsg: 'deleteFile:ok', fileList: [{ fileID, status: 0, errMsg: 'ok' }] } })
    expect(existsSync(join(dataDir, 'storage', 'avatars', 'o1', '头像.txt'))).toBe(false)
  })

  it('reports a missing file per item (STORAGE_FILE_NONEXIST, -503003) and fails downloadFile', async () => {
    const missing = `${bucketPrefix}nope/none.txt`
    const kept = await upload('kept.txt', 'k')
    const urls = await probe({ op: 'url', fileList: [missing, kept] })
    expect(urls).toMatchObject({ ok: true, res: { fileList: [{ fileID: missing, status: -503003, tempFileURL: '' }, { fileID: kept, status: 0 }] } })
    expect(await probe({ op: 'delete', fileList: [missing] })).toMatchObject({ ok: true, res: { fileList: [{ fileID: missing, status: -503003 }] } })
    expect(await probe({ op: 'download', fileID: missing })).toMatchObject({ ok: false, errCode: -1, errMsg: expect.stringMatching(/^downloadFile:fail/) })
  })

  it('overwrites a file uploaded again to the same path', async () => {
    const a = await upload('same.txt', 'first')
    const b = await upload('same.txt', 'second')
    expect(b).toBe(a)
    expect(await probe({ op: 'download', fileID: a })).toMatchObject({ ok: true, res: { fileContent: 'second' } })
  })

  // "一次最多取 50 个" / "一次最多 50 个" (WX getTempFileURL, deleteFile); Tencent's node-sdk test
  // "删除超出文件数限制50" expects INVALID_PARAM. wx-server-sdk 4.0.2 surfaces every storage
  // failure as errCode -1 with `<api>:fail <message>` (node-sdk throws; its wrapper keeps the text).
  it('refuses more than 50 files per getTempFileURL or deleteFile call', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `${bucketPrefix}f${i}.txt`)
    expect(await probe({ op: 'url', fileList: many })).toEqual({ ok: false, errCode: -1, errMsg: 'getTempFileURL:fail file_list holds 51 files; at most 50 per call' })
    expect(await probe({ op: 'delete', fileList: many })).toEqual({ ok: false, errCode: -1, errMsg: 'deleteFile:fail fileid_list holds 51 files; at most 50 per call' })
  })
})

describe('limits and safety', () => {
  it('refuses cloud paths that would leave the folder or break the documented alphabet, storing nothing', async () => {
    for (const cloudPath of ['../escape.txt', 'a/../../escape.txt', '/abs.txt', 'a//b.txt', './x.txt', 'sp ace.txt', 'a/b?.txt']) {
      expect(await probe({ op: 'upload', cloudPath, text: 'x' })).toMatchObject({ ok: false, errCode: -1, errMsg: expect.stringMatching(/^uploadFile:fail cloudPath may /) })
    }
    expect(existsSync(join(dataDir, 'escape.txt'))).toBe(false)
    expect(existsSync(join(dataDir, '..', 'escape.txt'))).toBe(false)
  })

  it('refuses an encoded ../ in the upload and download URLs themselves', async () => {
    const put = await fetch(`${emu.url}/storage/upload/a%2F..%2F..%2Fescape.txt`, { method: 'PUT', body: new Uint8Array([120]) })
    expect(put.status).toBe(400)
    expect(await put.text()).toContain('<Code>InvalidURI</Code>')
    const get = await fetch(`${emu.url}/storage/download/..%2F..%2Fwechat.json?sign=x&t=${Math.floor(now / 1000) + 60}`)
    expect(get.status).toBe(403)
    expect(existsSync(join(dataDir, 'escape.txt'))).toBe(false)
  })

  it('refuses a file over the size bound (COS EntityTooLarge, STORAGE_REQUEST_FAIL in node-sdk) and keeps nothing', async () => {
    const res = await probe({ op: 'upload', cloudPath: 'big.bin', bytes: 4097 })
    expect(res).toEqual({ ok: false, errCode: -1, errMsg: 'uploadFile:fail [EntityTooLarge]: the emulator accepts files up to 4096 bytes' })
    expect(existsSync(join(dataDir, 'storage', 'big.bin'))).toBe(false)
    expect(await probe({ op: 'upload', cloudPath: 'fits.bin', bytes: 4096 })).toMatchObject({ ok: true })
  })

  it('refuses an upload without a grant, and a cross-site or text/plain one before any route', async () => {
    const bare = await fetch(`${emu.url}/storage/upload/x.txt`, { method: 'PUT', body: new Uint8Array([120]) })
    expect(bare.status).toBe(403)
    expect(await bare.text()).toContain('<Code>AccessDenied</Code>')
    const crossSite = await fetch(`${emu.url}/storage/upload/x.txt`, { method: 'PUT', body: new Uint8Array([120]), headers: { origin: 'https://evil.example' } })
    expect(crossSite.status).toBe(403)
    expect(await crossSite.json()).toMatchObject({ error: expect.stringContaining('cross-origin') })
    const textPlain = await fetch(`${emu.url}/storage/upload/x.txt`, { method: 'PUT', body: new Uint8Array([120]), headers: { 'content-type': 'text/plain' } })
    expect(textPlain.status).toBe(415)
    expect(existsSync(join(dataDir, 'storage', 'x.txt'))).toBe(false)
  })

  it('serves a temp URL only with its signature and until it expires, sandboxed', async () => {
    const fileID = await upload('page.txt', '<script>alert(1)</script>')
    const urls = await probe({ op: 'url', fileList: [{ fileID, maxAge: 60 }] })
    const url = (urls as { res: { fileList: { tempFileURL: string }[] } }).res.fileList[0]!.tempFileURL
    const ok = await fetch(url)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-security-policy')).toContain('sandbox')
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff')
    expect((await fetch(url.replace(/sign=[0-9a-f]/, 'sign=z'))).status).toBe(403)
    now += 61_000
    expect((await fetch(url)).status).toBe(403)
    now = T0
  })
})

describe('the console lists files', () => {
  it('GET /console/api/files gives fileID, path and size, never contents', async () => {
    const fileID = await upload('listed/one.txt', 'abc')
    const res = await fetch(`${emu.url}/console/api/files`)
    const body = (await res.json()) as { total: number; files: { fileID: string; cloudPath: string; size: number; updatedAt: number }[] }
    expect(body.files).toContainEqual({ fileID, cloudPath: 'listed/one.txt', size: 3, updatedAt: expect.any(Number) })
    expect(JSON.stringify(body)).not.toContain('abc"')
  })
})
