/**
 * The same fidelity fixes as fidelity.test.ts, as a cloud function sees them: through the pinned
 * wx-server-sdk 4.0.2, which keeps only `errCode` (its TCB_ERR_CODE table) and `errMsg`.
 * Sources as in fidelity.test.ts (NS = Tencent's node-sdk integration tests against the real backend).
 */
import { rejectionOf, startAdmin, type AdminHarness, type WxCallError } from './testing/harness'

process.env.TENCENTCLOUD = 'true'
process.env.WX_CONTEXT_KEYS = 'WX_API_TOKEN'
process.env.WX_API_TOKEN = 'tok-fidelity'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cloud = require('wx-server-sdk')

/* eslint-disable @typescript-eslint/no-explicit-any -- the SDK's typings do not cover errCode/stats */
let h: AdminHarness
let db: any
let _: any

beforeAll(async () => {
  h = await startAdmin()
  h.invocations.register({ token: 'tok-fidelity', invocationId: 'inv-fid', functionName: 'f', openid: 'o-fid', appid: 'wxa', openapiPermissions: [] })
  cloud.init({ env: 'test-env', serviceUrl: h.serviceUrl, secretId: 'x', secretKey: 'y' })
  db = cloud.database()
  _ = db.command
})
afterAll(() => h.close())

const failure = (p: Promise<unknown>) => rejectionOf<WxCallError>(p)

it('update() and remove() without where() fail with INVALID_PARAM (-501007) and change nothing', async () => {
  await db.createCollection('nowhere')
  const coll = db.collection('nowhere')
  await coll.add({ data: { a: 0 } })
  // NS index.test.ts "验证 无 query update" (INVALID_PARAM); wx-server-sdk maps it to -501007
  const upd = await failure(coll.update({ data: { a: 1 } }))
  expect(upd.errCode).toBe(-501007)
  expect(upd.errMsg).toMatch(/^collection\.update:fail -501007 invalid parameters\. /)
  expect((await failure(coll.remove())).errCode).toBe(-501007)
  expect((await coll.where({}).get()).data.map((d: any) => d.a)).toEqual([0])
})

it('a $-prefixed field fails with DATABASE_REQUEST_FAILED (-502001)', async () => {
  await db.createCollection('dollar')
  // NS index.test.ts "验证throwOnCode": add({$_key: 1}) → DATABASE_REQUEST_FAILED
  const err = await failure(db.collection('dollar').add({ data: { $_key: 1 } }))
  expect(err.errCode).toBe(-502001)
  expect((await db.collection('dollar').count()).total).toBe(0)
})

it('elemMatch on a field does not match arrays of plain values, and geoNear works', async () => {
  await db.createCollection('arrays')
  const coll = db.collection('arrays')
  await coll.add({ data: { category: 'number', tags: [1, 2, 3], point: new db.Geo.Point(22, 33) } })
  await coll.add({ data: { category: 'embedded', tags: [{ value: 1 }], point: new db.Geo.Point(23, 33) } })
  // NS advanced-operator "elemMatch / Array of Embedded Documents"
  expect((await coll.where({ tags: _.elemMatch({ value: _.gt(0) }) }).get()).data.map((d: any) => d.category)).toEqual(['embedded'])
  // NS geo-advanced "GEO - geoNear"
  const near = await coll.where({ point: _.geoNear({ geometry: new db.Geo.Point(22, 33), maxDistance: 1, minDistance: 0 }) }).get()
  expect(near.data.map((d: any) => d.category)).toEqual(['number'])
})
