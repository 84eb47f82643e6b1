/**
 * Queries and writes where the emulator once differed from CloudBase (issue 12 item 4,
 * shared/reviews/fidelity.md), through the pinned `@cloudbase/node-sdk` 3.18.3, which keeps the
 * server's `code`. Each expectation is the real platform's, with its source:
 * NS = Tencent's github.com/TencentCloudBase/node-sdk @ b3c9dda, test/database/… — integration
 * tests run against a real CloudBase environment; MDB = the MongoDB manual (CloudBase's store).
 * The same behaviour seen from a cloud function (wx-server-sdk) is in fidelity.wx-server-sdk.test.ts.
 */
import { rejectionOf as failure, startAdmin, type AdminHarness } from './testing/harness'

process.env.TENCENTCLOUD = 'true'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tcb = require('@cloudbase/node-sdk')

/* eslint-disable @typescript-eslint/no-explicit-any -- result shapes are checked by the assertions */
let h: AdminHarness
let db: any
let _: any
let $: any

beforeAll(async () => {
  h = await startAdmin()
  db = tcb.init({ env: 'test-env', serviceUrl: h.serviceUrl, secretId: 'x', secretKey: 'y' }).database()
  _ = db.command
  $ = _.aggregate
})
afterAll(() => h.close())

let n = 0
/** A fresh collection holding `docs`, created the way Tencent's tests do. */
async function collectionWith(docs: object[]): Promise<any> {
  const name = `fid-${++n}`
  await db.createCollection(name)
  if (docs.length) await db.collection(name).add(docs)
  return db.collection(name)
}
const categories = (res: { data: { category: string }[] }) => res.data.map((d) => d.category).sort()

// NS unit/advanced-operator.test.ts: the shared data set (tags of strings, numbers, embedded docs).
const ADVANCED = [
  { category: 'Web', tags: ['JavaScript', 'C#'], index: 0, tags2: [1, 2, 3] },
  { category: 'Web', tags: ['Go', 'C#'], index: 1, tags2: [1, 2, 3] },
  { category: 'luke', tags: ['Go'] },
  { category: 'Life', tags: ['Go', 'Python', 'JavaScript'], index: 2, tags2: [1, 2, 3] },
  { category: 'number', tags: [1, 2, 3, 4, 5, 6, 7, 8, 9], index: 3, tags2: [1, 2, 3] },
  { category: 'embedded', tags: [{ value: 1 }, { value: 7 }], index: 4, tags2: [1, 2, 3] },
  { category: 'float', tags: ['Go', 'Python', 'JavaScript'], index: 0.2 },
]

describe('elemMatch with a field query matches embedded documents only (mingo 7.2.7 bug worked around)', () => {
  it('elemMatch({value: gt(0)}), exists(true) and mod([4, 3]) find only the embedded documents', async () => {
    const coll = await collectionWith(ADVANCED)
    // NS advanced-operator "elemMatch / Array of Embedded Documents": data[0] is 'embedded'
    expect(categories(await coll.where({ tags: _.elemMatch({ value: _.gt(0) }) }).get())).toEqual(['embedded'])
    // NS "exists / Array of Embedded Documents": length 1, 'embedded'
    expect(categories(await coll.where({ tags: _.elemMatch({ value: _.exists(true) }) }).get())).toEqual(['embedded'])
    // NS "mod / Array of Embedded Documents": length 1, 'embedded'
    expect(categories(await coll.where({ tags: _.elemMatch({ value: _.mod([4, 3]) }) }).get())).toEqual(['embedded'])
    // NS "elemMatch / Element Match": the value form still matches plain values
    expect(categories(await coll.where({ tags: _.elemMatch(_.gt(2)) }).get())).toEqual(['number'])
  })
})

