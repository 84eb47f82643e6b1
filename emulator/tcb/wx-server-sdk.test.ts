/**
 * Wire tests: the real, pinned wx-server-sdk against the emulator's `/admin` endpoint.
 */
import { TcbError, type AdminBody } from '../types'
import { rejectionOf, startAdmin, type AdminHarness, type WxCallError } from './testing/harness'

// No metadata probes (reference §5); must be set before the SDK is loaded.
process.env.TENCENTCLOUD = 'true'
// The token a function invocation would carry; the SDK echoes it as wxCloudApiToken.
process.env.WX_CONTEXT_KEYS = 'WX_API_TOKEN'
process.env.WX_API_TOKEN = 'tok-wire'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cloud = require('wx-server-sdk')

/* eslint-disable @typescript-eslint/no-explicit-any -- the SDK's typings do not cover errCode/stats */
type Db = any

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0)
let now = T0
let h: AdminHarness
let db: Db
let _: any
let openApiBody: AdminBody | undefined

beforeAll(async () => {
  const extra = {
    'wx.openApi': async (body: AdminBody) => {
      openApiBody = body
      throw new TcbError('INVALID_PARAM', 'captured')
    },
  }
  h = await startAdmin({ clock: { now: () => now }, extra })
  h.invocations.register({ token: 'tok-wire', invocationId: 'inv-wire', functionName: 'f', openid: 'o-wire', appid: 'wxa', openapiPermissions: [] })
  cloud.init({ env: 'test-env', serviceUrl: h.serviceUrl, secretId: 'x', secretKey: 'y' })
  db = cloud.database()
  _ = db.command
  // Collections must exist, as on CloudBase: created the way a function would.
  for (const c of ['users', 'phone_index', 'audit', 'scores', 'agg', 'many', 'ops', 'rm', 'sets']) await db.createCollection(c)
})
afterAll(() => h.close())

const failure = (p: Promise<unknown>) => rejectionOf<WxCallError>(p)

