/**
 * End to end: the real phone-auth component, with a `wx` whose `login`, `checkSession`, button
 * `detail` and `cloud.callFunction` come from the emulator's simulated client, binds demo users'
 * phones through the real, built cloud functions; the test then reads the emulator's database.
 * It runs inside the demo page (loaded once: simulate cannot load the component twice per file).
 */
import * as path from 'path'
import { spawn, type ChildProcess } from 'child_process'
import simulate from 'miniprogram-simulate'
import { cloudID, EmulatorClient, type EmulatorUser, type TapOptions } from '../../emulator/client'
import { nodeFetch } from './nodeFetch'
import { loadPage, overrideButton, setSdkVersion, weapp } from './helpers'

const REPO = path.resolve(__dirname, '../..')
const wxAny = wx as unknown as Record<string, unknown>
let server: ChildProcess
let client: EmulatorClient
let id: string

function startServer(): Promise<{ url: string }> {
  server = spawn(process.execPath, [path.join(REPO, 'node_modules/tsx/dist/cli.mjs'), path.join(__dirname, 'e2eServer.ts')], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    server.stderr!.on('data', (c: Buffer) => { err += c.toString() })
    server.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (line) resolve(JSON.parse(line))
    })
    server.once('exit', (code) => reject(new Error(`emulator exited (${code}): ${err}`)))
  })
}

beforeAll(async () => {
  ;(globalThis as unknown as { fetch: unknown }).fetch = nodeFetch
  const { url } = await startServer()
  client = new EmulatorClient(url)
  overrideButton()
  id = loadPage('pages/index/index')
}, 60_000)

afterAll(async () => {
  if (!server || server.exitCode !== null) return
  const exited = new Promise((r) => server.once('exit', r))
  server.stdin!.end() // the server stops its workers and exits
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
  if (server.exitCode === null) server.kill('SIGKILL')
})

const { resetSession, startSession } = weapp
afterEach(() => resetSession())

/** Routes the mini program's `wx` to the emulator as `user`, exactly where the platform would. */
function actAs(user: EmulatorUser): void {
  setSdkVersion(user.baseLibrary)
  wxAny.login = (o: { success: (r: { code: string; errMsg: string }) => void; fail: (e: { errMsg: string }) => void }) => {
    client.login(user.openid).then((r) => o.success({ code: r.code, errMsg: 'login:ok' }), () => o.fail({ errMsg: 'login:fail' }))
  }
  wxAny.checkSession = (o: { success: () => void; fail: () => void }) => {
    client.checkSession(user.openid).then((ok) => (ok ? o.success() : o.fail()), () => o.fail())
  }
  wxAny.cloud = {
    init: () => undefined,
    CloudID: (value: string) => cloudID(value), // JSON form of wx.cloud.CloudID, resolved by the emulator
    callFunction: async ({ name, data }: { name: string; data: Record<string, unknown> }) => {
      const reply = await client.callFunctionRaw(user.openid, name, data)
      if ('errCode' in reply) throw Object.assign(new Error(reply.errMsg), reply)
      return reply
    },
  }
}

/** The demo page as `user` would see it after launch, with the real phone-auth inside. */
async function openPage(user: EmulatorUser, opts: { legacy?: boolean } = {}) {
  actAs(user)
  const session = await startSession({ legacy: !!opts.legacy }) // what App.onLaunch does
  const page = simulate.render(id)
  page.attach(document.createElement('parent-wrapper'))
  if (opts.legacy) page.setData({ legacy: true })
  await page.instance.onLoad({})
  const text = () => page.dom!.textContent ?? ''
  return { page, session, text }
}

/** The user taps the phone button: WeChat (the emulator) produces the detail, the component handles it. */
async function tapPhone(page: ReturnType<typeof simulate.render>, user: EmulatorUser, tap: TapOptions) {
  const phoneAuth = page.querySelector('.phone-auth')!
  const events: Array<{ name: string; detail: any }> = []
  for (const name of ['bound', 'failed', 'denied']) phoneAuth.addEventListener(name, (e: { detail: unknown }) => events.push({ name, detail: e.detail }))
  const detail = await client.tapPhoneButton(user.openid, tap)
  phoneAuth.querySelector('.phone-btn')!.dispatchEvent('getphonenumber', { detail })
  await waitFor(() => events.length > 0)
  await simulate.sleep(0)
  return { events, detail }
}

