/**
 * What a web page in the developer's browser can do to the local emulator (red-team F3, F4, F12),
 * with the headers a browser would send written out by hand: cross-site requests (Origin),
 * CORS-simple bodies (Content-Type), DNS rebinding (Host), and malformed input.
 */
import * as http from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator } from '../../emulator'
import { createConsoleRoutes, HIDDEN } from '../../emulator/console'

jest.setTimeout(20_000)

const SESSION_KEY = 'c2Vzc2lvbmtleTEyMzQ1Ng=='
const NUMBER = '13912345678'

let emu: RunningEmulator
let noFunctions: string
let base: Record<string, string>

beforeAll(async () => {
  noFunctions = mkdtempSync(join(tmpdir(), 'phonebind-nofn-'))
  emu = await startEmulator({ functionsDir: noFunctions, quiet: true, seed: 'guard', routes: (h) => createConsoleRoutes(h) })
  base = { host: `127.0.0.1:${emu.port}` }
  await emu.store.insert('sessions', [{ _id: 'oVictim0001', session_key: SESSION_KEY, updatedAt: 1 }])
  await emu.store.insert('users', [{ _id: 'oVictim0001', phone: { e164: `+86${NUMBER}`, purePhoneNumber: NUMBER, countryCode: '86' } }])
})
afterAll(async () => {
  await emu?.stop()
  rmSync(noFunctions, { recursive: true, force: true })
})

interface Answer {
  status: number
  text: string
  headers: http.IncomingHttpHeaders
}

/** One request with exactly these headers (fetch would not let us set Host). */
function send(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; port?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: opts.port ?? emu.port, path, method: opts.method ?? 'GET', headers: { ...base, ...opts.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }))
    })
    req.on('error', reject)
    if (opts.body !== undefined) req.end(opts.body)
    else req.end()
  })
}

const JSON_CT = { 'content-type': 'application/json' }
const ATTACKER = { origin: 'http://attacker.test:8000' }
const adminInsert = (id: string) => JSON.stringify({ action: 'database.insertDocument', collectionName: 'phone_index', data: [JSON.stringify({ _id: id, openid: 'oCSRFattacker01' })] })
const userCount = () => emu.wechat.listUsers().length

describe('cross-site requests (F3)', () => {
  it('refuses a no-cors text/plain POST from another origin on /client and changes nothing', async () => {
    const before = userCount()
    const r = await send('/client/users', { method: 'POST', headers: { ...ATTACKER, 'content-type': 'text/plain;charset=UTF-8' }, body: JSON.stringify({ openid: 'oCSRFattacker01' }) })
    expect(r.status).toBe(403)
    expect(JSON.parse(r.text).error).toMatch(/cross-origin/)
    expect(userCount()).toBe(before)
    expect(emu.wechat.getUser('oCSRFattacker01')).toBeUndefined()
  })

  it('refuses a foreign Origin whatever the body type, and an opaque Origin "null"', async () => {
    for (const origin of ['http://attacker.test:8000', 'http://127.0.0.1:1', `http://127.0.0.1.attacker.test:${emu.port}`, 'null', `https://127.0.0.1:${emu.port}`]) {
      const r = await send('/client/control/app', { method: 'POST', headers: { origin, ...JSON_CT }, body: JSON.stringify({ quota: 0 }) })
      expect([origin, r.status]).toEqual([origin, 403])
    }
    const reset = await send('/client/control/reset', { method: 'POST', headers: ATTACKER })
    expect(reset.status).toBe(403)
    expect(emu.wechat.getApp()!.quota).toBeGreaterThan(0)
  })

  it('refuses a cross-site /admin write, multipart (a CORS-simple type) included', async () => {
    const form = new FormData()
    form.append('action', 'database.insertDocument')
    form.append('collectionName', 'phone_index')
    form.append('data', JSON.stringify([JSON.stringify({ _id: 'p86csrf', openid: 'oCSRFattacker01' })]))
    const multipart = new Response(form)
    const body = Buffer.from(await multipart.arrayBuffer())
    const ct = multipart.headers.get('content-type')!
    expect((await send('/admin', { method: 'POST', headers: { ...ATTACKER, 'content-type': ct }, body })).status).toBe(403)
    expect((await send('/admin', { method: 'POST', headers: { ...ATTACKER, 'content-type': 'text/plain' }, body: adminInsert('p86csrf') })).status).toBe(403)
    expect(emu.store.get('phone_index', 'p86csrf')).toBeUndefined()
  })

  it('accepts only the content types the real clients send, even without an Origin', async () => {
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16']) {
      expect((await send('/client/users', { method: 'POST', headers: { 'content-type': ct }, body: '{}' })).status).toBe(415)
    }
    expect((await send('/client/control/reset', { method: 'POST' })).status).toBe(415)
    expect((await send('/admin', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: adminInsert('p86plain') })).status).toBe(415)
    expect(emu.store.get('phone_index', 'p86plain')).toBeUndefined()
    // What wx-server-sdk / @cloudbase/node-sdk send (application/json; multipart for wx.openApi).
    const ok = await send('/admin', { method: 'POST', headers: JSON_CT, body: adminInsert('p86json') })
    expect(JSON.parse(ok.text)).not.toHaveProperty('code')
    expect(emu.store.get('phone_index', 'p86json')).toMatchObject({ openid: 'oCSRFattacker01' })
  })

  it("accepts the emulator's own origin (the console page), by either loopback name", async () => {
    for (const origin of [`http://127.0.0.1:${emu.port}`, `http://localhost:${emu.port}`]) {
      const r = await send('/client/checkSession', { method: 'POST', headers: { origin, ...JSON_CT }, body: JSON.stringify({ openid: emu.seededUsers[0]!.openid }) })
      expect(r.status).toBe(200)
    }
  })
})

