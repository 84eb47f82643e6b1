/**
 * Emulator lifecycle: persistence across restarts, `fresh`, each service's reported address,
 * and a clean stop (the registry's own order and refusals: `emulator/registry.test.ts`).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator } from '../../emulator'
import { SimulatedWeChat } from '../../emulator/wechat/wechat'

jest.setTimeout(20_000)

let dataDir: string
let noFunctions: string
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'phonebind-data-'))
  noFunctions = mkdtempSync(join(tmpdir(), 'phonebind-nofn-'))
})
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(noFunctions, { recursive: true, force: true })
})

const start = (fresh = false) => startEmulator({ dataDir, fresh, functionsDir: noFunctions, quiet: true })

describe('persistence', () => {
  it('keeps users, quota and documents across a restart; fresh starts over with the demo users', async () => {
    const first = await start()
    expect(first.seededUsers).toHaveLength(4)
    const user = await first.client.createUser({ nickname: 'kept' })
    await first.client.setQuota(5)
    await first.store.insert('users', [{ _id: user.openid, note: 'kept' }])
    await first.stop()

    const second = await start()
    try {
      expect(second.seededUsers).toHaveLength(0)
      expect((await second.client.users()).map((u) => u.openid)).toContain(user.openid)
      expect((await second.client.apps()).apps[0]!.quota).toBe(5)
      expect(await second.client.db('users')).toEqual([{ _id: user.openid, note: 'kept' }])
      expect(second.appid).toBe(first.appid)
    } finally {
      await second.stop()
    }

    const third = await start(true)
    try {
      expect(third.seededUsers).toHaveLength(4)
      expect((await third.client.users()).map((u) => u.openid)).not.toContain(user.openid)
      expect(await third.client.db('users')).toEqual([])
      expect((await third.client.apps()).apps[0]!.quota).toBe(1000)
    } finally {
      await third.stop()
    }
  })

  it('reset empties the database and re-seeds WeChat', async () => {
    const emu = await start()
    try {
      await emu.client.createUser()
      await emu.store.insert('phone_events', [{ kind: 'bind' }])
      expect(await emu.client.reset()).toHaveLength(4)
      expect(await emu.client.db('phone_events')).toEqual([])
    } finally {
      await emu.stop()
    }
  })
})

describe('a killed process', () => {
  it('leaves a readable WeChat snapshot after kill -9 in the middle of writes', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'scripts', 'tapForever.ts'), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('running') && resolve()))
    await new Promise((r) => setTimeout(r, 150))
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited
    const wx = new SimulatedWeChat({ dataDir })
    expect(wx.startedFresh).toBe(false)
    expect(wx.listUsers()).toHaveLength(1)
    // Quota and live codes agree: every successful tap both spent a unit and issued a code.
    const spent = 1_000_000 - wx.getApp()!.quota
    expect(spent).toBeGreaterThanOrEqual(200)
    expect(Object.keys(wx.state.phoneCodes)).toHaveLength(spent)
  })
})

describe('stop', () => {
  it('closes the port, and a second stop is harmless', async () => {
    const emu = await start()
    expect((await fetch(`${emu.url}/healthz`)).status).toBe(200)
    await Promise.all([emu.stop(), emu.stop()])
    await expect(fetch(`${emu.url}/healthz`)).rejects.toThrow()
  })
})

describe('services', () => {
  it("reports each service's address in start order: the data folder, the server's URL, the functions folder", async () => {
    const emu = await start()
    try {
      expect(emu.services).toEqual([
        { name: 'store', address: dataDir },
        { name: 'wechat', url: emu.url },
        { name: 'storage', url: `${emu.url}/storage` },
        { name: 'sms', url: `${emu.url}/tencentcloud/sms` },
        { name: 'http', url: emu.url },
        { name: 'runner', address: noFunctions },
      ])
    } finally {
      await emu.stop()
    }
  })
})
