import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { startEmulator } from '../index'
import { openStore, type DocumentStore } from './index'
import { buildLog, idsOf, removeTempDirs, tempDir, USERS, type Contents } from './testing/logs'

afterAll(removeTempDirs)
afterEach(() => jest.restoreAllMocks())

const damagedCopies = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('store.log.damaged-'))

/** Every document the reopened store holds equals the acknowledged one; returns the ids missing. */
function missingFrom(store: DocumentStore, contents: Contents): string[] {
  const missing: string[] = []
  for (const [c, docs] of contents) {
    for (const [id, doc] of docs) {
      const got = store.get(c, id)
      if (got) expect(got).toEqual(doc)
      else missing.push(`${c}/${String(id)}`)
    }
  }
  return missing
}

describe('a damaged store.log', () => {
  it('with two bytes flipped in line 2 of a snapshot keeps every other record, including all those after it', async () => {
    const { dir, file, lines, contents } = await buildLog(true)
    const buf = readFileSync(file)
    const at = Buffer.byteLength(lines[0]!) + 1 + 4000
    expect([buf[at]! ^ 0x21, buf[at + 1]! ^ 0x0c]).not.toContain(0x0a)
    buf[at] ^= 0x21
    buf[at + 1] ^= 0x0c
    writeFileSync(file, buf)

    const s = await openStore({ dataDir: dir })
    // Line 2 held users u0000–u0499; of those only u0001 was written again later.
    const lost = Array.from({ length: 500 }, (_, i) => `users/u${String(i).padStart(4, '0')}`).filter((id) => id !== 'users/u0001' && id !== 'users/u0002')
    expect(missingFrom(s, contents).sort()).toEqual(lost.sort())
    expect(s.count('users', {})).toBe(USERS + 2 - 1 - 498)
    expect(s.count('phone_index', {})).toBe(USERS + 1)
    expect(idsOf(s, 'events')).toEqual(['e1', 'e2'])
    expect(s.get('users', 'u0700')?.nickname).toBe('late')

    const r = s.recovery!
    expect(r.dropped).toEqual([
      { lines: [2, 2], bytes: [Buffer.byteLength(lines[0]!) + 1, Buffer.byteLength(lines[0]! + lines[1]!) + 2], records: [2, 2], reason: 'checksum mismatch', collections: ['users'] },
    ])
    const report = r.report.join('\n')
    expect(report).toContain(file)
    expect(report).toContain('line 2, bytes')
    expect(report).toContain('record 2 (snapshot part: up to 500 documents of one collection each) dropped')
    expect(report).toContain(r.damagedCopy!)
    expect(report).not.toMatch(/1380000\d{4}/)
    // The damaged original is kept byte for byte; the new log is another file.
    expect(readFileSync(r.damagedCopy!)).toEqual(buf)
    expect(readFileSync(file)).not.toEqual(buf)
    await s.close()

    // The next start is clean and loads the same, and the copy stays.
    const s2 = await openStore({ dataDir: dir })
    expect(s2.recovery).toMatchObject({ dropped: [], report: [] })
    expect(s2.count('users', {})).toBe(USERS + 2 - 1 - 498)
    expect(damagedCopies(dir)).toEqual([path.basename(r.damagedCopy!)])
    await s2.close()
  })

  it('drops a record whose flipped digit still parses, instead of loading a changed phone number', async () => {
    const { dir, file, lines } = await buildLog(false)
    const text = readFileSync(file, 'utf8')
    const at = text.indexOf('"13800000123"')
    expect(at).toBeGreaterThan(Buffer.byteLength(lines[0]!))
    writeFileSync(file, text.slice(0, at) + '"13800009123"' + text.slice(at + 13))

    const s = await openStore({ dataDir: dir })
    expect(s.find('users', { phone: '13800009123' })).toEqual([])
    expect(s.get('users', 'u0123')).toBeUndefined()
    expect(s.count('users', {})).toBe(USERS - 500)
    expect(s.recovery!.dropped).toMatchObject([{ lines: [2, 2], records: [2, 2], reason: 'checksum mismatch' }])
    expect(existsSync(s.recovery!.damagedCopy!)).toBe(true)
    await s.close()
  })

  it('cut to 60 % inside its snapshot says which records are missing and keeps the cut file', async () => {
    const { dir, file, lines } = await buildLog(false)
    expect(lines).toHaveLength(7)
    const buf = readFileSync(file)
    const cut = buf.subarray(0, Math.floor(buf.length * 0.6))
    writeFileSync(file, cut)
    const complete = cut.toString('utf8').split('\n').length - 1

    const s = await openStore({ dataDir: dir })
    const r = s.recovery!
    expect(r.dropped).toEqual([
      {
        lines: [complete + 1, complete + 1],
        bytes: [cut.lastIndexOf(0x0a) + 1, cut.length],
        records: [complete + 1, 7],
        reason: 'the file ends inside its 7-record snapshot (cut short)',
        collections: expect.any(Array),
      },
    ])
    expect(r.report.join('\n')).toContain(`records ${complete + 1}–7 (snapshot parts`)
    expect(readFileSync(r.damagedCopy!)).toEqual(cut)
    await s.close()
  })

  it('with its last 40 bytes cut, inside the snapshot, reports the last part lost rather than treating it as a crash', async () => {
    const { dir, file } = await buildLog(false)
    const buf = readFileSync(file)
    writeFileSync(file, buf.subarray(0, buf.length - 40))

    const s = await openStore({ dataDir: dir })
    expect(s.count('users', {})).toBe(USERS)
    expect(s.count('phone_index', {})).toBe(1000)
    expect(s.recovery!.dropped).toMatchObject([{ lines: [7, 7], records: [7, 7], collections: ['phone_index'] }])
    expect(s.recovery!.tornBytes).toBe(0)
    expect(damagedCopies(dir)).toHaveLength(1)
    await s.close()
  })

  it('with a whole write batch removed from the middle reports the missing record and applies the later ones', async () => {
    const { dir, file, lines, contents } = await buildLog(true)
    // Line 10 is the third batch after the 7-record snapshot: the removal of u0002.
    writeFileSync(file, [...lines.slice(0, 9), ...lines.slice(10)].join('\n') + '\n')

    const s = await openStore({ dataDir: dir })
    expect(s.get('users', 'u0002')).toBeDefined()
    expect(missingFrom(s, contents)).toEqual([])
    expect(s.recovery!.dropped).toEqual([{ bytes: [expect.any(Number), expect.any(Number)], records: [10, 10], reason: 'missing from the file', collections: [] }])
    await s.close()
  })

  it('with a torn last write batch (a crash mid-append) drops only that batch, quietly, as before', async () => {
    const { dir, file, contents } = await buildLog(true)
    const buf = readFileSync(file)
    const lastStart = buf.lastIndexOf(0x0a, buf.length - 2) + 1
    writeFileSync(file, buf.subarray(0, lastStart + 30))

    const s = await openStore({ dataDir: dir })
    expect(missingFrom(s, contents)).toEqual(['events/e2'])
    expect(s.recovery).toMatchObject({ tornBytes: 30, dropped: [], report: [] })
    expect(damagedCopies(dir)).toEqual([])
    await s.insert('events', [{ _id: 'e3' }])
    await s.close()
    const s2 = await openStore({ dataDir: dir })
    expect(idsOf(s2, 'events')).toEqual(['e1', 'e3'])
    expect(s2.recovery).toMatchObject({ tornBytes: 0, dropped: [] })
    await s2.close()
  })

  it('written before checksums existed, with an unreadable line, keeps the records after it too', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'store.log')
    const legacy = '{"w":[{"op":"put","c":"c","doc":{"_id":"a"}}]}\nGARBAGE\n{"w":[{"op":"put","c":"c","doc":{"_id":"b"}}]}\n'
    writeFileSync(file, legacy)
    const s = await openStore({ dataDir: dir })
    expect(idsOf(s, 'c')).toEqual(['a', 'b'])
    expect(s.recovery!.dropped).toEqual([{ lines: [2, 2], bytes: [47, 55], reason: 'unreadable', collections: [] }])
    expect(readFileSync(s.recovery!.damagedCopy!, 'utf8')).toBe(legacy)
    await s.close()
  })

  it('holding no complete line at all is kept aside, not taken for a torn last line and overwritten', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'store.log')
    const junk = Buffer.alloc(4096, 0)
    writeFileSync(file, junk)
    const s = await openStore({ dataDir: dir })
    expect(s.recovery).toMatchObject({ tornBytes: 0, dropped: [{ lines: [1, 1], bytes: [0, 4096], reason: 'no complete record at all' }] })
    expect(readFileSync(s.recovery!.damagedCopy!)).toEqual(junk)
    await s.close()
  })

  it('refuses to start, naming the file, the position and the way out, when no copy of it can be kept', async () => {
    const { dir, file, lines } = await buildLog(false)
    const damaged = Buffer.from([...lines.slice(0, 2), 'GARBAGE', ...lines.slice(2)].join('\n') + '\n')
    writeFileSync(file, damaged)
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
    jest.spyOn(fsp, 'link').mockRejectedValue(full)
    jest.spyOn(fsp, 'copyFile').mockRejectedValue(full)

    const err = (await openStore({ dataDir: dir }).catch((e: Error) => e)) as Error
    expect(err).toBeInstanceOf(Error)
    expect(err.message).toContain(file)
    expect(err.message).toContain('line 3, bytes')
    expect(err.message).toContain('no space left on device')
    expect(err.message).toContain('To recover')
    expect(readFileSync(file)).toEqual(damaged)
    expect(damagedCopies(dir)).toEqual([])
    // The refused start released the data directory.
    expect(existsSync(path.join(dir, 'store.lock'))).toBe(false)
  })

  it('is reported by the emulator at startup, even when it is quiet', async () => {
    const { dir, file, lines } = await buildLog(false)
    writeFileSync(file, [lines[0], 'GARBAGE', ...lines.slice(1)].join('\n') + '\n')
    const functionsDir = path.join(tempDir(), 'functions')
    mkdirSync(functionsDir)
    const printed: string[] = []
    // No wechat.json beside this database: a new simulated WeChat is asked for on purpose.
    const emu = await startEmulator({ dataDir: dir, functionsDir, newWeChat: true, quiet: true, log: (l) => printed.push(l) })
    try {
      expect(emu.store.count('users', {})).toBe(USERS)
      const text = printed.join('\n')
      expect(text).toContain(`${file} was damaged`)
      expect(text).toContain('line 2, bytes')
      expect(text).toContain(emu.store.recovery!.damagedCopy!)
    } finally {
      await emu.stop()
    }
  })

  it('keeps the damaged copy private (0600) even when the original was 0644', async () => {
    const { dir, file, lines } = await buildLog(false)
    writeFileSync(file, [lines[0], 'GARBAGE', ...lines.slice(1)].join('\n') + '\n', { mode: 0o644 })
    await fsp.chmod(file, 0o644)
    const s = await openStore({ dataDir: dir })
    expect(statSync(s.recovery!.damagedCopy!).mode & 0o777).toBe(0o600)
    await s.close()
  })
})