describe('writes CloudBase refuses', () => {
  it('update() without where() is INVALID_PARAM and changes nothing; where({}) still updates', async () => {
    const coll = await collectionWith([{ a: 0 }, { a: 0 }])
    // NS index.test.ts "验证 无 query update": collection.update({a: 1}) → code INVALID_PARAM
    expect((await failure(coll.update({ a: 1 }))).code).toBe('INVALID_PARAM')
    expect((await coll.where({ a: 1 }).count()).total).toBe(0)
    expect((await coll.where({}).update({ a: 2 })).updated).toBe(2)
  })

  it('remove() without where() is INVALID_PARAM (inferred from the same request shape); where() removes', async () => {
    const coll = await collectionWith([{ a: 0 }, { a: 1 }])
    expect((await failure(coll.remove())).code).toBe('INVALID_PARAM')
    expect((await coll.count()).total).toBe(2)
    // NS test/common/index.ts empties a collection with where({_id: /.*/}).remove()
    expect((await coll.where({ _id: /.*/ }).remove()).deleted).toBe(2)
  })

  it('a $-prefixed field name is DATABASE_REQUEST_FAILED and nothing is stored', async () => {
    const coll = await collectionWith([])
    // NS index.test.ts "验证throwOnCode": add({$_key: 1}) → code DATABASE_REQUEST_FAILED
    expect((await failure(coll.add({ $_key: 1 }))).code).toBe('DATABASE_REQUEST_FAILED')
    expect((await failure(coll.add({ a: { $b: 1 } }))).code).toBe('DATABASE_REQUEST_FAILED')
    expect((await coll.count()).total).toBe(0)
  })

  it('a document over 16 MB is refused (the code is the emulator\'s guess: none is documented)', async () => {
    const coll = await collectionWith([])
    // WX basis/concepts/quota: "16 MB in each packet"; MDB: BSON documents are at most 16 MiB.
    const big = 'x'.repeat(16 * 1024 * 1024 + 1)
    expect((await failure(coll.add({ big }))).code).toBe('DATABASE_REQUEST_FAILED')
    expect((await coll.count()).total).toBe(0)
    await coll.add({ ok: 'x'.repeat(1024 * 1024) }) // a large but legal document is fine
  }, 30_000)
})

describe('aggregation expressions', () => {
  // NS unit/command.test.ts "字符串操作符"
  const STUDENTS = [
    { birthday: '1999/12/12', firstName: 'Yuanxin', lastName: 'Dong' },
    { birthday: '1998/11/11', firstName: 'Weijia', lastName: 'Wang' },
    { birthday: '1997/10/10', firstName: 'Chengxi', lastName: 'Li' },
  ]

  it('substr and substrBytes with a negative length return the rest of the string', async () => {
    const coll = await collectionWith(STUDENTS)
    for (const op of ['substr', 'substrBytes']) {
      const res = await coll.aggregate().project({ _id: 0, year: $[op](['$birthday', 0, 4]), month: $[op](['$birthday', 5, 2]), day: $[op](['$birthday', 8, -1]) }).end()
      expect([op, res.data]).toEqual([op, [{ day: '12', month: '12', year: '1999' }, { day: '11', month: '11', year: '1998' }, { day: '10', month: '10', year: '1997' }]])
    }
  })

  it('indexOfCP finds code points', async () => {
    const coll = await collectionWith(STUDENTS)
    const res = await coll.aggregate().project({ _id: 0, aStrIndex: $.indexOfCP(['$firstName', 'a']) }).end()
    expect(res.data).toEqual([{ aStrIndex: 2 }, { aStrIndex: 5 }, { aStrIndex: -1 }])
    // MDB $indexOfCP: positions count code points, not UTF-16 units or bytes
    const cjk = await collectionWith([{ s: '𝒳心谭a' }])
    expect((await cjk.aggregate().project({ _id: 0, i: $.indexOfCP(['$s', 'a']) }).end()).data).toEqual([{ i: 3 }])
  })

  it('week numbers weeks from Sunday, days before the first Sunday being week 0', async () => {
    // NS unit/aggregation.test.ts "Date的各种操作符": new Date(1557826731686) (2019-05-14) → week 19
    const coll = await collectionWith([{ date: new Date(1557826731686) }, { date: new Date('2019-01-05T12:00:00Z') }, { date: new Date('2019-01-06T12:00:00Z') }])
    const res = await coll.aggregate().project({ _id: 0, week: $.week('$date'), isoWeek: $.isoWeek('$date') }).end()
    // MDB $week: 2019-01-05 (a Saturday) is week 0, 2019-01-06 (the first Sunday) week 1
    expect(res.data).toEqual([{ week: 19, isoWeek: 20 }, { week: 0, isoWeek: 1 }, { week: 1, isoWeek: 1 }])
  })
})

describe('jsonSchema', () => {
  it('where(jsonSchema({required})) matches every document and its nor matches none', async () => {
    const coll = await collectionWith(ADVANCED)
    // NS advanced-operator "jsonSchema / where": all 7; "nor": 0
    expect((await coll.where(_.jsonSchema({ required: ['category'] })).get()).data).toHaveLength(ADVANCED.length)
    expect((await coll.where(_.nor([_.jsonSchema({ required: ['category'] })])).get()).data).toHaveLength(0)
  })

  it('bsonType and draft-4 keywords select by type; keywords MongoDB omits are refused', async () => {
    const coll = await collectionWith(ADVANCED)
    const schema = { required: ['index'], properties: { index: { bsonType: 'int', minimum: 2 }, tags: { bsonType: 'array', items: { bsonType: 'string' } } } }
    expect(categories(await coll.where(_.jsonSchema(schema)).get())).toEqual(['Life'])
    expect(categories(await coll.where(_.jsonSchema({ properties: { index: { bsonType: 'double' } }, required: ['index'] })).get())).toEqual(['float'])
    // MDB $jsonSchema "Omissions": $ref, $schema, default, definitions, format, id
    expect((await failure(coll.where(_.jsonSchema({ properties: { category: { type: 'string', format: 'email' } } })).get())).code).toBe('DATABASE_REQUEST_FAILED')
  })
})