async function waitFor(done: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms
  while (!done()) {
    if (Date.now() > until) throw new Error('timed out waiting for the component')
    await new Promise((r) => setTimeout(r, 10))
  }
}

const userDoc = async (openid: string) => (await client.db<{ _id: string; phone?: { masked: string; source: string } }>('users')).find((u) => u._id === openid)
const phoneOwners = async () => (await client.db<{ openid: string }>('phone_index')).map((d) => d.openid)

async function demoUser(match: (u: EmulatorUser) => boolean): Promise<EmulatorUser> {
  const user = (await client.users()).find(match)
  if (!user) throw new Error('demo user missing')
  return user
}

test('code path: launch login, one tap, the binding is in the database', async () => {
  const user = await demoUser((u) => u.purePhoneNumber === '13800138000')
  const { page, session, text } = await openPage(user)
  expect(session.ok).toBe(true)
  expect(text()).toContain('已登录 / Signed in')
  const { events, detail } = await tapPhone(page, user, { outcome: 'allow' })
  expect(detail.code).toBeTruthy()
  expect(events).toEqual([{ name: 'bound', detail: expect.objectContaining({ source: 'code', change: 'bound' }) }])
  expect(events[0].detail.phone.masked).toBe('138****8000')
  expect(text()).toContain('138****8000')
  expect(text()).not.toContain('13800138000')
  expect((await userDoc(user.openid))?.phone).toMatchObject({ masked: '138****8000', source: 'code' })
  expect(await phoneOwners()).toContain(user.openid)
}, 30_000)

test('a deny leaves the database untouched', async () => {
  const user = await demoUser((u) => u.purePhoneNumber === '13900139000')
  const { page } = await openPage(user)
  const before = { user: await userDoc(user.openid), owners: await phoneOwners() }
  const { events } = await tapPhone(page, user, { outcome: 'deny', platform: 'android' })
  expect(events).toEqual([{ name: 'denied', detail: expect.objectContaining({ source: 'phone-button', error: expect.objectContaining({ code: 'USER_DENIED' }) }) }])
  expect(before.user?.phone ?? null).toBeNull()
  expect(await userDoc(user.openid)).toEqual(before.user)
  expect(await phoneOwners()).toEqual(before.owners)
}, 30_000)

test('cloudID path: an old base library (no code) binds through getOpenData', async () => {
  const user = await demoUser((u) => u.baseLibrary === '2.19.0')
  const { page } = await openPage(user)
  const { events, detail } = await tapPhone(page, user, { outcome: 'allow' })
  expect(detail.code).toBeUndefined()
  expect(events[0]).toMatchObject({ name: 'bound', detail: { source: 'cloudID', phone: { masked: '137****7000' } } })
  expect((await userDoc(user.openid))?.phone).toMatchObject({ masked: '137****7000', source: 'cloudID' })
}, 30_000)

test('legacy path: launch stores a session key, the tap decrypts with it', async () => {
  const user = await client.createUser({ purePhoneNumber: '13600136000', countryCode: '86', baseLibrary: '2.7.0' })
  const { page, session } = await openPage(user, { legacy: true })
  expect(session.ok && session.data.legacyReady).toBe(true)
  const { events, detail } = await tapPhone(page, user, { outcome: 'allow' })
  expect(detail.cloudID).toBeUndefined()
  expect(events[0]).toMatchObject({ name: 'bound', detail: { source: 'legacy', phone: { masked: '136****6000' } } })
  expect((await userDoc(user.openid))?.phone).toMatchObject({ source: 'legacy' })
}, 30_000)

test('binds on the page, then unbinds through unbindPhone: the database lets the number go', async () => {
  const user = await demoUser((u) => u.countryCode === '852')
  const { page, text } = await openPage(user)
  const { events } = await tapPhone(page, user, { outcome: 'allow' })
  const masked: string = events[0].detail.phone.masked
  expect(text()).toContain(masked)
  expect(await phoneOwners()).toContain(user.openid)
  const savedModal = wx.showModal
  wxAny.showModal = (o: { success: (r: { confirm: boolean }) => void }) => o.success({ confirm: true })
  try {
    page.querySelector('.unbind')!.dispatchEvent('tap')
    await waitFor(() => text().includes('已解绑手机号'))
  } finally {
    wxAny.showModal = savedModal
  }
  expect((await userDoc(user.openid))?.phone ?? null).toBeNull()
  expect(await phoneOwners()).not.toContain(user.openid)
  expect(page.querySelector('.phone-auth')).toBeDefined() // ready to bind again
}, 30_000)
