import { promises as fsp, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { openStore, type DocumentStore } from './index'
import { idsOf, removeTempDirs, tempDir } from './testing/logs'

afterAll(removeTempDirs)
afterEach(() => jest.restoreAllMocks())

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })

/** FileHandle's class is not exported: take its prototype from a handle. */
let FileHandle: { write: (...a: unknown[]) => Promise<{ bytesWritten: number }>; datasync(): Promise<void>; truncate(n?: number): Promise<void> }
beforeAll(async () => {
  const fh = await fsp.open(__filename, 'r')
  FileHandle = Object.getPrototypeOf(fh)
  await fh.close()
})

async function reopened(dir: string, check: (s: DocumentStore) => void): Promise<void> {
  const s = await openStore({ dataDir: dir })
  try {
    // The file was brought back to its last good state: nothing to salvage on the next start.
    expect(s.recovery).toMatchObject({ tornBytes: 0, dropped: [] })
    check(s)
  } finally {
    await s.close()
  }
}

describe('a failed log write', () => {
  it('(disk full) leaves memory as it was, and the store keeps working', async () => {
    const dir = tempDir()
    const s = await openStore({ dataDir: dir })
    await s.insert('c', [{ _id: 'a' }])
    jest.spyOn(FileHandle, 'write').mockRejectedValueOnce(enospc())
    await expect(s.insert('c', [{ _id: 'b' }])).rejects.toThrow('no space left')
    expect(s.get('c', 'b')).toBeUndefined()
    expect(idsOf(s, 'c')).toEqual(['a'])
    await s.insert('c', [{ _id: 'c' }])
    await s.close()
    await reopened(dir, (s2) => expect(idsOf(s2, 'c')).toEqual(['a', 'c']))
  })

  it('that wrote part of its line first leaves no trace of it in the file', async () => {
    const dir = tempDir()
    const s = await openStore({ dataDir: dir })
    await s.insert('c', [{ _id: 'a' }])
    const real = FileHandle.write
    jest
      .spyOn(FileHandle, 'write')
      .mockImplementationOnce(function (this: unknown, data: unknown, off: unknown, len: unknown) {
        return real.call(this, data, off, Math.floor((len as number) / 2))
      })
      .mockRejectedValueOnce(enospc())
    await expect(s.insert('c', [{ _id: 'b', pad: 'x'.repeat(500) }])).rejects.toThrow('no space left')
    expect(s.get('c', 'b')).toBeUndefined()
    await s.insert('c', [{ _id: 'c' }])
    await s.close()
    expect(readFileSync(path.join(dir, 'store.log'), 'utf8')).not.toContain('xxxx')
    await reopened(dir, (s2) => expect(idsOf(s2, 'c')).toEqual(['a', 'c']))
  })

  it('(fdatasync EIO) is undone in memory and cut from the file', async () => {
    const dir = tempDir()
    const s = await openStore({ dataDir: dir })
    await s.insert('c', [{ _id: 'a', n: 0 }])
    jest.spyOn(FileHandle, 'datasync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))
    await expect(s.update('c', { _id: 'a' }, { modifier: { $set: { n: 1 } } })).rejects.toThrow('EIO')
    expect(s.get('c', 'a')).toEqual({ _id: 'a', n: 0 })
    await s.close()
    await reopened(dir, (s2) => expect(s2.get('c', 'a')).toEqual({ _id: 'a', n: 0 }))
  })

  it('fails the writes queued behind it too, undoing them newest first', async () => {
    const dir = tempDir()
    const s = await openStore({ dataDir: dir })
    await s.insert('c', [{ _id: 'a', n: 0 }])
    let fail!: (err: Error) => void
    let started!: () => void
    const inFlight = new Promise<void>((r) => (started = r))
    jest.spyOn(FileHandle, 'write').mockImplementationOnce(() => {
      started()
      return new Promise((_, reject) => (fail = reject))
    })
    const first = s.update('c', { _id: 'a' }, { modifier: { $set: { n: 1 } } })
    await inFlight
    // Queued while the first write is on its way; built on top of it (n: 1 → 2).
    const second = s.update('c', { _id: 'a' }, { modifier: { $inc: { n: 1 } } })
    const third = s.insert('c', [{ _id: 'b' }])
    expect(s.get('c', 'a')?.n).toBe(2)
    fail(enospc())
    const results = await Promise.allSettled([first, second, third])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(s.get('c', 'a')).toEqual({ _id: 'a', n: 0 })
    expect(s.get('c', 'b')).toBeUndefined()
    await s.update('c', { _id: 'a' }, { modifier: { $inc: { n: 5 } } })
    await s.close()
    await reopened(dir, (s2) => expect(s2.find('c', {})).toEqual([{ _id: 'a', n: 5 }]))
  })

  it('of a transaction leaves none of its documents, and a collection it created is gone again', async () => {
    const dir = tempDir()
    const s = await openStore({ dataDir: dir })
    await s.insert('users', [{ _id: 'o1' }])
    const tx = s.beginTransaction()
    tx.insert('phone_index', { _id: 'p1', owner: 'o1' })
    tx.put('users', 'o1', { phone: 'p1' })
    jest.spyOn(FileHandle, 'write').mockRejectedValueOnce(enospc())
    await expect(tx.commit()).rejects.toThrow('no space left')
    expect(s.get('users', 'o1')).toEqual({ _id: 'o1' })
    expect(s.hasCollection('phone_index')).toBe(false)
    await s.close()
  })

  it('in a compaction leaves the old log and memory as they were', async () => {
    const dir = tempDir()
    // compactBytes 1: the first append leaves the log over twice its snapshot, so the next write compacts.
    const s = await openStore({ dataDir: dir, compactBytes: 1 })
    await s.insert('c', [{ _id: 'a', pad: 'x'.repeat(200) }])
    const before = readFileSync(path.join(dir, 'store.log'))
    jest.spyOn(fsp, 'rename').mockRejectedValueOnce(enospc())
    await expect(s.insert('c', [{ _id: 'b' }])).rejects.toThrow('no space left')
    expect(s.get('c', 'b')).toBeUndefined()
    expect(readFileSync(path.join(dir, 'store.log'))).toEqual(before)
    expect(readdirSync(dir).sort()).toEqual(['store.lock', 'store.log'])
    await s.insert('c', [{ _id: 'c' }])
    await s.close()
    await reopened(dir, (s2) => expect(idsOf(s2, 'c')).toEqual(['a', 'c']))
  })

  it('that cannot even be cut back makes the store refuse later writes, with memory unchanged', async () => {
    const dir = tempDir()
    const s = await openStore({ dataDir: dir })
    await s.insert('c', [{ _id: 'a' }])
    jest.spyOn(FileHandle, 'write').mockRejectedValueOnce(enospc())
    jest.spyOn(FileHandle, 'truncate').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' }))
    await expect(s.insert('c', [{ _id: 'b' }])).rejects.toThrow('no space left')
    await expect(s.insert('c', [{ _id: 'c' }])).rejects.toThrow('refuses writes until the emulator is restarted')
    const tx = s.beginTransaction()
    tx.insert('c', { _id: 'd' })
    await expect(tx.commit()).rejects.toThrow('refuses writes')
    expect(idsOf(s, 'c')).toEqual(['a'])
    await s.close()
    await reopened(dir, (s2) => expect(idsOf(s2, 'c')).toEqual(['a']))
  })
})