describe('DNS rebinding (F4)', () => {
  it('refuses a Host that is not a loopback name with the emulator port', async () => {
    for (const host of [`attacker.test:${emu.port}`, `127.0.0.1:${emu.port + 1}`, `localhost.attacker.test:${emu.port}`, `0.0.0.0:${emu.port}`, '127.0.0.1', `127.0.0.1:${emu.port}@attacker.test`]) {
      for (const path of ['/client/db/sessions', '/console/api/db/users?reveal=1', '/client/users', '/console/api/events']) {
        const r = await send(path, { headers: { host } })
        expect([host, path, r.status]).toEqual([host, path, 403])
        expect(r.text).not.toContain(NUMBER)
      }
    }
    const write = await send('/client/users', { method: 'POST', headers: { host: `attacker.test:${emu.port}`, origin: `http://attacker.test:${emu.port}`, ...JSON_CT }, body: '{}' })
    expect(write.status).toBe(403)
  })

  it('accepts localhost, 127.x.x.x and [::1] with the emulator port', async () => {
    for (const host of [`localhost:${emu.port}`, `127.0.0.1:${emu.port}`, `127.1.2.3:${emu.port}`, `[::1]:${emu.port}`, `LOCALHOST:${emu.port}`]) {
      expect([host, (await send('/client/apps', { headers: { host } })).status]).toEqual([host, 200])
    }
  })

  it('never hands out a session key over HTTP: /client/db hides it as the console does', async () => {
    for (const path of ['/client/db/sessions', '/client/db/sessions?reveal=1', '/console/api/db/sessions?reveal=1']) {
      const r = await send(path)
      expect(r.status).toBe(200)
      expect(r.text).not.toContain(SESSION_KEY)
      expect(JSON.parse(r.text).documents).toContainEqual({ _id: 'oVictim0001', session_key: HIDDEN, updatedAt: 1 })
    }
    // Numbers are masked unless asked for, as in the console.
    expect((await send('/client/db/users')).text).not.toContain(NUMBER)
    expect((await send('/client/db/users?reveal=1')).text).toContain(NUMBER)
    expect(await emu.client.db('users')).toContainEqual(expect.objectContaining({ phone: expect.objectContaining({ e164: `+86${NUMBER}` }) }))
  })

  it('sends anti-framing headers with the console', async () => {
    const r = await send('/console/api/info')
    expect(r.status).toBe(200)
    expect(r.headers['x-frame-options']).toBe('DENY')
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'")
  })

  it('warns when listening on a non-loopback address, where Host is not checked but Origin still is', async () => {
    const lines: string[] = []
    const open = await startEmulator({ host: '0.0.0.0', functionsDir: noFunctions, seed: 'guard-open', log: (l) => lines.push(l) })
    try {
      expect(lines.join('\n')).toMatch(/WARNING.*0\.0\.0\.0.*not loopback/)
      const lan = { host: `192.168.1.20:${open.port}` }
      expect((await send('/client/apps', { port: open.port, headers: lan })).status).toBe(200)
      const post = (origin: string) => send('/client/apps', { port: open.port, method: 'POST', headers: { ...lan, origin, ...JSON_CT }, body: '{}' })
      expect((await post('http://attacker.test')).status).toBe(403)
      expect((await post(`http://192.168.1.20:${open.port}`)).status).toBe(200)
    } finally {
      await open.stop()
    }
    expect(lines.join('\n')).not.toMatch(/WARNING.*127\.0\.0\.1/)
  })
})

describe('malformed input (F12)', () => {
  it('answers a malformed %-escape with 400, not 500', async () => {
    for (const path of ['/client/db/%E0%A4%A', '/console/api/db/%E0%A4%A', '/client/db/%ZZ', '/nowhere/%']) {
      const r = await send(path)
      expect([path, r.status]).toEqual([path, 400])
    }
  })

  it('refuses a body that is not valid UTF-8 with 400 instead of reading U+FFFD', async () => {
    const before = userCount()
    const bad = Buffer.concat([Buffer.from('{"nickname":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')])
    const r = await send('/client/users', { method: 'POST', headers: JSON_CT, body: bad })
    expect(r.status).toBe(400)
    expect(JSON.parse(r.text).error).toMatch(/UTF-8/)
    expect(userCount()).toBe(before)
    const admin = await send('/admin', { method: 'POST', headers: JSON_CT, body: Buffer.concat([Buffer.from('{"action":"database.getDocument","collectionName":"'), Buffer.from([0xff]), Buffer.from('"}')]) })
    expect(JSON.parse(admin.text)).toMatchObject({ code: 'INVALID_PARAM', message: expect.stringMatching(/UTF-8|malformed/) })
  })

  it('creates an app only from a body that is exactly {name?, quota?}', async () => {
    const apps = () => emu.wechat.listApps().length
    const before = apps()
    const deep = '{"name":"x","extra":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}'
    for (const body of [deep, '{"quota":-1}', '{"quota":1.5}', '{"name":""}', '{"name":7}', `{"name":"${'n'.repeat(65)}"}`, '{"__proto__":{"quota":1}}']) {
      const r = await send('/client/apps', { method: 'POST', headers: JSON_CT, body })
      expect([body.slice(0, 30), r.status]).toEqual([body.slice(0, 30), 400])
    }
    expect(apps()).toBe(before)
    const made = await emu.client.createApp({ name: 'second app', quota: 3 })
    expect(made).toMatchObject({ name: 'second app', quota: 3 })
    expect(made).not.toHaveProperty('secret')
    expect(apps()).toBe(before + 1)
  })
})
