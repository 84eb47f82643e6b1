/**
 * The command `npm start` prints (`emulator/demo.ts`) binds a phone end to end with the real
 * cloud functions, by each of the three paths.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunningEmulator } from '../../emulator'
import { runDemo } from '../../emulator/demo'
import { buildFunctions } from '../../scripts/buildFunctions'
import { startTestEmulator } from './helpers'

jest.setTimeout(60_000)

let outDir: string
let emu: RunningEmulator

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'phonebind-demo-'))
  await buildFunctions({ root: join(__dirname, '..', '..', 'cloudfunctions'), outDir })
  emu = await startTestEmulator(outDir, { poolSize: 2 })
})

afterAll(async () => {
  await emu?.stop()
  rmSync(outDir, { recursive: true, force: true })
})

type UserRow = { _id: string; phone?: { masked: string; source: string; countryCode: string } }

async function phoneOf(openid: string): Promise<UserRow['phone']> {
  return (await emu.client.db<UserRow>('users')).find((u) => u._id === openid)?.phone
}

it('binds by the code path for a current base library, printing no full number', async () => {
  const [user] = emu.seededUsers
  const lines: string[] = []
  expect(await runDemo({ url: emu.url, user: user!.openid }, (l) => lines.push(l))).toBe(true)
  expect(lines.join('\n')).toMatch(/getPhoneNumber \(code path\)/)
  expect(lines.join('\n')).not.toContain('13800138000')
  expect(await phoneOf(user!.openid)).toMatchObject({ masked: '138****8000', source: 'code', countryCode: '86' })
})

it('binds by the cloudID path for an old base library', async () => {
  const old = emu.seededUsers.find((u) => u.baseLibrary === '2.19.0')!
  const lines: string[] = []
  expect(await runDemo({ url: emu.url, user: old.openid }, (l) => lines.push(l))).toBe(true)
  expect(lines.join('\n')).toMatch(/getOpenData \(cloudID path\)/)
  expect(await phoneOf(old.openid)).toMatchObject({ source: 'cloudID' })
})

it('binds by the legacy path with the session key stored by login', async () => {
  const hk = emu.seededUsers.find((u) => u.countryCode === '852')!
  expect(await runDemo({ url: emu.url, user: hk.openid, path: 'legacy' }, () => {})).toBe(true)
  expect(await phoneOf(hk.openid)).toMatchObject({ source: 'legacy', countryCode: '852' })
})

it('fails the legacy path when wx.login rotates the key after the tap (the classic pitfall)', async () => {
  const user = await emu.client.createUser()
  const { client } = emu
  await client.callFunction(user.openid, 'login', { code: (await client.login(user.openid)).code })
  const tap = await client.tapPhoneButton(user.openid)
  // Logging in again inside the button callback rotates the session key on the server.
  await client.callFunction(user.openid, 'login', { code: (await client.login(user.openid)).code })
  const res = await client.callFunction<{ ok: boolean; error?: { code: string } }>(user.openid, 'getOpenData', { encryptedData: tap.encryptedData, iv: tap.iv })
  // One code for every failed decryption (F1); the function log names the rotated key.
  expect(res.result).toMatchObject({ ok: false, error: { code: 'DECRYPT_FAILED' } })
})