describe('wx-server-sdk database over /admin', () => {
  it('adds with a generated 32-hex _id and with a chosen _id; a duplicate _id is -501001 with E11000', async () => {
    const added = await db.collection('users').add({ data: { name: 'a', at: db.serverDate({ offset: 1000 }) } })
    expect(added._id).toMatch(/^[0-9a-f]{32}$/)
    expect(added.errMsg).toBe('collection.add:ok')
    await db.collection('users').add({ data: { _id: 'o-dup', name: 'b' } })
    const err = await failure(db.collection('users').add({ data: { _id: 'o-dup', name: 'c' } }))
    expect(err.errCode).toBe(-501001)
    expect(err.errMsg).toContain('E11000 duplicate key')
    expect(err.errMsg).toContain('o-dup')
    const { data } = await db.collection('users').doc(added._id).get()
    expect(data.at).toEqual(new Date(T0 + 1000))
    expect((await db.collection('users').doc('o-dup').get()).data.name).toBe('b')
  })

  it('gets with where, orderBy, skip, limit and field', async () => {
    await db.collection('scores').add({ data: [1, 2, 3, 4, 5].map((n) => ({ _id: `s${n}`, n, even: n % 2 === 0, nested: { k: n } })) })
    const res = await db.collection('scores').where({ n: _.gte(2).and(_.lte(5)) }).orderBy('n', 'desc').skip(1).limit(2).field({ n: true }).get()
    expect(res.data).toEqual([{ _id: 's4', n: 4 }, { _id: 's3', n: 3 }])
    expect(res.errMsg).toBe('collection.get:ok')
    const nested = await db.collection('scores').where({ nested: { k: 5 } }).get()
    expect(nested.data.map((d: any) => d._id)).toEqual(['s5'])
    const regex = await db.collection('scores').where({ _id: db.RegExp({ regexp: '^S[12]$', options: 'i' }) }).get()
    expect(regex.data).toHaveLength(2)
    now = T0 + 5_000
    await db.collection('scores').doc('s1').update({ data: { seenAt: db.serverDate() } })
    const seen = await db.collection('scores').where({ seenAt: _.lt(db.serverDate({ offset: 1 })).and(_.gt(db.serverDate({ offset: -1 }))) }).get()
    expect(seen.data.map((d: any) => d._id)).toEqual(['s1'])
    now = T0
    const ors = await db.collection('scores').where(_.or([{ n: 1 }, { n: _.in([4, 5]) }])).count()
    expect(ors.total).toBe(3)
    expect((await db.collection('scores').where({ even: true }).count()).total).toBe(2)
  })

  it('throws the SDK not-found error for doc().get() of a missing document', async () => {
    const err = await failure(db.collection('users').doc('nobody').get())
    expect(err.errCode).toBe(-1)
    expect(err.errMsg).toContain('does not exist')
  })

  it('updates with every operator the SDK emits', async () => {
    const coll = db.collection('ops')
    await coll.add({
      data: { _id: 'd', n: 1, m: 2, lo: 5, hi: 5, tags: ['a', 'b', 'c'], nums: [1, 2, 3, 2], q: [1, 2, 3], gone: 1, old: 'x', profile: { city: 'sz', zip: '518000' } },
    })
    now = T0 + 60_000
    const r = await coll.doc('d').update({
      data: {
        n: _.inc(5),
        m: _.mul(3),
        lo: _.min(2),
        hi: _.max(9),
        tags: _.push(['d']),
        nums: _.pull(2),
        q: _.shift(),
        gone: _.remove(),
        old: _.rename('renamed'),
        profile: { city: 'gz' },
        replaced: _.set({ a: 1 }),
        updatedAt: db.serverDate(),
      },
    })
    expect(r.stats.updated).toBe(1)
    await coll.doc('d').update({ data: { tags: _.unshift(['z']), q: _.pop(), nums: _.pullAll([1]), set: _.addToSet('u') } })
    await coll.doc('d').update({ data: { set: _.addToSet('u'), tags: _.push({ each: ['e'], position: 1, slice: 4 }) } })
    const { data } = await coll.doc('d').get()
    expect(data).toEqual({
      _id: 'd',
      n: 6,
      m: 6,
      lo: 2,
      hi: 9,
      tags: ['z', 'e', 'a', 'b'],
      nums: [3],
      q: [2],
      renamed: 'x',
      profile: { city: 'gz', zip: '518000' },
      replaced: { a: 1 },
      updatedAt: new Date(T0 + 60_000),
      set: ['u'],
    })
    now = T0
  })

  it('counts only real modifications and updates many with where', async () => {
    await db.collection('many').add({ data: [{ g: 1, v: 0 }, { g: 1, v: 1 }, { g: 2, v: 0 }] })
    const same = await db.collection('many').where({ g: 1 }).update({ data: { v: 1 } })
    expect(same.stats.updated).toBe(1)
    const none = await db.collection('many').where({ g: 1 }).update({ data: { v: 1 } })
    expect(none.stats.updated).toBe(0)
    const inc = await db.collection('many').where({ g: _.exists(true) }).update({ data: { v: _.inc(1) } })
    expect(inc.stats.updated).toBe(3)
  })

  it('set inserts when missing and replaces when present', async () => {
    const created = await db.collection('sets').doc('x').set({ data: { a: 1, b: 2 } })
    expect(created.stats).toEqual({ updated: 0, created: 1 })
    expect(created._id).toBe('x')
    const replaced = await db.collection('sets').doc('x').set({ data: { c: 3 } })
    expect(replaced.stats).toEqual({ updated: 1, created: 0 })
    expect((await db.collection('sets').doc('x').get()).data).toEqual({ _id: 'x', c: 3 })
    const again = await db.collection('sets').doc('x').set({ data: { c: 3 } })
    expect(again.stats.updated).toBe(0)
  })

  it('removes by doc and by where', async () => {
    await db.collection('rm').add({ data: [{ _id: 'r1', k: 1 }, { _id: 'r2', k: 2 }, { _id: 'r3', k: 2 }] })
    expect((await db.collection('rm').doc('r1').remove()).stats.removed).toBe(1)
    expect((await db.collection('rm').where({ k: 2 }).remove()).stats.removed).toBe(2)
    expect((await db.collection('rm').count()).total).toBe(0)
  })

  it('aggregates', async () => {
    await db.collection('agg').add({ data: [{ g: 'a', v: 1 }, { g: 'a', v: 2 }, { g: 'b', v: 5 }] })
    const $ = db.command.aggregate
    const res = await db.collection('agg').aggregate().match({ v: _.gt(0) }).group({ _id: '$g', sum: $.sum('$v') }).sort({ sum: -1 }).end()
    expect(res.list).toEqual([{ _id: 'b', sum: 5 }, { _id: 'a', sum: 3 }])
  })

  it('creates a collection once', async () => {
    const created = await db.createCollection('fresh_coll')
    expect(created.errMsg).toBeDefined()
    expect(h.store.hasCollection('fresh_coll')).toBe(true)
    const err = await failure(db.createCollection('fresh_coll'))
    expect(err.errMsg).toContain('already exists')
  })
})

