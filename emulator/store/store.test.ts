import { mkdtempSync, rmSync, writeFileSync, appendFileSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { openStore, StoreError, type DocumentStore } from './index'

let dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'store-'))
  dirs.push(d)
  return d
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const codeOf = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    return (err as StoreError).code
  }
  return 'no error'
}

describe('document store in memory', () => {
  let store: DocumentStore
  beforeEach(async () => {
    store = await openStore()
  })
  afterEach(() => store.close())

  it('inserts with generated 32-hex ids and rejects a duplicate _id without applying the batch', async () => {
    const [id] = await store.insert('users', [{ name: 'a' }])
    expect(id).toMatch(/^[0-9a-f]{32}$/)
    await store.insert('users', [{ _id: 'u1', name: 'b' }])
    const err = await store.insert('users', [{ _id: 'u2' }, { _id: 'u1' }]).catch((e: StoreError) => e)
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).message).toContain('E11000 duplicate key error collection: users index: _id_ dup key')
    expect(store.get('users', 'u2')).toBeUndefined()
    expect(store.listCollections()).toEqual(['users'])
    await store.insert('users', [{ name: 'c', _id: 'u3' }])
    expect(Object.keys(store.get('users', 'u3')!)).toEqual(['_id', 'name'])
  })

  it('finds with mingo filters, sort, skip, limit and projection, returning copies', async () => {
    await store.insert('s', [1, 5, 3, 4, 2].map((n) => ({ _id: `d${n}`, n, tags: n % 2 ? ['odd'] : [] })))
    expect(store.find('s', { n: { $gte: 2 } }, { sort: { n: -1 }, skip: 1, limit: 2, projection: { n: 1 } })).toEqual([
      { _id: 'd4', n: 4 },
      { _id: 'd3', n: 3 },
    ])
    expect(store.count('s', { tags: 'odd' })).toBe(3)
    expect(store.find('s', { _id: 'd5', n: 4 })).toEqual([])
    const [doc] = store.find('s', { _id: 'd1' })
    doc.n = 99
    expect(store.get('s', 'd1')?.n).toBe(1)
  })

  it('updates with operators and counts only real modifications', async () => {
    await store.insert('u', [{ _id: 'a', n: 1, p: { c: 'sz' } }, { _id: 'b', n: 1 }])
    expect(await store.update('u', { n: 1 }, { modifier: { $set: { n: 1 } } }, { multi: true })).toEqual({ matched: 2, modified: 0, upsertedId: undefined })
    const r = await store.update('u', {}, { modifier: { $inc: { n: 2 }, $set: { 'p.d': 'x' }, $push: { t: { $each: ['a'], $position: 0 } } } }, { multi: true })
    expect(r.modified).toBe(2)
    expect(store.get('u', 'a')).toEqual({ _id: 'a', n: 3, p: { c: 'sz', d: 'x' }, t: ['a'] })
    const up = await store.update('u', { _id: 'z', k: 'v' }, { modifier: { $set: { n: 7 } } }, { upsert: true })
    expect(up.upsertedId).toBe('z')
    expect(store.get('u', 'z')).toEqual({ _id: 'z', k: 'v', n: 7 })
    expect(await store.update('u', { _id: 'a' }, { replacement: { only: true } })).toMatchObject({ modified: 1 })
    expect(store.get('u', 'a')).toEqual({ _id: 'a', only: true })
    expect(await store.remove('u', {}, { multi: true })).toBe(3)
  })

  it('aggregates with $lookup across collections', async () => {
    await store.insert('users', [{ _id: 'o1', name: 'n1' }])
    await store.insert('idx', [{ _id: 'p1', owner: 'o1' }, { _id: 'p2', owner: 'o1' }])
    const out = store.aggregate('idx', [
      { $group: { _id: '$owner', count: { $sum: 1 } } },
      { $lookup: { from: 'users', localField: '_id', foreignField: '_id', as: 'user' } },
    ])
    expect(out).toEqual([{ _id: 'o1', count: 2, user: [{ _id: 'o1', name: 'n1' }] }])
  })
})

