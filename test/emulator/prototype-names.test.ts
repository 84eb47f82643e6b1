/**
 * Ids that clients choose (appid, openid, codes, cloudIDs) named after `Object.prototype`
 * properties are ordinary unknown ids: 404 on the client routes, catalog codes from the real
 * functions, and `Object.prototype` stays untouched (red-team F8).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Result } from '../../core/contracts'
import type { RunningEmulator } from '../../emulator'
import { buildFunctions } from '../../scripts/buildFunctions'
import { startTestEmulator } from './helpers'

jest.setTimeout(60_000)

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort()

let dir: string
let emu: RunningEmulator

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phonebind-protonames-'))
  await buildFunctions({ root: join(__dirname, '..', '..', 'cloudfunctions'), outDir: dir, functions: ['getPhoneNumber', 'getOpenData'] })
  emu = await startTestEmulator(dir, { seed: 'protonames' })
})

afterAll(async () => {
  await emu?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

afterEach(() => {
  // Nothing any route did may have reached Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys)
  const probe = {} as Record<string, unknown>
  for (const k of ['quota', 'used', 'phonePermission', 'privacyDeclared', 'openid', 'appid']) expect(probe[k]).toBeUndefined()
})

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe.each(NAMES)('the name %s', (name) => {
  it('is an unknown openid (404) on every route that takes one', async () => {
    for (const path of ['/client/login', '/client/checkSession', '/client/tapPhoneButton', '/client/users/update', '/client/control/expireSession']) {
      expect([path, await post(path, { openid: name, nickname: 'x' })]).toEqual([path, { status: 404, body: { error: `unknown openid ${name}` } }])
    }
    expect(await post('/client/callFunction', { openid: name, name: 'getPhoneNumber', data: {} })).toEqual({ status: 404, body: { error: `unknown openid ${name}` } })
  })

  it('is an unknown appid: no app changes, no user is created in it, and listing it finds nobody', async () => {
    expect(await post('/client/control/app', { appid: name, quota: 3, phonePermission: true, privacyDeclared: true })).toEqual({ status: 404, body: { error: `unknown appid ${name}` } })
    expect(await post('/client/users', { appid: name })).toEqual({ status: 404, body: { error: `unknown appid ${name}` } })
    const listed = await fetch(`${emu.url}/client/users?appid=${encodeURIComponent(name)}`)
    expect(await listed.json()).toEqual({ users: [] })
  })

  it('is refused as a custom openid for a new user (400)', async () => {
    expect(await post('/client/users', { openid: name })).toEqual({ status: 400, body: { error: `openid must not be a JavaScript prototype name (${name})` } })
    expect(emu.wechat.getUser(name)).toBeUndefined()
  })

  it('is an unknown appid or js code for jscode2session (40013 / 40029)', async () => {
    const app = emu.wechat.getApp()!
    const get = async (q: Record<string, string>) => (await fetch(`${emu.url}/sns/jscode2session?${new URLSearchParams({ grant_type: 'authorization_code', ...q }).toString()}`)).json()
    expect(await get({ appid: name, secret: app.secret, js_code: 'x' })).toMatchObject({ errcode: 40013 })
    expect(await get({ appid: app.appid, secret: app.secret, js_code: name })).toMatchObject({ errcode: 40029 })
  })

  it('is an invalid phone code for getPhoneNumber (CODE_INVALID), also when a -1 fault would burn it', async () => {
    const [user] = await emu.client.users()
    const call = async () => (await emu.client.callFunction<Result<unknown>>(user!.openid, 'getPhoneNumber', { code: name })).result
    expect(await call()).toMatchObject({ ok: false, error: { code: 'CODE_INVALID', wechatCode: 40029 } })
    await emu.client.setFaults('getPhoneNumber', { errcode: -1, next: 1 })
    try {
      expect(await call()).toMatchObject({ ok: false, error: { code: 'WECHAT_BUSY' } })
    } finally {
      await emu.client.setFaults('getPhoneNumber', null)
    }
  })

  it('is an invalid cloudID for getOpenData (CLOUDID_INVALID), as a string and as wx.cloud.CloudID', async () => {
    const [user] = await emu.client.users()
    for (const cloudID of [name, { $cloudID: name }]) {
      const res = (await emu.client.callFunction<Result<unknown>>(user!.openid, 'getOpenData', { cloudID })).result
      expect(res).toMatchObject({ ok: false, error: { code: 'CLOUDID_INVALID' } })
    }
  })
})