describe('wx-server-sdk envelope over /admin', () => {
  it('attributes every call to the invocation of its WX_API_TOKEN', async () => {
    const seen: (string | undefined)[] = []
    const off = h.events.on('admin.call', (e) => seen.push(e.invocationId))
    await db.collection('users').where({}).count()
    off()
    expect(seen).toEqual(['inv-wire'])
  })

  it('delivers the chunked multipart wx.openApi body with the protobuf bytes intact', async () => {
    const err = await failure(cloud.openapi.phonenumber.getPhoneNumber({ code: 'x' }))
    expect(err.errCode).toBe(-501007)
    expect(openApiBody?.apiName).toBe('phonenumber.getPhoneNumber')
    expect(openApiBody?.wxCloudApiToken).toBe('tok-wire')
    expect(Buffer.isBuffer(openApiBody?.requestData)).toBe(true)
    expect((openApiBody?.requestData as Buffer).toString('base64')).toBe('CAASDQoLCgRjb2RlEgMieCI=')
  })
})

describe('wx-server-sdk transactions over /admin', () => {
  it('commits all writes of runTransaction', async () => {
    await db.collection('users').add({ data: { _id: 'o-t1', n: 1 } })
    const result = await db.runTransaction(async (t: any) => {
      const u = await t.collection('users').doc('o-t1').get()
      expect(u.data).toEqual({ _id: 'o-t1', n: 1 })
      // wx-server-sdk throws for a missing document inside a transaction too (raw @cloudbase/database gives null).
      const missing = await t.collection('phone_index').doc('p-t1').get().catch((e: any) => e)
      expect(missing.errMsg).toContain('document with _id p-t1 does not exist')
      await t.collection('phone_index').add({ data: { _id: 'p-t1', owner: 'o-t1' } })
      await t.collection('users').doc('o-t1').update({ data: { n: _.inc(1), phone: 'p-t1' } })
      await t.collection('audit').doc('e-t1').set({ data: { kind: 'bind' } })
      return 'done'
    })
    expect(result).toBe('done')
    expect((await db.collection('users').doc('o-t1').get()).data).toEqual({ _id: 'o-t1', n: 2, phone: 'p-t1' })
    expect((await db.collection('phone_index').doc('p-t1').get()).data.owner).toBe('o-t1')
    expect((await db.collection('audit').doc('e-t1').get()).data.kind).toBe('bind')
  })

  it('aborts when the callback throws, keeping a concurrent non-transactional write', async () => {
    await db.collection('users').add({ data: { _id: 'o-t2', n: 1 } })
    const err = await failure(
      db.runTransaction(async (t: any) => {
        await t.collection('users').doc('o-t2').update({ data: { n: 100 } })
        await t.collection('phone_index').add({ data: { _id: 'p-t2' } })
        await db.collection('users').add({ data: { _id: 'o-outside', n: 7 } })
        throw Object.assign(new Error('business rule'), { errCode: 1, errMsg: 'business rule' })
      }),
    )
    expect(String(err.errMsg ?? err)).toContain('business rule')
    expect((await db.collection('users').doc('o-t2').get()).data.n).toBe(1)
    expect((await db.collection('phone_index').where({ _id: 'p-t2' }).count()).total).toBe(0)
    expect((await db.collection('users').doc('o-outside').get()).data.n).toBe(7)
  })

  it('keeps a non-transactional write made during a transaction that commits', async () => {
    await db.collection('users').add({ data: { _id: 'o-t3' } })
    await db.runTransaction(async (t: any) => {
      await t.collection('users').doc('o-t3').update({ data: { phone: 'p-t3' } })
      await db.collection('users').add({ data: { _id: 'o-during' } })
      await db.collection('users').doc('o-dup').update({ data: { touched: true } })
    })
    expect((await db.collection('users').doc('o-during').get()).data).toEqual({ _id: 'o-during' })
    expect((await db.collection('users').doc('o-dup').get()).data.touched).toBe(true)
    expect((await db.collection('users').doc('o-t3').get()).data.phone).toBe('p-t3')
  })

  it('lets exactly one of two racing transactions claim the same _id: the second fails at its write', async () => {
    let wrote!: () => void
    let release!: () => void
    const aWrote = new Promise<void>((r) => (wrote = r))
    const gate = new Promise<void>((r) => (release = r))
    const a = db.runTransaction(async (t: any) => {
      await t.collection('phone_index').add({ data: { _id: 'p-race', owner: 'o-A' } })
      await t.collection('users').doc('o-A').set({ data: { phone: 'p-race' } })
      wrote()
      await gate
    })
    await aWrote
    // B writes the _id A has written but not committed (node-sdk transaction.test.ts "冲突检测").
    const b = await failure(
      db.runTransaction(async (t: any) => {
        await t.collection('users').doc('o-B').set({ data: { phone: 'p-race' } })
        await t.collection('phone_index').add({ data: { _id: 'p-race', owner: 'o-B' } })
      }),
    )
    release()
    await a
    expect(b.errCode).toBe(-501001)
    expect(b.errMsg).toContain('[ResourceUnavailable.TransactionConflict]')
    expect((await db.collection('phone_index').doc('p-race').get()).data.owner).toBe('o-A')
    expect((await db.collection('users').doc('o-A').get()).data.phone).toBe('p-race')
    expect((await db.collection('users').where({ _id: 'o-B' }).count()).total).toBe(0)
  })

  it('fails a transaction whose document changed underneath it, applying nothing', async () => {
    await db.collection('users').add({ data: { _id: 'o-c', v: 1 } })
    const err = await failure(
      db.runTransaction(async (t: any) => {
        await t.collection('users').doc('o-c').get()
        await t.collection('phone_index').add({ data: { _id: 'p-c' } })
        await db.collection('users').doc('o-c').update({ data: { v: 2 } })
        await t.collection('users').doc('o-c').update({ data: { v: 3 } })
      }),
    )
    expect(err.errCode).toBe(-501001)
    expect(err.errMsg).toContain('[ResourceUnavailable.TransactionConflict] Transaction is conflict')
    expect((await db.collection('users').doc('o-c').get()).data.v).toBe(2)
    expect((await db.collection('phone_index').where({ _id: 'p-c' }).count()).total).toBe(0)
  })
})

