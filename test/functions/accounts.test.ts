/**
 * unionid-aware accounts through the real built functions, the real wx-server-sdk and the
 * emulator hosting two mini programs of one Open Platform account (one unionid, two openids):
 * recognition across apps, the default kept for existing deployments, the client's merge, and
 * the migration of a realistic openid-keyed dataset while binds keep arriving.
 */
import { checkTrail } from '../../bench/lib/invariants'
import { expectFail, expectOk, startHarness, type Harness } from './harness'
import { freshNumber, masked, tapForCode, type Bind, type Login } from './support'
import type { MergeAccountsData, Result } from '../../core/contracts'

let h: Harness
let appB: string
const numbers: string[] = []
const number = () => {
  const n = freshNumber()
  numbers.push(n)
  return n
}
let seq = 0
const unionid = () => `oUnion${process.pid}x${++seq}`.padEnd(28, 'u')

beforeAll(async () => {
  h = await startHarness()
  appB = (await h.emu.client.createApp({ name: 'app B of the same Open Platform account' })).appid
}, 60_000)
afterAll(async () => {
  await h?.stop()
})

const UNIONID_ACCOUNTS = { PHONEBIND_ACCOUNT_KEY: 'unionid' }
/** One person in WeChat: an openid in each app, the same unionid (or none), the same number. */
async function person(opts: { n?: string; u?: string | false; apps?: string[] } = {}) {
  const n = opts.n ?? number()
  const u = opts.u === undefined ? unionid() : opts.u
  const apps = opts.apps ?? [h.emu.appid, appB]
  const ids = []
  for (const appid of apps) ids.push((await h.emu.client.createUser({ appid, purePhoneNumber: n, countryCode: '86', unionid: u === false ? false : u })).openid)
  return { n, u, ids }
}
const bind = async (openid: string) => h.call<Bind>(openid, 'getPhoneNumber', { code: await tapForCode(h, openid) })
const users = () => h.emu.client.db<Record<string, unknown> & { _id: string }>('users', 5000)
const index = () => h.emu.client.db<{ _id: string; openid: string }>('phone_index', 5000)
const events = () => h.emu.client.db<Record<string, unknown> & { openid: string }>('phone_events', 5000)
/** Invokes a function as the console or `tcb fn invoke` would: no client identity at all. */
async function asConsole<T>(name: 'mergeAccounts', event: Record<string, unknown>) {
  const out = await h.emu.runner.invoke(name, event, { openid: '', appid: '', source: 'tcb' })
  if (!out.ok) throw new Error(`invocation failed: ${out.errMsg}`)
  h.responses.push(out.result)
  return out.result as Result<T>
}

describe('the account owns the number (PHONEBIND_ACCOUNT_KEY=unionid)', () => {
  beforeAll(() => h.setEnv(UNIONID_ACCOUNTS))
  afterAll(() => h.setEnv())

  it('the same person binds in app A, then in app B: recognised, no PHONE_ALREADY_BOUND; a different person still gets it', async () => {
    const me = await person()
    expect(expectOk(await bind(me.ids[0]!)).change).toBe('bound')
    const inB = expectOk(await bind(me.ids[1]!))
    expect(inB).toMatchObject({ change: 'unchanged', phone: { masked: masked(me.n) } })
    // App B's login already sees the number: one account, two apps.
    expect(expectOk(await h.call<Login>(me.ids[1]!, 'login')).phone).toMatchObject({ masked: masked(me.n) })
    const account = `un_${me.u}`
    expect((await index()).filter((i) => i._id === `p86${me.n}`).map((i) => i.openid)).toEqual([account])
    expect((await users()).filter((u) => me.ids.includes(u._id))).toEqual([]) // no per-openid rows
    // Someone else whose WeChat account has the same number (another unionid): refused in either app.
    const stranger = await person({ n: me.n })
    for (const id of stranger.ids) expectFail(await bind(id), 'PHONE_ALREADY_BOUND')
    expect((await events()).filter((e) => e.openid === `un_${stranger.u}`).map((e) => [e.type, e.otherOpenid])).toEqual([
      ['conflict', account],
      ['conflict', account],
    ])
    // The audit names which app's openid acted for the account.
    expect((await events()).filter((e) => e.openid === account)).toEqual([expect.objectContaining({ type: 'bind', actorOpenid: me.ids[0], masked: masked(me.n) })])
  })

  it('without a unionid (app not bound to an Open Platform account) the openid stays the account', async () => {
    const loner = await person({ u: false, apps: [appB] })
    expect(expectOk(await bind(loner.ids[0]!)).change).toBe('bound')
    expect((await index()).find((i) => i._id === `p86${loner.n}`)?.openid).toBe(loner.ids[0])
    // mergeAccounts has nothing to fold into.
    expectFail(await h.call(loner.ids[0]!, 'mergeAccounts'), 'ACCOUNT_MERGE_UNAVAILABLE')
  })

  it('either app may unbind the account’s number; the other app then sees none', async () => {
    const me = await person()
    expectOk(await bind(me.ids[0]!))
    expect(expectOk(await h.call<{ released: boolean }>(me.ids[1]!, 'unbindPhone'))).toEqual({ released: true })
    expect(expectOk(await h.call<Login>(me.ids[0]!, 'login')).phone).toBeNull()
  })
})