describe('transactions', () => {
  let store: DocumentStore
  let now = 1_000
  beforeEach(async () => {
    now = 1_000
    store = await openStore({ clock: { now: () => now } })
    await store.insert('users', [{ _id: 'o1', n: 0 }])
  })
  afterEach(() => store.close())

  it('isolates writes until commit and sees its own writes', async () => {
    const tx = store.beginTransaction()
    tx.insert('phone_index', { _id: 'p1', owner: 'o1' })
    tx.put('users', 'o1', { n: 1 })
    expect(tx.get('phone_index', 'p1')).toEqual({ _id: 'p1', owner: 'o1' })
    expect(tx.find('users', { n: 1 })).toEqual([{ _id: 'o1', n: 1 }])
    expect(store.get('phone_index', 'p1')).toBeUndefined()
    expect(store.get('users', 'o1')).toEqual({ _id: 'o1', n: 0 })
    await tx.commit()
    expect(store.get('phone_index', 'p1')).toEqual({ _id: 'p1', owner: 'o1' })
    expect(store.get('users', 'o1')).toEqual({ _id: 'o1', n: 1 })
  })

  it('discards writes on abort and keeps a concurrent non-transactional write', async () => {
    const tx = store.beginTransaction()
    tx.put('users', 'o1', { n: 5 })
    await store.insert('users', [{ _id: 'o2' }])
    tx.abort()
    expect(store.get('users', 'o1')).toEqual({ _id: 'o1', n: 0 })
    expect(store.get('users', 'o2')).toEqual({ _id: 'o2' })
    expect(await codeOf(() => store.transaction(tx.id))).toBe('TRANSACTION_NOT_FOUND')
  })

  it('keeps unrelated concurrent writes when it commits', async () => {
    const tx = store.beginTransaction()
    tx.insert('phone_index', { _id: 'p1' })
    await store.update('users', { _id: 'o1' }, { modifier: { $inc: { n: 1 } } })
    await tx.commit()
    expect(store.get('users', 'o1')?.n).toBe(1)
    expect(store.get('phone_index', 'p1')).toBeDefined()
  })

  // Expectations from Tencent's node-sdk test/database/unit/transaction.test.ts (real backend).
  it('reads its snapshot after an outside write, and fails its own write of that document ("读偏")', async () => {
    await store.insert('users', [{ _id: 'o2', n: 0 }])
    const tx = store.beginTransaction()
    expect(tx.get('users', 'o1')).toEqual({ _id: 'o1', n: 0 })
    await store.update('users', { _id: 'o1' }, { modifier: { $set: { n: 9 } } })
    await store.update('users', { _id: 'o2' }, { modifier: { $set: { n: 9 } } })
    await store.remove('users', { _id: 'o2' })
    await store.insert('users', [{ _id: 'o3', n: 9 }])
    // Re-read and first read both return the snapshot taken at the first read.
    expect(tx.get('users', 'o1')).toEqual({ _id: 'o1', n: 0 })
    expect(tx.get('users', 'o2')).toEqual({ _id: 'o2', n: 0 })
    expect(tx.get('users', 'o3')).toBeUndefined()
    expect(tx.find('users', {})).toEqual([{ _id: 'o1', n: 0 }, { _id: 'o2', n: 0 }])
    tx.insert('phone_index', { _id: 'p1' })
    expect(await codeOf(() => tx.put('users', 'o1', { n: 1 }))).toBe('TRANSACTION_CONFLICT')
    // The conflict ended the transaction: nothing of it applies.
    expect(await codeOf(tx.commit())).toBe('TRANSACTION_NOT_FOUND')
    expect(store.get('phone_index', 'p1')).toBeUndefined()
    expect(store.get('users', 'o1')?.n).toBe(9)
  })

  it('takes the snapshot at the first operation, not at start', async () => {
    const tx = store.beginTransaction()
    await store.update('users', { _id: 'o1' }, { modifier: { $set: { n: 5 } } })
    expect(tx.get('users', 'o1')).toEqual({ _id: 'o1', n: 5 })
    tx.put('users', 'o1', { n: 6 })
    await tx.commit()
    expect(store.get('users', 'o1')?.n).toBe(6)
  })

  it('fails the second of two open transactions writing one document, at the write ("冲突检测")', async () => {
    const t1 = store.beginTransaction()
    const t2 = store.beginTransaction()
    expect(t1.get('users', 'o1')).toEqual({ _id: 'o1', n: 0 })
    t2.put('users', 'o1', { n: 2 })
    expect(await codeOf(() => t1.put('users', 'o1', { n: 1 }))).toBe('TRANSACTION_CONFLICT')
    await t2.commit()
    expect(store.get('users', 'o1')?.n).toBe(2)
  })

  it('lets a transaction write a document another transaction only read (snapshot isolation)', async () => {
    const reader = store.beginTransaction()
    const writer = store.beginTransaction()
    reader.get('users', 'o1')
    writer.put('users', 'o1', { n: 3 })
    await writer.commit()
    reader.insert('phone_index', { _id: 'p1' })
    await reader.commit()
    expect(store.get('users', 'o1')?.n).toBe(3)
    expect(store.get('phone_index', 'p1')).toBeDefined()
  })

  it('lets exactly one of two transactions inserting the same _id commit', async () => {
    const a = store.beginTransaction()
    const b = store.beginTransaction()
    a.insert('phone_index', { _id: 'p1', owner: 'A' })
    a.put('users', 'A', { phone: 'p1' })
    b.put('users', 'B', { phone: 'p1' })
    expect(await codeOf(() => b.insert('phone_index', { _id: 'p1', owner: 'B' }))).toBe('TRANSACTION_CONFLICT')
    await a.commit()
    expect(store.get('phone_index', 'p1')?.owner).toBe('A')
    expect(store.get('users', 'B')).toBeUndefined()
    // Once A has committed, a new transaction sees p1 and gets the duplicate.
    const c = store.beginTransaction()
    expect(await codeOf(() => c.insert('phone_index', { _id: 'p1', owner: 'C' }))).toBe('DUPLICATE_KEY')
  })

  it('fails the commit when a non-transactional write lands on a document it wrote', async () => {
    const tx = store.beginTransaction()
    tx.put('users', 'o1', { n: 1 })
    tx.insert('phone_index', { _id: 'p1' })
    await store.update('users', { _id: 'o1' }, { modifier: { $set: { n: 9 } } })
    expect(await codeOf(tx.commit())).toBe('TRANSACTION_CONFLICT')
    expect(store.get('phone_index', 'p1')).toBeUndefined()
    expect(store.get('users', 'o1')?.n).toBe(9)
  })

  it('ends a transaction 30 s after its start even when it is kept busy', async () => {
    const tx = store.beginTransaction()
    tx.put('users', 'o1', { n: 3 })
    for (let i = 0; i < 3; i++) {
      now += 10_000
      tx.get('users', 'o1')
    }
    now += 1_500
    expect(await codeOf(tx.commit())).toBe('TRANSACTION_NOT_FOUND')
    expect(store.get('users', 'o1')?.n).toBe(0)
    // Its write intent went with it.
    const next = store.beginTransaction()
    next.put('users', 'o1', { n: 4 })
    await next.commit()
    expect(store.get('users', 'o1')?.n).toBe(4)
  })
})

