/**
 * A phone code is bound to the user who tapped: the real `getPhoneNumber` bundle (real
 * wx-server-sdk) sends the caller's OPENID with the code, so another user's code is refused and
 * stays usable by its owner. The emulator itself lets any caller redeem a code when no `openid`
 * is sent (as WeChat documents); that side is covered in wechat-wire.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BindData, Result } from '../../core/contracts'
import type { RunningEmulator } from '../../emulator'
import { buildFunctions } from '../../scripts/buildFunctions'
import { startTestEmulator } from './helpers'

jest.setTimeout(60_000)

let dir: string
let emu: RunningEmulator

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phonebind-owner-'))
  await buildFunctions({ root: join(__dirname, '..', '..', 'cloudfunctions'), outDir: dir, functions: ['getPhoneNumber'] })
  emu = await startTestEmulator(dir, { seed: 'owner' })
})

afterAll(async () => {
  await emu?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const bind = async (openid: string, code: string) => (await emu.client.callFunction<Result<BindData>>(openid, 'getPhoneNumber', { code })).result
const indexOf = async (openid: string) => (await emu.store.find('phone_index', { openid })).map((d) => d._id)

describe('getPhoneNumber with another user’s code', () => {
  it('answers CODE_INVALID, binds nothing, and leaves the code to the user who tapped', async () => {
    const a = await emu.client.createUser({ purePhoneNumber: '13600000001' })
    const b = await emu.client.createUser({ purePhoneNumber: '13600000002' })
    const { code } = await emu.client.tapPhoneButton(b.openid)
    const sent: string[] = []
    const off = emu.events.on('wechat.call', (e) => e.api === 'getPhoneNumber' && sent.push(`${e.errcode}`))

    const stolen = await bind(a.openid, code!)
    expect(stolen).toMatchObject({ ok: false, error: { code: 'CODE_INVALID', retryable: true, wechatCode: 40003 } })
    expect(await indexOf(a.openid)).toEqual([])

    // B's code was not burned by A's attempt.
    expect(await bind(b.openid, code!)).toMatchObject({ ok: true, data: { change: 'bound', phone: { masked: '136****0002' } } })
    expect(await indexOf(b.openid)).toEqual(['p8613600000002'])
    expect(sent).toEqual(['40003', '0'])
    off()
  })
})
