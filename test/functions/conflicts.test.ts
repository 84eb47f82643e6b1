/**
 * One number, one account — through the built functions: conflicts under both policies,
 * rebinding to a new number, and many accounts racing for one number.
 */
import { checkTrail } from '../../bench/lib/invariants'
import { expectFail, expectOk, startHarness, type Harness } from './harness'
import { dbState, freshNumber, masked, newUser, tapForCode, type Bind, type Login } from './support'

let h: Harness
const numbers: string[] = []
const number = () => {
  const n = freshNumber()
  numbers.push(n)
  return n
}
const bindByCode = async (openid: string) => h.call<Bind>(openid, 'getPhoneNumber', { code: await tapForCode(h, openid) })

beforeAll(async () => {
  h = await startHarness()
}, 60_000)
afterAll(async () => {
  await h?.stop()
})

describe('conflict policy reject (default)', () => {
  it("refuses another account's number, changes nothing, and audits the conflict with the masked number", async () => {
    const n = number()
    const a = await newUser(h, n)
    const b = await newUser(h, n)
    expectOk(await bindByCode(a.openid))
    const err = expectFail(await bindByCode(b.openid), 'PHONE_ALREADY_BOUND')
    expect(err.retryable).toBe(false)
    const dbA = await dbState(h, a.openid)
    expect(dbA.index.map((i) => i._id)).toEqual([`p86${n}`])
    const dbB = await dbState(h, b.openid)
    expect(dbB.user?.phone ?? null).toBeNull()
    expect(dbB.events).toEqual([expect.objectContaining({ type: 'conflict', otherOpenid: a.openid, masked: masked(n) })])
  })

  it('the same refusal on the cloudID and legacy paths', async () => {
    const n = number()
    const a = await newUser(h, n)
    const b = await newUser(h, n)
    expectOk(await bindByCode(a.openid))
    const detail = await h.emu.client.tapPhoneButton(b.openid)
    expectFail(await h.call(b.openid, 'getOpenData', { cloudID: detail.cloudID }), 'PHONE_ALREADY_BOUND')
    expectOk(await h.call(b.openid, 'login', { code: (await h.emu.client.login(b.openid)).code }))
    const again = await h.emu.client.tapPhoneButton(b.openid)
    expectFail(await h.call(b.openid, 'getOpenData', { encryptedData: again.encryptedData, iv: again.iv }), 'PHONE_ALREADY_BOUND')
  })
})

describe('rebinding', () => {
  it('a new number replaces the old, which is released for others', async () => {
    const [n1, n2] = [number(), number()]
    const a = await newUser(h, n1)
    const b = await newUser(h, n1)
    expectOk(await bindByCode(a.openid))
    await h.emu.client.updateUser(a.openid, { purePhoneNumber: n2 }) // the user changed the number in WeChat
    const data = expectOk(await bindByCode(a.openid))
    expect(data).toMatchObject({ change: 'rebound', phone: { masked: masked(n2) } })
    expect((await dbState(h, a.openid)).index.map((i) => i._id)).toEqual([`p86${n2}`])
    expect(expectOk(await bindByCode(b.openid)).change).toBe('bound')
  })
})

describe('conflict policy transfer', () => {
  beforeAll(() => h.setEnv({ PHONEBIND_CONFLICT_POLICY: 'transfer' }))
  afterAll(() => h.setEnv())

  it("moves the number to the caller and clears the previous owner's phone", async () => {
    const n = number()
    const a = await newUser(h, n)
    const b = await newUser(h, n)
    expectOk(await bindByCode(a.openid))
    expect(expectOk(await bindByCode(b.openid)).change).toBe('transferred')
    expect(expectOk(await h.call<Login>(a.openid, 'login')).phone).toBeNull()
    expect((await dbState(h, b.openid)).index.map((i) => i._id)).toEqual([`p86${n}`])
    expect((await dbState(h, a.openid)).index).toEqual([])
    expect((await dbState(h, b.openid)).events).toEqual([expect.objectContaining({ type: 'transfer', otherOpenid: a.openid, masked: masked(n), phoneVersion: 1, otherPhoneVersion: 2 })])
  })

  it('many accounts taking one number at once: the trail, replayed by its versions, gives every account its final phone', async () => {
    const n = number()
    const users = await Promise.all(Array.from({ length: 6 }, () => newUser(h, n)))
    const ids = new Set(users.map((u) => u.openid))
    const changes: string[] = []
    for (let round = 0; round < 3; round++) {
      const codes = await Promise.all(users.map((u) => tapForCode(h, u.openid)))
      const results = await Promise.all(users.map((u, i) => h.call<Bind>(u.openid, 'getPhoneNumber', { code: codes[i] })))
      for (const r of results) changes.push(r.ok ? r.data.change : r.error.code)
    }
    expect(changes).toContain('transferred')
    const all = await dbState(h, users[0].openid)
    const report = checkTrail({
      users: (await h.emu.client.db<Record<string, unknown>>('users', 1000)).filter((u) => ids.has(String(u._id))),
      phone_index: all.allIndex.filter((i) => ids.has(i.openid)),
      // Newest first: storage order must not matter (CloudBase _ids are random).
      phone_events: (all.allEvents as unknown as Record<string, unknown>[]).filter((e) => ids.has(String(e.openid))).reverse(),
    })
    expect(report.violations).toEqual([])
    expect(report).toMatchObject({ ok: true, unversioned: 0, mismatched: 0 })
  })
})

describe('races', () => {
  it('many accounts binding one number at once: exactly one wins, every other one is told PHONE_ALREADY_BOUND', async () => {
    const n = number()
    const users = await Promise.all(Array.from({ length: 6 }, () => newUser(h, n)))
    const codes = await Promise.all(users.map((u) => tapForCode(h, u.openid)))
    const results = await Promise.all(users.map((u, i) => h.call<Bind>(u.openid, 'getPhoneNumber', { code: codes[i] })))
    const winners = results.filter((r) => r.ok)
    expect(winners).toHaveLength(1)
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(Array(5).fill('PHONE_ALREADY_BOUND'))
    const all = await dbState(h, users[0].openid)
    const owners = all.allIndex.filter((i) => i._id === `p86${n}`)
    expect(owners).toHaveLength(1)
    const winner = users[results.findIndex((r) => r.ok)]
    expect(owners[0].openid).toBe(winner.openid)
    const usersWithIt = (await h.emu.client.db<{ _id: string; phone?: { e164: string } | null }>('users', 1000)).filter((u) => u.phone?.e164 === `+86${n}`)
    expect(usersWithIt.map((u) => u._id)).toEqual([winner.openid])
  })
})

describe('secrets', () => {
  it('no response or log line of this suite holds a session key, the AppSecret or a full number', () => {
    expect(h.findLeaks(numbers)).toEqual([])
  })
})