describe('persistence', () => {
  it('reopens with every committed write, Dates included', async () => {
    const dir = tempDir()
    const s1 = await openStore({ dataDir: dir })
    await s1.createCollection('empty')
    await s1.insert('users', [{ _id: 'o1', at: new Date(1234), n: 1.5, big: 2 ** 40, re: /a.c/i }])
    await s1.update('users', { _id: 'o1' }, { modifier: { $push: { tags: 'x' } } })
    const tx = s1.beginTransaction()
    tx.insert('phone_index', { _id: 'p1' })
    await tx.commit()
    await s1.remove('users', { _id: 'gone' })
    await s1.close()
    const s2 = await openStore({ dataDir: dir })
    expect(s2.listCollections().sort()).toEqual(['empty', 'phone_index', 'users'])
    const doc = s2.get('users', 'o1')!
    expect(doc.at).toEqual(new Date(1234))
    expect(doc).toMatchObject({ n: 1.5, big: 2 ** 40, tags: ['x'] })
    expect(s2.find('users', { re: { $exists: true } })).toHaveLength(1)
    expect(s2.get('phone_index', 'p1')).toEqual({ _id: 'p1' })
    await s2.close()
    const s3 = await openStore({ dataDir: dir, fresh: true })
    expect(s3.listCollections()).toEqual([])
    await s3.close()
  })

  it('ignores a torn last line and keeps appending cleanly after it', async () => {
    const dir = tempDir()
    const s1 = await openStore({ dataDir: dir })
    await s1.insert('c', [{ _id: 'a' }])
    await s1.close()
    appendFileSync(path.join(dir, 'store.log'), '{"w":[{"op":"put","c":"c","doc":{"_id":"b"')
    const s2 = await openStore({ dataDir: dir })
    expect(s2.find('c', {})).toEqual([{ _id: 'a' }])
    await s2.insert('c', [{ _id: 'c' }])
    await s2.close()
    const s3 = await openStore({ dataDir: dir })
    expect(s3.find('c', {}).map((d) => d._id)).toEqual(['a', 'c'])
    await s3.close()
  })

  it('compacts the log when it grows and still reopens with the latest state', async () => {
    const dir = tempDir()
    const s1 = await openStore({ dataDir: dir, compactBytes: 20_000 })
    for (let i = 0; i < 300; i++) await s1.update('c', { _id: 'hot' }, { modifier: { $set: { i, pad: 'x'.repeat(100) } } }, { upsert: true })
    await s1.close()
    expect(statSync(path.join(dir, 'store.log')).size).toBeLessThan(40_000)
    expect(readFileSync(path.join(dir, 'store.log'), 'utf8').endsWith('\n')).toBe(true)
    const s2 = await openStore({ dataDir: dir })
    expect(s2.get('c', 'hot')?.i).toBe(299)
    await s2.close()
  })

  it('group-commits concurrent writes', async () => {
    const dir = tempDir()
    const s = await openStore({ dataDir: dir })
    const t0 = Date.now()
    await Promise.all(Array.from({ length: 500 }, (_, i) => s.insert('c', [{ _id: `d${i}` }])))
    expect(Date.now() - t0).toBeLessThan(2_000)
    await s.close()
    const s2 = await openStore({ dataDir: dir })
    expect(s2.count('c', {})).toBe(500)
    await s2.close()
  })
})

describe('data directory lock', () => {
  it('refuses a second open of the same directory until the first closes', async () => {
    const dir = tempDir()
    const s1 = await openStore({ dataDir: dir })
    await expect(openStore({ dataDir: dir })).rejects.toThrow('in use')
    await s1.close()
    const s2 = await openStore({ dataDir: dir })
    await s2.close()
  })

  it('takes over a lock left by a dead process', async () => {
    const dir = tempDir()
    writeFileSync(path.join(dir, 'store.lock'), '999999999')
    const s = await openStore({ dataDir: dir })
    await s.close()
  })
})
