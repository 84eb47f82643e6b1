import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { folderFileStore, memoryFileStore, type FileStore } from './files'
import { cloudPathOf, cloudPathProblem, fileIdFor } from './paths'

describe('cloud paths', () => {
  it('accepts the documented alphabet (0-9 a-z A-Z / ! - _ . , * and Chinese)', () => {
    for (const p of ['a.txt', 'A/b/c-d_e.f,g*h!.png', '头像/用户1.jpg']) expect(cloudPathProblem(p)).toBeUndefined()
  })

  it('refuses traversal, absolute paths, empty segments, other characters and over-long keys', () => {
    for (const p of ['../x', 'a/../x', 'a/..', '.', './x', '/x', 'x/', 'a//b', 'a\\b', 'a b', 'a%2e', 'a?b', '', 'x'.repeat(851), '头'.repeat(284)]) {
      expect(cloudPathProblem(p)).toEqual(expect.any(String))
    }
    expect(cloudPathProblem(undefined)).toEqual(expect.any(String))
  })

  it('reads a fileID back only for its own env', () => {
    const id = fileIdFor('dev-1', 'a/b.txt')
    expect(id).toMatch(/^cloud:\/\/dev-1\.6465-dev-1-\d+\/a\/b\.txt$/)
    expect(cloudPathOf('dev-1', id)).toBe('a/b.txt')
    expect(cloudPathOf('dev-2', id)).toBeUndefined()
    expect(cloudPathOf('dev-1', id.replace('a/b.txt', '../b.txt'))).toBeUndefined()
  })
})

const stores: [string, () => { store: FileStore; done(): void }][] = [
  ['memory', () => ({ store: memoryFileStore({ now: () => 5 }), done: () => {} })],
  [
    'folder',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'files-test-'))
      return { store: folderFileStore(join(dir, 'storage')), done: () => rmSync(dir, { recursive: true, force: true }) }
    },
  ],
]

describe.each(stores)('the %s file store', (_, make) => {
  it('puts, gets, lists, removes and clears', async () => {
    const { store, done } = make()
    await store.put('b/2.txt', Buffer.from('two'))
    await store.put('a.txt', Buffer.from('one'))
    expect((await store.get('b/2.txt'))?.toString()).toBe('two')
    expect(store.has('a.txt')).toBe(true)
    expect(store.list()).toEqual([
      { cloudPath: 'a.txt', size: 3, updatedAt: expect.any(Number) },
      { cloudPath: 'b/2.txt', size: 3, updatedAt: expect.any(Number) },
    ])
    expect(await store.remove('a.txt')).toBe(true)
    expect(await store.remove('a.txt')).toBe(false)
    expect(await store.get('a.txt')).toBeUndefined()
    await store.clear()
    expect(store.list()).toEqual([])
    done()
  })
})

describe('the folder file store', () => {
  it('refuses a path that resolves outside its root, whatever reached it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'files-test-'))
    const store = folderFileStore(join(dir, 'storage'))
    writeFileSync(join(dir, 'secret.json'), '{}')
    await expect(store.put('../escape.txt', Buffer.from('x'))).rejects.toThrow(/leaves the storage folder/)
    await expect(store.get('../secret.json')).rejects.toThrow(/leaves the storage folder/)
    expect(readdirSync(dir).sort()).toEqual(['secret.json', 'storage'])
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps files across reopening, and a fresh open empties the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'files-test-'))
    await folderFileStore(join(dir, 'storage')).put('k.txt', Buffer.from('kept'))
    expect((await folderFileStore(join(dir, 'storage')).get('k.txt'))?.toString()).toBe('kept')
    expect(folderFileStore(join(dir, 'storage'), { fresh: true }).list()).toEqual([])
    rmSync(dir, { recursive: true, force: true })
  })
})
