/**
 * Collections must exist (issue 12 item 3, shared/reviews/fidelity.md rows
 * error.collection-not-exist.*): every database call on a collection that was never created
 * fails with DATABASE_COLLECTION_NOT_EXIST, -502005 through wx-server-sdk, as on CloudBase.
 * Sources: CB = docs.cloudbase.net error-code/DATABASE_COLLECTION_NOT_EXIST ("confirm the
 * collection has been created"); NS = Tencent's node-sdk @ b3c9dda test/common/index.ts
 * `safeCollection`, which relies on a real backend answering `get()` on a missing collection with
 * `code === 'DATABASE_COLLECTION_NOT_EXIST'` before it calls `createCollection`; the message is
 * the one users saw through wx-server-sdk (github.com/Voyzz/Fruit-store-mp issue 8,
 * Hppppppf/miniprogram-STITP issue 2: "errCode: -502005 database collection not exists |
 * errMsg: [ResourceNotFound] Db or Table not exist. Please check your request, but if the
 * problem cannot be solved, contact us.").
 */
import { rejectionOf as failure, startAdmin, type AdminHarness } from './testing/harness'

process.env.TENCENTCLOUD = 'true'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tcb = require('@cloudbase/node-sdk')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cloud = require('wx-server-sdk')

/* eslint-disable @typescript-eslint/no-explicit-any -- result shapes are checked by the assertions */
const MESSAGE = '[ResourceNotFound] Db or Table not exist. Please check your request, but if the problem cannot be solved, contact us.'

let h: AdminHarness
let db: any
let wxdb: any
beforeAll(async () => {
  h = await startAdmin()
  db = tcb.init({ env: 'test-env', serviceUrl: h.serviceUrl, secretId: 'x', secretKey: 'y' }).database()
  cloud.init({ env: 'test-env', serviceUrl: h.serviceUrl, secretId: 'x', secretKey: 'y' })
  wxdb = cloud.database()
})
afterAll(() => h.close())

it('fails get, doc().get, add, update, remove, count and aggregate on a missing collection, and creates nothing', async () => {
  const c = db.collection('never_created')
  const calls: [string, () => Promise<unknown>][] = [
    ['where().get', () => c.where({}).get()],
    ['doc().get', () => c.doc('x').get()],
    ['add', () => c.add({ a: 1 })],
    ['where().update', () => c.where({ a: 1 }).update({ a: 2 })],
    ['doc().set', () => c.doc('x').set({ a: 1 })],
    ['where().remove', () => c.where({ a: 1 }).remove()],
    ['count', () => c.count()],
    ['aggregate', () => c.aggregate().match({}).end()],
  ]
  for (const [name, call] of calls) {
    const err = await failure(call())
    expect({ name, code: err.code, message: err.message }).toEqual({ name, code: 'DATABASE_COLLECTION_NOT_EXIST', message: MESSAGE })
  }
  expect(h.store.hasCollection('never_created')).toBe(false)
})

it('fails inside a transaction too, and the transaction can still be rolled back', async () => {
  const t = await db.startTransaction()
  const err = await failure(t.collection('never_created').add({ _id: 'a' }))
  expect(err.code).toBe('DATABASE_COLLECTION_NOT_EXIST')
  await t.rollback()
})

it('through wx-server-sdk: errCode -502005 with the backend text; works once db.createCollection made it', async () => {
  const err = await failure(wxdb.collection('typo_users').where({ a: 1 }).get())
  expect(err.errCode).toBe(-502005)
  expect(err.errMsg).toBe(`collection.get:fail -502005 database collection not exists. ${MESSAGE}`)
  expect((await failure(wxdb.collection('typo_users').add({ data: { a: 1 } }))).errCode).toBe(-502005)
  await wxdb.createCollection('typo_users')
  expect((await wxdb.collection('typo_users').where({}).get()).data).toEqual([])
  expect((await wxdb.collection('typo_users').add({ data: { a: 1 } }))._id).toMatch(/^[0-9a-f]{32}$/)
  // WX reference Database.createCollection: creating it again is an error (its text is not documented).
  expect((await failure(wxdb.createCollection('typo_users'))).errMsg).toContain('already exists')
})

it('auto-creation, when asked for, lets calls through and names each collection once', async () => {
  const warnings: string[] = []
  const lax = await startAdmin({ autoCreateCollections: true, warn: (line) => warnings.push(line) })
  try {
    const ldb = tcb.init({ env: 'test-env', serviceUrl: lax.serviceUrl, secretId: 'x', secretKey: 'y' }).database()
    expect((await ldb.collection('made_up').where({}).get()).data).toEqual([])
    await ldb.collection('made_up').add({ a: 1 })
    await ldb.collection('other').count()
    expect(lax.store.hasCollection('made_up')).toBe(true)
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toContain('"made_up"')
    expect(warnings[0]).toContain('-502005')
    expect(warnings[1]).toContain('"other"')
  } finally {
    await lax.close()
  }
})
