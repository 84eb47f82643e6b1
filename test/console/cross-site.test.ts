/**
 * A hostile web page in a real headless Chromium against the emulator (red-team F3, F4): the
 * browser decides which headers go out, so this checks the guard against what browsers really send.
 *
 * Needs Debian's Chromium at /usr/bin/chromium, like console.test.ts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { startEmulator, type RunningEmulator } from '../../emulator'
import { createConsoleRoutes } from '../../emulator/console'

const CHROMIUM = process.env.PHONEBIND_CHROMIUM ?? '/usr/bin/chromium'
const SESSION_KEY = 'c2Vzc2lvbmtleTEyMzQ1Ng=='
const NUMBER = '13912345678'

jest.setTimeout(30_000)

let emu: RunningEmulator
let browser: Browser
let attacker: http.Server
let noFunctions: string

/** What the attacker's page runs: every write a no-cors request can make, then a read. */
function attack(emulator: string): Promise<string[]> {
  const post = (path: string, body: BodyInit, headers?: Record<string, string>) =>
    fetch(emulator + path, { method: 'POST', mode: 'no-cors', headers, body }).then(
      () => `${path}: sent`,
      (e: Error) => `${path}: ${e.message}`,
    )
  const form = new FormData()
  form.append('action', 'database.insertDocument')
  form.append('collectionName', 'phone_index')
  form.append('data', JSON.stringify([JSON.stringify({ _id: 'p86form', openid: 'oCSRFattacker01' })]))
  const plain = { 'content-type': 'text/plain' }
  return Promise.all([
    post('/client/users', JSON.stringify({ openid: 'oCSRFattacker01' }), plain),
    post('/admin', JSON.stringify({ action: 'database.insertDocument', collectionName: 'phone_index', data: [JSON.stringify({ _id: 'p86plain', openid: 'oCSRFattacker01' })] }), plain),
    post('/admin', form),
    post('/client/control/app', JSON.stringify({ quota: 0 }), plain),
    fetch(emulator + '/client/db/sessions').then(
      (r) => r.text(),
      (e: Error) => `read: ${e.message}`,
    ),
  ])
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`This test needs Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set PHONEBIND_CHROMIUM`)
  noFunctions = mkdtempSync(join(tmpdir(), 'phonebind-nofn-'))
  const launching = chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // attacker.test resolves to loopback, as a DNS-rebinding attacker's name would after rebinding.
    // Local Network Access checks off: Chromium may ask the user before a public page reaches
    // loopback (and the user may allow it); Firefox and Safari do not ask. The guard must hold alone.
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--host-resolver-rules=MAP attacker.test 127.0.0.1', '--disable-features=LocalNetworkAccessChecks'],
  })
  emu = await startEmulator({ functionsDir: noFunctions, quiet: true, seed: 'cross-site', routes: (h) => createConsoleRoutes(h) })
  await emu.store.insert('sessions', [{ _id: 'oVictim0001', session_key: SESSION_KEY }])
  await emu.store.insert('users', [{ _id: 'oVictim0001', phone: { e164: `+86${NUMBER}` } }])
  // Another local origin: same host, another port.
  attacker = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>cat pictures</title>'))
  await new Promise<void>((ok) => attacker.listen(0, '127.0.0.1', ok))
  browser = await launching
}, 30_000)

afterAll(async () => {
  await browser?.close()
  await emu?.stop()
  await new Promise((ok) => attacker?.close(ok))
  if (noFunctions) rmSync(noFunctions, { recursive: true, force: true })
})

test('a page from another origin, or a DNS-rebound one, neither changes nor reads the emulator', async () => {
  const users = emu.wechat.listUsers().length
  const quota = emu.wechat.getApp()!.quota
  const page = await browser.newPage()
  try {
    // 1. Cross-site: the page lives on 127.0.0.1:<another port>.
    await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`)
    const crossSite = await page.evaluate(attack, emu.url)
    expect(crossSite.slice(0, 4)).toEqual(['/client/users: sent', '/admin: sent', '/admin: sent', '/client/control/app: sent'])
    expect(crossSite[4]).toMatch(/^read: /) // no CORS headers: the answer is opaque to the page

    // 2. DNS rebinding: attacker.test now resolves to 127.0.0.1, so the attacker's page and the
    // emulator share an origin. The page itself is the attacker's (served by the route below).
    const rebound = `http://attacker.test:${emu.port}`
    await page.route(`${rebound}/`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>rebound</title>' }))
    await page.goto(`${rebound}/`)
    const sameOrigin = await page.evaluate(attack, rebound)
    const reads = await page.evaluate(async () => Promise.all(['/client/db/sessions', '/console/api/db/users?reveal=1'].map(async (p) => `${(await fetch(p)).status}`)))
    expect(reads).toEqual(['403', '403'])
    expect(sameOrigin[4]).not.toContain(SESSION_KEY)
    expect(sameOrigin[4]).toContain('not this emulator')
  } finally {
    await page.close()
  }
  // Nothing changed.
  expect(emu.wechat.listUsers()).toHaveLength(users)
  expect(emu.wechat.getUser('oCSRFattacker01')).toBeUndefined()
  expect(emu.wechat.getApp()!.quota).toBe(quota)
  expect(emu.store.find('phone_index', {})).toEqual([])
})
