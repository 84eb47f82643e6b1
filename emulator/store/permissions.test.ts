import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { openStore } from './index'
import { removeTempDirs, tempDir } from './testing/logs'

// store.log holds session keys and full phone numbers. With the usual umask 022 anything
// created without an explicit mode would be 0644 / 0755.
let umask: number
beforeAll(() => {
  umask = process.umask(0o022)
})
afterAll(() => {
  process.umask(umask)
  removeTempDirs()
})

const mode = (p: string) => statSync(p).mode & 0o777

describe('data file permissions', () => {
  it('creates the data directory 0700 (with its missing parents) and the log and lock 0600', async () => {
    const root = tempDir()
    const dir = path.join(root, '.phonebind', 'data')
    const s = await openStore({ dataDir: dir })
    await s.insert('sessions', [{ _id: 'o1', session_key: 'k' }])
    expect(mode(path.join(root, '.phonebind'))).toBe(0o700)
    expect(mode(dir)).toBe(0o700)
    expect(mode(path.join(dir, 'store.log'))).toBe(0o600)
    expect(mode(path.join(dir, 'store.lock'))).toBe(0o600)
    await s.close()
  })

  it('keeps the log 0600 across compactions', async () => {
    const dir = tempDir()
    const s = await openStore({ dataDir: dir, compactBytes: 1 })
    for (let i = 0; i < 5; i++) await s.insert('c', [{ _id: `d${i}`, pad: 'x'.repeat(100) }])
    await s.close()
    expect(mode(path.join(dir, 'store.log'))).toBe(0o600)
    expect(existsSync(path.join(dir, 'store.log.tmp'))).toBe(false)
  })

  it('makes a log and a temp file left 0644 by an older version 0600 on the next start', async () => {
    const dir = tempDir()
    writeFileSync(path.join(dir, 'store.log'), '{"w":[{"op":"put","c":"c","doc":{"_id":"a"}}]}\n', { mode: 0o644 })
    writeFileSync(path.join(dir, 'store.log.tmp'), 'stale', { mode: 0o644 })
    const s = await openStore({ dataDir: dir })
    expect(s.get('c', 'a')).toEqual({ _id: 'a' })
    expect(mode(path.join(dir, 'store.log'))).toBe(0o600)
    await s.insert('c', [{ _id: 'b' }])
    await s.close()
    expect(mode(path.join(dir, 'store.log'))).toBe(0o600)
  })

  it('leaves the mode of a directory it did not create alone', async () => {
    const dir = path.join(tempDir(), 'mine')
    mkdirSync(dir)
    chmodSync(dir, 0o750)
    const s = await openStore({ dataDir: dir })
    await s.close()
    expect(mode(dir)).toBe(0o750)
  })
})
