/**
 * Wire tests: `@cloudbase/node-sdk` 3.18.3 used directly against the emulator's `/admin` endpoint.
 * Unlike wx-server-sdk it throws the server's `{code, message}` as a TcbError with `.code`.
 */
import { rejectionOf as failure, startAdmin, type AdminHarness } from './testing/harness'

process.env.TENCENTCLOUD = 'true'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tcb = require('@cloudbase/node-sdk')

/* eslint-disable @typescript-eslint/no-explicit-any -- result shapes are checked by the assertions */
let h: AdminHarness
let strict: AdminHarness
let db: any
let _: any
const T0 = Date.UTC(2026, 5, 1)

beforeAll(async () => {
  h = await startAdmin({ clock: { now: () => T0 } })
  strict = await startAdmin()
  db = tcb.init({ env: 'test-env', serviceUrl: h.serviceUrl, secretId: 'x', secretKey: 'y' }).database()
  _ = db.command
  for (const c of ['users', 'phone_index']) await db.createCollection(c)
})
afterAll(async () => {
  await h.close()
  await strict.close()
})

it('adds, gets, updates, counts and removes', async () => {
  const users = db.collection('users')
  const { id } = await users.add({ name: 'n', at: db.serverDate(), profile: { city: 'sz', zip: '1' } })
  expect(id).toMatch(/^[0-9a-f]{32}$/)
  await users.add([{ _id: 'u2', name: 'm', points: 3 }, { _id: 'u3', name: 'k', points: 1 }])
  const upd = await users.doc(id).update({ profile: { city: 'gz' }, points: _.inc(2), tags: _.push('x') })
  expect(upd.updated).toBe(1)
  const got = await users.doc(id).get()
  expect(got.data).toEqual([{ _id: id, name: 'n', at: new Date(T0), profile: { city: 'gz', zip: '1' }, points: 2, tags: ['x'] }])
  const page = await users.where({ points: _.gt(0) }).orderBy('points', 'asc').limit(2).field({ name: true }).get()
  expect(page.data).toEqual([{ _id: 'u3', name: 'k' }, { _id: id, name: 'n' }])
  expect(page.total).toBe(3)
  expect((await users.where({ name: _.neq('n') }).count()).total).toBe(2)
  expect((await users.where({ points: _.lt(3) }).remove()).deleted).toBe(2)
  expect((await users.count()).total).toBe(1)
})

it('throws DATABASE_DUPLICATE_WRITE with an E11000 message for a duplicate _id', async () => {
  await db.collection('phone_index').add({ _id: 'p1', owner: 'a' })
  const err = await failure(db.collection('phone_index').add({ _id: 'p1', owner: 'b' }))
  expect(err.code).toBe('DATABASE_DUPLICATE_WRITE')
  expect(err.message).toContain('E11000 duplicate key error collection: phone_index index: _id_ dup key')
  expect((await db.collection('phone_index').doc('p1').get()).data[0].owner).toBe('a')
})

it('runs a transaction with startTransaction/commit and rollback', async () => {
  const t = await db.startTransaction()
  await t.collection('phone_index').add({ _id: 'p2', owner: 'a' })
  expect((await t.collection('phone_index').doc('p2').get()).data).toEqual({ _id: 'p2', owner: 'a' })
  expect((await db.collection('phone_index').where({ _id: 'p2' }).get()).data).toEqual([])
  await t.commit()
  expect((await db.collection('phone_index').doc('p2').get()).data).toHaveLength(1)

  const t2 = await db.startTransaction()
  expect((await t2.collection('phone_index').doc('nobody').get()).data).toBeNull()
  await t2.commit()

  const r = await db.startTransaction()
  await r.collection('phone_index').doc('p2').remove()
  await r.rollback()
  expect((await db.collection('phone_index').doc('p2').get()).data).toHaveLength(1)
})

it('reports DATABASE_COLLECTION_NOT_EXIST for a collection never created', async () => {
  const sdb = tcb.init({ env: 'test-env', serviceUrl: strict.serviceUrl, secretId: 'x', secretKey: 'y' }).database()
  const err = await failure(sdb.collection('missing').get())
  expect(err.code).toBe('DATABASE_COLLECTION_NOT_EXIST')
  expect((await failure(db.collection('absent').doc('x').get())).code).toBe('DATABASE_COLLECTION_NOT_EXIST')
})

it('rejects creating an existing collection', async () => {
  await db.createCollection('made')
  const err = await failure(db.createCollection('made'))
  expect(err.code).toBe('DATABASE_COLLECTION_ALREADY_EXIST')
})