describe('the default (PHONEBIND_ACCOUNT_KEY unset): one account per openid, as before', () => {
  it('the same person in app B is refused, as existing deployments expect until they migrate', async () => {
    const me = await person()
    expectOk(await bind(me.ids[0]!))
    expectFail(await bind(me.ids[1]!), 'PHONE_ALREADY_BOUND')
    expectFail(await h.call(me.ids[0]!, 'mergeAccounts'), 'ACCOUNT_MERGE_UNAVAILABLE')
    expectFail(await asConsole('mergeAccounts', {}), 'ACCOUNT_MERGE_UNAVAILABLE')
  })
})

describe('merge: a user who first bound without a unionid and later has one', () => {
  afterEach(() => h.setEnv())

  it('folds only the caller’s own accounts, audited; a client can name no account', async () => {
    // Bound while the app had no Open Platform account (no unionid, openid-keyed rows)…
    const me = await person({ u: false, apps: [h.emu.appid] })
    const victim = await person({ u: false, apps: [h.emu.appid] })
    expectOk(await bind(me.ids[0]!))
    expectOk(await bind(victim.ids[0]!))
    // …then the app is bound to one: WeChat now gives this user a unionid (what the emulator's
    // state says is what getWXContext returns).
    const u = unionid()
    h.emu.wechat.state.users[me.ids[0]!]!.unionid = u
    h.setEnv(UNIONID_ACCOUNTS)
    // No field can point the merge at anyone: the request takes none from a client.
    expectFail(await h.call(me.ids[0]!, 'mergeAccounts', { from: victim.ids[0] }), 'INVALID_INPUT')
    expectFail(await h.call(me.ids[0]!, 'mergeAccounts', { after: victim.ids[0] }), 'INVALID_INPUT')
    const data = expectOk(await h.call<MergeAccountsData>(me.ids[0]!, 'mergeAccounts'))
    expect(data).toEqual({ merged: 1, phone: expect.objectContaining({ masked: masked(me.n) }) })
    expect(expectOk(await h.call<MergeAccountsData>(me.ids[0]!, 'mergeAccounts'))).toMatchObject({ merged: 0 }) // idempotent
    expect(expectOk(await h.call<Login>(me.ids[0]!, 'login')).phone).toMatchObject({ masked: masked(me.n) })
    const all = await users()
    expect(all.find((x) => x._id === me.ids[0])).toMatchObject({ phone: null, mergedInto: `un_${u}` })
    expect(all.find((x) => x._id === victim.ids[0])).toMatchObject({ phone: expect.objectContaining({ masked: masked(victim.n) }) })
    expect((await events()).filter((e) => e.openid === `un_${u}`).map((e) => e.type).sort()).toEqual(['merge', 'transfer'])
    // A later call without UNIONID in its context (WeChat only includes it "满足 unionid 获取条件时")
    // is keyed by the openid again: its tombstone leads to the account, not to an empty row.
    delete h.emu.wechat.state.users[me.ids[0]!]!.unionid
    expect(expectOk(await h.call<Login>(me.ids[0]!, 'login')).phone).toMatchObject({ masked: masked(me.n) })
    expect(expectOk(await bind(me.ids[0]!))).toMatchObject({ change: 'unchanged', phone: { masked: masked(me.n) } })
  })

  it('the first login after the switch folds the caller’s own row: the number shows at once, before any migration', async () => {
    const me = await person({ apps: [h.emu.appid] })
    expectOk(await bind(me.ids[0]!)) // openid keys: an openid row
    h.setEnv(UNIONID_ACCOUNTS)
    const first = expectOk(await h.call<Login>(me.ids[0]!, 'login'))
    expect(first).toMatchObject({ created: true, phone: { masked: masked(me.n) } })
    expect((await users()).find((x) => x._id === me.ids[0])).toMatchObject({ mergedInto: `un_${me.u}` })
    expect((await index()).find((i) => i._id === `p86${me.n}`)?.openid).toBe(`un_${me.u}`)
    expect(expectOk(await h.call<Login>(me.ids[0]!, 'login'))).toMatchObject({ created: false, phone: { masked: masked(me.n) } })
  })

  it('a bind before any merge adopts the caller’s own older account instead of refusing them', async () => {
    const me = await person({ u: false, apps: [h.emu.appid] })
    expectOk(await bind(me.ids[0]!))
    h.emu.wechat.state.users[me.ids[0]!]!.unionid = unionid()
    h.setEnv(UNIONID_ACCOUNTS)
    expect(expectOk(await bind(me.ids[0]!))).toMatchObject({ change: 'unchanged', phone: { masked: masked(me.n) } })
  })
})