describe('geo queries', () => {
  // NS unit/geo-advanced.test.ts: the "回" polygon (outer ring ±2°, inner ring ±1°)
  const ring = (d: number) => [[-d, -d], [d, -d], [d, d], [-d, d], [-d, -d]]
  const square2 = () => new db.Geo.Polygon([new db.Geo.LineString(ring(2).map(([x, y]) => new db.Geo.Point(x, y)))])

  it('geoNear finds the point itself within 1 m and orders by distance', async () => {
    const coll = await collectionWith([{ name: 'far', point: new db.Geo.Point(23, 33) }, { name: 'here', point: new db.Geo.Point(22, 33) }, { name: 'near', point: new db.Geo.Point(22.1, 33) }])
    // NS geo-advanced "GEO - geoNear": geometry (22, 33), maxDistance 1, minDistance 0 → data[0].point is it
    const res = await coll.where({ point: _.geoNear({ geometry: new db.Geo.Point(22, 33), maxDistance: 1, minDistance: 0 }) }).get()
    expect(res.data.map((d: any) => d.name)).toEqual(['here'])
    expect(res.data[0].point).toEqual(new db.Geo.Point(22, 33))
    // MDB $nearSphere: "sorts documents by distance" (nearest first)
    const all = await coll.where({ point: _.geoNear({ geometry: new db.Geo.Point(22, 33) }) }).get()
    expect(all.data.map((d: any) => d.name)).toEqual(['here', 'near', 'far'])
  })

  it('geoWithin a polygon and within a centerSphere', async () => {
    const coll = await collectionWith([{ name: 'origin', point: new db.Geo.Point(0, 0) }, { name: 'outside', point: new db.Geo.Point(3, 0) }])
    // NS geo-advanced "GEO - geoWithin": (0, 0) is within the ±2° square; where(...).remove() removes it
    const res = await coll.where({ point: _.geoWithin({ geometry: square2() }) }).get()
    expect(res.data.map((d: any) => d.name)).toEqual(['origin'])
    // MDB $centerSphere: radius in radians; 2.5° around (0, 0) holds (0, 0) but not (3, 0)
    const cs = await coll.where({ point: _.geoWithin({ centerSphere: [new db.Geo.Point(0, 0), (2.5 * Math.PI) / 180] }) }).get()
    expect(cs.data.map((d: any) => d.name)).toEqual(['origin'])
    expect((await coll.where({ point: _.geoWithin({ geometry: square2() }) }).remove()).deleted).toBe(1)
  })

  it('geoIntersects a line crossing a polygon', async () => {
    const coll = await collectionWith([{ name: 'square', area: square2() }, { name: 'far', area: new db.Geo.Point(50, 50) }])
    const line = new db.Geo.LineString([new db.Geo.Point(-5, 0), new db.Geo.Point(5, 0)])
    expect((await coll.where({ area: _.geoIntersects({ geometry: line }) }).get()).data.map((d: any) => d.name)).toEqual(['square'])
  })

  it('the aggregate geoNear stage returns the distance in metres', async () => {
    // NS unit/aggregation.test.ts "geoNear": one result, 'Hangzhou', distance 6643.521654040738
    const date = new Date()
    const coll = await collectionWith([
      { _id: 'geoNear.0', city: 'Guangzhou', date, location: { type: 'Point', coordinates: [113.30593, 23.1361155] }, name: 'Canton Tower' },
      { _id: 'geoNear.1', city: 'Hangzhou', date: new Date(date.getTime() - 1000), location: { type: 'Point', coordinates: [113.306789, 23.1564721] }, name: 'Baiyun Mountain' },
      { _id: 'geoNear.2', city: 'Beijing', date: new Date(date.getTime() + 1000), location: { type: 'Point', coordinates: [116.3949659, 39.9163447] }, name: 'The Palace Museum' },
      { _id: 'geoNear.3', city: 'Beijing', location: { type: 'Point', coordinates: [116.2328567, 40.242373] }, name: 'Great Wall' },
    ])
    const res = await coll
      .aggregate()
      .geoNear({ distanceField: 'distance', spherical: true, near: new db.Geo.Point(113.3089506, 23.0968251), query: { city: /zhou/, date: _.lt(date) }, key: 'location', includeLocs: 'location' })
      .end()
    expect(res.data.map((d: any) => d.city)).toEqual(['Hangzhou'])
    // Haversine on MongoDB's earth radius: equal to well under a millimetre, not to the last bit.
    expect(res.data[0].distance).toBeCloseTo(6643.521654040738, 6)
  })
})