describe('wx-server-sdk transaction retries', () => {
  it('retries runTransaction when the commit itself conflicts', async () => {
    await db.collection('users').add({ data: { _id: 'o-retry', v: 0 } })
    let attempts = 0
    await db.runTransaction(async (t: any) => {
      attempts++
      const u = await t.collection('users').doc('o-retry').get()
      await t.collection('users').doc('o-retry').update({ data: { v: u.data.v + 10 } })
      // Someone else writes after this transaction's last operation: only the commit notices.
      if (attempts === 1) await db.collection('users').doc('o-retry').update({ data: { v: 1 } })
    })
    expect(attempts).toBe(2)
    expect((await db.collection('users').doc('o-retry').get()).data.v).toBe(11)
  })
})

describe('wx-server-sdk on a fresh environment', () => {
  let strict: AdminHarness
  beforeAll(async () => {
    strict = await startAdmin()
  })
  afterAll(() => strict.close())

  it('reports a missing collection as -502005', async () => {
    // A second cloud.init is ignored; database({env}) builds its instance from the updated config.
    cloud.updateConfig({ env: 'test-env', serviceUrl: strict.serviceUrl, secretId: 'x', secretKey: 'y' })
    const sdb = cloud.database({ env: 'test-env' })
    cloud.updateConfig({ env: 'test-env', serviceUrl: h.serviceUrl, secretId: 'x', secretKey: 'y' })
    const err = await failure(sdb.collection('nope').where({ a: 1 }).get())
    expect(err.errCode).toBe(-502005)
    expect(err.errMsg).toContain('collection.get:fail -502005')
    expect((await failure(sdb.collection('nope').add({ data: { a: 1 } }))).errCode).toBe(-502005)
    await sdb.createCollection('nope')
    expect((await sdb.collection('nope').add({ data: { a: 1 } }))._id).toMatch(/^[0-9a-f]{32}$/)
  })
})