describe('migration of existing openid-keyed data (no client identity)', () => {
  afterEach(() => h.setEnv())

  it('a realistic dataset, migrated in pages while binds keep arriving: idempotent, resumable, every account consistent, the trail replays', async () => {
    // Built with the default (openid) keys, the way an existing deployment's data looks.
    const both = await Promise.all(Array.from({ length: 6 }, () => person())) // one person, two apps
    const onlyA = await Promise.all(Array.from({ length: 4 }, () => person({ apps: [h.emu.appid] })))
    const noUnion = await Promise.all(Array.from({ length: 3 }, () => person({ u: false, apps: [h.emu.appid] })))
    for (const p of [...both, ...onlyA, ...noUnion]) expectOk(await h.call(p.ids[0]!, 'login'))
    for (const p of both.slice(0, 4)) expectOk(await bind(p.ids[0]!)) // bound in A…
    for (const p of both.slice(2, 4)) {
      // …and, with another number, in B (allowed: different openids, different numbers).
      const other = number()
      await h.emu.client.updateUser(p.ids[1]!, { purePhoneNumber: other })
      expectOk(await bind(p.ids[1]!))
    }
    for (const p of both.slice(4)) expectOk(await h.call(p.ids[1]!, 'login')) // logged in to B only
    for (const p of [...onlyA.slice(0, 3), ...noUnion]) expectOk(await bind(p.ids[0]!))
    expectOk(await h.call(onlyA[0]!.ids[0]!, 'unbindPhone'))

    h.setEnv(UNIONID_ACCOUNTS)
    // Migration pages of 4 while the people keep binding in app B (live traffic).
    const traffic = Promise.all(both.slice(0, 2).map((p) => bind(p.ids[1]!)))
    let after: string | undefined
    let pages = 0
    const totals = { merged: 0, refused: 0 }
    do {
      const page = expectOk(await asConsole<MergeAccountsData>('mergeAccounts', { limit: 4, ...(after ? { after } : {}) })) as Extract<MergeAccountsData, { next: string | null }>
      totals.merged += page.merged
      totals.refused += page.refused
      after = page.next ?? undefined
      pages++
    } while (after && pages < 100)
    const liveResults = await traffic
    expect(liveResults.map((r) => expectOk(r).change)).toEqual(['unchanged', 'unchanged'])
    expect(totals.refused).toBe(0)

    // Every person with a unionid is one account now.
    const rows = await users()
    const idx = await index()
    for (const p of [...both, ...onlyA]) {
      const account = rows.find((r) => r._id === `un_${p.u}`)
      expect(account).toBeDefined()
      for (const id of p.ids) {
        const old = rows.find((r) => r._id === id)
        if (old) expect(old).toMatchObject({ phone: null, mergedInto: `un_${p.u}` })
      }
    }
    // Two bound numbers, one account: the one verified last (in app B) stays, A's is released.
    for (const p of both.slice(2, 4)) {
      const account = rows.find((r) => r._id === `un_${p.u}`) as { phone?: { masked: string } }
      expect(account.phone?.masked).not.toBe(masked(p.n))
      expect(idx.find((i) => i._id === `p86${p.n}`)).toBeUndefined()
    }
    for (const p of both.slice(0, 2)) expect(idx.find((i) => i._id === `p86${p.n}`)?.openid).toBe(`un_${p.u}`)
    // Rows without a unionid stay keyed by openid.
    for (const p of noUnion) expect(idx.find((i) => i._id === `p86${p.n}`)?.openid).toBe(p.ids[0])

    // The database and the audit trail agree (the bench's invariant checker).
    const report = checkTrail({ users: rows, phone_index: idx, phone_events: (await events()).reverse() })
    expect(report.violations).toEqual([])
    expect(report).toMatchObject({ ok: true, unversioned: 0, mismatched: 0 })

    // Run again from the start: nothing left to do.
    const again = expectOk(await asConsole<MergeAccountsData>('mergeAccounts', { limit: 50 })) as Extract<MergeAccountsData, { next: string | null }>
    expect(again.merged).toBe(0)
    // The person is recognised in both apps now.
    for (const p of both.slice(0, 2)) expect(expectOk(await bind(p.ids[1]!)).change).toBe('unchanged')
  })
})

describe('secrets', () => {
  it('no response or log line of this suite holds a session key, the AppSecret or a full number', () => {
    expect(h.findLeaks(numbers)).toEqual([])
  })
})
