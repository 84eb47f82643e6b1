/**
 * `wechat.json` damaged, missing, or read by others (red-team F11, F12): startup refuses with the
 * file, the problem and the ways out; nothing is overwritten or deleted; the explicit way out
 * (`newWeChat`) keeps the old file; and the file is readable by its owner only.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type StartEmulatorOptions } from '../../emulator'
import { openStore } from '../../emulator/store'
import { SimulatedWeChat } from '../../emulator/wechat/wechat'

jest.setTimeout(20_000)

let dataDir: string
let noFunctions: string
let snapshot: string
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'phonebind-snap-'))
  noFunctions = mkdtempSync(join(tmpdir(), 'phonebind-nofn-'))
  snapshot = join(dataDir, 'wechat.json')
})
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(noFunctions, { recursive: true, force: true })
})

const start = (options: StartEmulatorOptions = {}) => startEmulator({ dataDir, functionsDir: noFunctions, quiet: true, ...options })

/** A first run that leaves a WeChat world and a database that refers to its users. */
async function firstRun(): Promise<{ openid: string; appid: string }> {
  const emu = await start()
  const user = await emu.client.createUser({ nickname: 'kept' })
  await emu.store.insert('users', [{ _id: user.openid, note: 'kept' }])
  await emu.stop()
  return { openid: user.openid, appid: emu.appid }
}

const fileBytes = (f: string) => readFileSync(f)
/** The database's documents, read directly (the store may compact its files when opened). */
async function documents(): Promise<unknown[]> {
  const store = await openStore({ dataDir })
  try {
    return store.find('users', {})
  } finally {
    await store.close()
  }
}
const mode = (f: string) => statSync(f).mode & 0o777

describe('a damaged wechat.json', () => {
  it('stops startup naming the file, the position and the ways out, and changes nothing', async () => {
    const before = await firstRun()
    truncateSync(snapshot, statSync(snapshot).size - 20)
    const damaged = fileBytes(snapshot)

    const err = (await start().then(
      () => undefined,
      (e: unknown) => e,
    )) as Error
    expect(err).toBeInstanceOf(Error)
    expect(err.message).toContain(`${snapshot} 已损坏`)
    expect(err.message).toMatch(/is damaged, so the emulator did not start: not valid JSON: .* in JSON at position \d+ \(the file has \d+ bytes\)/)
    expect(err.message).toContain('--new-wechat')
    // --fresh is mentioned only with what it costs.
    for (const line of err.message.split('\n').filter((l) => l.includes('--fresh'))) expect(line).toMatch(/DELETES the database/)

    expect(fileBytes(snapshot).equals(damaged)).toBe(true)
    expect(readdirSync(dataDir).filter((f) => f.startsWith('wechat.json'))).toEqual(['wechat.json'])
    expect(await documents()).toEqual([{ _id: before.openid, note: 'kept' }])
  })

  it('also refuses a snapshot that parses but is not one (wrong shape)', async () => {
    await firstRun()
    writeFileSync(snapshot, JSON.stringify({ version: 1, seed: 's', idCounter: 0, defaultAppid: 'wx1', apps: [], users: {} }))
    await expect(start()).rejects.toThrow(/is damaged, so the emulator did not start: "apps" is not an object/)
  })

  it('with newWeChat, starts a new WeChat over the kept database and keeps the damaged file beside it', async () => {
    const before = await firstRun()
    truncateSync(snapshot, 100)
    const damaged = fileBytes(snapshot)
    const lines: string[] = []

    const emu = await start({ newWeChat: true, quiet: false, log: (l) => lines.push(l) })
    try {
      expect(emu.seededUsers).toHaveLength(4)
      expect(emu.appid).not.toBe(before.appid)
      expect(await emu.client.db('users')).toEqual([{ _id: before.openid, note: 'kept' }])
      const kept = readdirSync(dataDir).filter((f) => f.startsWith('wechat.json.replaced-'))
      expect(kept).toHaveLength(1)
      expect(fileBytes(join(dataDir, kept[0]!)).equals(damaged)).toBe(true)
      expect(lines.join('\n')).toContain(`the previous one is kept as ${join(dataDir, kept[0]!)}`)
    } finally {
      await emu.stop()
    }
  })
})

describe('a missing wechat.json', () => {
  it('is refused while the database holds documents, naming the file and the count; nothing is created', async () => {
    const before = await firstRun()
    rmSync(snapshot)
    const err = (await start().then(
      () => undefined,
      (e: unknown) => e,
    )) as Error
    expect(err).toBeInstanceOf(Error)
    expect(err.message).toContain(`${snapshot} 不存在`)
    expect(err.message).toContain(`is missing, but the database in ${dataDir} holds 1 document(s) (users), so the emulator did not start`)
    expect(err.message).toContain('--new-wechat')
    for (const line of err.message.split('\n').filter((l) => l.includes('--fresh'))) expect(line).toMatch(/DELETES the database/)
    expect(existsSync(snapshot)).toBe(false)
    expect(await documents()).toEqual([{ _id: before.openid, note: 'kept' }])
  })

  it('starts a new WeChat on request (newWeChat), or with an empty database, as a first start', async () => {
    const before = await firstRun()
    rmSync(snapshot)
    const emu = await start({ newWeChat: true })
    try {
      expect(emu.seededUsers).toHaveLength(4)
      expect(await emu.client.db('users')).toEqual([{ _id: before.openid, note: 'kept' }])
      await emu.store.remove('users', {}, { multi: true })
    } finally {
      await emu.stop()
    }
    rmSync(snapshot)
    const again = await start()
    try {
      expect(again.seededUsers).toHaveLength(4)
    } finally {
      await again.stop()
    }
  })
})

describe('file mode', () => {
  it('creates wechat.json 0600 and keeps it 0600 through later writes, also over an old 0644 temp file', async () => {
    const wx = new SimulatedWeChat({ dataDir })
    expect(mode(snapshot)).toBe(0o600)
    const user = wx.createUser()
    wx.tapPhoneButton(user.openid)
    await wx.flush()
    expect(mode(snapshot)).toBe(0o600)

    // A file from an older emulator (0644) and a leftover temp file with the same name.
    chmodSync(snapshot, 0o644)
    const tmp = `${snapshot}.${process.pid}.tmp`
    writeFileSync(tmp, '', { mode: 0o644 })
    chmodSync(tmp, 0o644)
    wx.createUser()
    await wx.flush()
    expect(mode(snapshot)).toBe(0o600)
    expect(mode(dataDir) & 0o077).toBe(0)
  })
})
