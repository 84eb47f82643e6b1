/**
 * Transactions as CloudBase runs them (issue 12 item 1, shared/reviews/fidelity.md rows tx.*):
 * snapshot reads, write–write conflicts at the write, the backend's codes and texts, a 30 s
 * lifetime. Through the pinned `@cloudbase/node-sdk` 3.18.3 (keeps the server's `code`) and
 * `wx-server-sdk` (what a cloud function sees: -501001 and the text).
 * NS = Tencent's github.com/TencentCloudBase/node-sdk @ b3c9dda,
 * test/database/unit/transaction.test.ts, run by Tencent against a real CloudBase environment;
 * each case below reproduces the named test and asserts what it asserts.
 */
import { rejectionOf as failure, startAdmin, type AdminHarness } from './testing/harness'

process.env.TENCENTCLOUD = 'true'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tcb = require('@cloudbase/node-sdk')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cloud = require('wx-server-sdk')

/* eslint-disable @typescript-eslint/no-explicit-any -- result shapes are checked by the assertions */
const CONFLICT = {
  code: 'DATABASE_TRANSACTION_CONFLICT',
  message:
    '[ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated by others. Please check your request, but if the problem persists, contact us.',
}
const NOT_EXIST = {
  code: 'DATABASE_TRANSACTION_FAIL',
  message:
    '[ResourceUnavailable.TransactionNotExist] Transaction does not exist on the server, transaction must be commit or abort in 30 seconds. Please check your request, but if the problem persists, contact us.',
}

let now = Date.UTC(2026, 11, 4)
let h: AdminHarness
let db: any
let wxdb: any

beforeAll(async () => {
  h = await startAdmin({ clock: { now: () => now } })
  db = tcb.init({ env: 'test-env', serviceUrl: h.serviceUrl, secretId: 'x', secretKey: 'y' }).database()
  cloud.init({ env: 'test-env', serviceUrl: h.serviceUrl, secretId: 'x', secretKey: 'y' })
  wxdb = cloud.database()
})
afterAll(() => h.close())

const codeAndMessage = (e: any) => ({ code: e.code, message: e.message })

// NS's data set (its Date and Geo fields left out: they play no part in isolation).
const DATA = [
  { _id: '1', category: 'Web', tags: ['JavaScript', 'C#'], num: 2 },
  { _id: '2', category: 'Web', tags: ['Go', 'C#'] },
  { _id: '3', category: 'Life', tags: ['Go', 'Python', 'JavaScript'] },
]
let n = 0
let name = ''
beforeEach(async () => {
  name = `test-passages-${++n}`
  await db.createCollection(name)
  await db.collection(name).add(DATA)
})

it('"冲突检测": the second of two open transactions to write a document fails at the write; the first commits', async () => {
  const t1 = await db.startTransaction()
  const t2 = await db.startTransaction()
  const doc = await t1.collection(name).doc('1').get()
  await t2.collection(name).doc('1').update({ category: '冲突检测' })
  const err = await failure(t1.collection(name).doc('1').update({ category: doc.data.category + '冲突检测' }))
  expect(err.code).toBe(CONFLICT.code)
  await t2.commit()
  expect((await db.collection(name).doc('1').get()).data[0].category).toBe('冲突检测')
})

it('"读偏": reads return the snapshot after outside writes, and writing a changed document conflicts with the real text', async () => {
  const t = await db.startTransaction()
  await t.collection(name).doc('1').get()
  await db.collection(name).doc('1').set({ category: 'wwwwwwwwwwwwwwwww' })
  await db.collection(name).doc('2').set({ category: 'hhhhhhhhhhhhhhh' })
  expect((await t.collection(name).doc('1').get()).data).toEqual(DATA[0])
  // A document first read after the outside write still comes from the snapshot.
  expect((await t.collection(name).doc('2').get()).data).toEqual(DATA[1])
  const err = await failure(t.collection(name).doc('1').update({ category: 'transactiontransactiontransaction' }))
  expect(codeAndMessage(err)).toEqual(CONFLICT)
  expect((await db.collection(name).doc('1').get()).data[0]).toEqual({ _id: '1', category: 'wwwwwwwwwwwwwwwww' })
})

it('"读快照": a transaction reads its own update, everyone else the committed data', async () => {
  const t = await db.startTransaction()
  await t.collection(name).doc('1').update({ category: 'update in transaction' })
  expect((await db.collection(name).doc('1').get()).data[0]).toEqual(DATA[0])
  expect((await t.collection(name).doc('1').get()).data).toEqual({ ...DATA[0], category: 'update in transaction' })
  await t.rollback()
  expect((await db.collection(name).doc('1').get()).data[0]).toEqual(DATA[0])
})

it('"事务提交后, 不能进行其它操作": using a committed transaction is DATABASE_TRANSACTION_FAIL with the real text', async () => {
  const t = await db.startTransaction()
  await t.commit()
  const err = await failure(t.collection(name).doc('1').set({ category: 'Node.js' }))
  expect(codeAndMessage(err)).toEqual(NOT_EXIST)
})

it('ends a transaction 30 s after it started, even one kept busy (inferred from "must be commit or abort in 30 seconds")', async () => {
  const t = await db.startTransaction()
  await t.collection(name).doc('1').update({ num: 3 })
  for (let i = 0; i < 3; i++) {
    now += 10_000
    await t.collection(name).doc('1').get()
  }
  now += 1_500
  expect(codeAndMessage(await failure(t.commit()))).toEqual(NOT_EXIST)
  expect((await db.collection(name).doc('1').get()).data[0].num).toBe(2)
  // Its uncommitted write does not block anyone once it is gone.
  await db.runTransaction(async (t2: any) => {
    await t2.collection(name).doc('1').update({ num: 4 })
  })
  expect((await db.collection(name).doc('1').get()).data[0].num).toBe(4)
})

it('through wx-server-sdk a conflict is -501001 carrying the backend text (NS "rollback within runTransaction", 4th case)', async () => {
  const err = await failure(
    wxdb.runTransaction(async (t: any) => {
      await t.collection(name).doc('1').get()
      await wxdb.collection(name).doc('1').set({ data: { category: 'wwwwwwwwwwwwwwwww' } })
      await t.collection(name).doc('1').update({ data: { category: 'transactiontransactiontransaction' } })
    }),
  )
  expect(err.errCode).toBe(-501001)
  expect(err.errMsg).toContain(CONFLICT.message)
  expect((await wxdb.collection(name).doc('1').get()).data.category).toBe('wwwwwwwwwwwwwwwww')
})
