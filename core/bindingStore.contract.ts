/**
 * @module bindingStore.contract — one jest suite every `BindingStore` must pass (the in-memory
 * one here, the CloudBase one in the server). Call `describeBindingStoreContract` from a
 * `*.test.ts`. Tests use fresh random openids and numbers, so a shared database works too.
 */
import { mergeAccounts, unionAccountKey } from './accounts'
import { replayTrail } from './auditTrail'
import { bindPhone, isDuplicateKeyError, TransactionConflictError, unbindPhone, type BindingStore, type BindingTx, type BindPolicy, type Clock, type PhoneEvent, type PhoneIndexDoc } from './binding'
import type { PhoneSource } from './contracts'
import { normalisePhone, phoneIndexId, type PhoneRecord } from './phone'

export interface BindingStoreHarness {
  store: BindingStore
  /** Every audit event the store holds (tests filter by their own openids). */
  events(): Promise<PhoneEvent[]>
  close?(): Promise<void>
}

let counter = 0
const salt = Math.random().toString(36).slice(2, 8)
const openid = (tag: string) => `o_${salt}_${++counter}_${tag}`
function phone(): PhoneRecord {
  const digits = String(Math.floor(Math.random() * 1e8)).padStart(8, '0')
  const r = normalisePhone({ purePhoneNumber: `139${digits}`, countryCode: '86' })
  if (!r.ok) throw new Error('test number rejected')
  return r.data
}
const T0 = new Date('2026-01-01T00:00:00Z')
const later = (s: number) => new Date(T0.getTime() + s * 1000)
const time = (d: unknown) => new Date(d as Date).getTime()

/** A store whose transactions fail at `op` after the earlier writes were made. */
function failingAt(store: BindingStore, op: keyof BindingTx): BindingStore {
  return {
    runTransaction: (fn) =>
      store.runTransaction((tx) => {
        const faulty: BindingTx = { ...bindTx(tx), [op]: async () => { throw new Error(`injected failure at ${op}`) } }
        return fn(faulty)
      }),
  }
}
/** A store whose first transaction runs to the end and then loses a race (nothing committed). */
function conflictingOnce(store: BindingStore): BindingStore {
  let first = true
  return {
    runTransaction: (fn) => {
      if (!first) return store.runTransaction(fn)
      first = false
      return store.runTransaction(async (tx) => {
        await fn(tx)
        throw new TransactionConflictError()
      })
    },
  }
}

/** Deterministic pseudo-random numbers in [0, 1), so a failing run repeats. */
function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const bindTx = (tx: BindingTx): BindingTx => ({
  getUser: (id) => tx.getUser(id),
  getPhoneIndex: (id) => tx.getPhoneIndex(id),
  insertPhoneIndex: (d) => tx.insertPhoneIndex(d),
  deletePhoneIndex: (id) => tx.deletePhoneIndex(id),
  putUser: (d) => tx.putUser(d),
  addEvent: (e) => tx.addEvent(e),
  ...(tx.putPhoneIndex ? { putPhoneIndex: (d: PhoneIndexDoc) => tx.putPhoneIndex!(d) } : {}),
})

export function describeBindingStoreContract(name: string, makeStore: () => BindingStoreHarness | Promise<BindingStoreHarness>): void {
  describe(`BindingStore contract: ${name}`, () => {
    let h: BindingStoreHarness
    beforeEach(async () => {
      h = await makeStore()
    })
    afterEach(async () => {
      await h.close?.()
    })

    const bind = (who: string, p: PhoneRecord, opts: { now?: Clock; policy?: BindPolicy; source?: PhoneSource; store?: BindingStore } = {}) =>
      bindPhone(opts.store ?? h.store, { openid: who, appid: 'wxapp', phone: p, source: opts.source ?? 'code', now: opts.now ?? T0, policy: opts.policy })
    const read = <T>(fn: (tx: BindingTx) => Promise<T>) => h.store.runTransaction(fn)
    const eventsOf = async (...who: string[]) => (await h.events()).filter((e) => who.includes(e.openid))

    it('binds a first number: user created, index owned, a masked bind event', async () => {
      const a = openid('a')
      const p = phone()
      const r = await bind(a, p, { source: 'cloudID' })
      expect(r.ok && r.data.change).toBe('bound')
      const user = await read((tx) => tx.getUser(a))
      expect(user).toMatchObject({ _id: a, openid: a, appid: 'wxapp', phone: { e164: p.e164, masked: p.masked, source: 'cloudID' } })
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164)))).toMatchObject({ openid: a })
      expect(user!.phoneVersion).toBe(1)
      const events = await eventsOf(a)
      expect(events).toEqual([expect.objectContaining({ type: 'bind', openid: a, masked: p.masked, source: 'cloudID', phoneVersion: 1 })])
      expect(JSON.stringify(events)).not.toContain(p.purePhoneNumber)
    })

    it('binding the same number again is unchanged and writes nothing', async () => {
      const a = openid('a')
      const p = phone()
      await bind(a, p)
      const r = await bind(a, p, { now: later(60) })
      expect(r.ok && r.data.change).toBe('unchanged')
      const user = await read((tx) => tx.getUser(a))
      expect(time(user!.updatedAt)).toBe(T0.getTime())
      expect(await eventsOf(a)).toHaveLength(1)
    })

    it('keeps what login stored (createdAt, lastLoginAt) when binding an existing user', async () => {
      const a = openid('a')
      await read((tx) => tx.putUser({ _id: a, openid: a, appid: 'wxapp', createdAt: T0, updatedAt: T0, lastLoginAt: T0 }))
      const r = await bind(a, phone(), { now: later(5) })
      expect(r.ok && r.data.change).toBe('bound')
      const user = await read((tx) => tx.getUser(a))
      expect(time(user!.createdAt)).toBe(T0.getTime())
      expect(time(user!.lastLoginAt)).toBe(T0.getTime())
      expect(time(user!.updatedAt)).toBe(later(5).getTime())
    })

    it('a new number is rebound and the old one released for others', async () => {
      const [a, b] = [openid('a'), openid('b')]
      const [p1, p2] = [phone(), phone()]
      await bind(a, p1)
      const r = await bind(a, p2, { now: later(1) })
      expect(r.ok && r.data.change).toBe('rebound')
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p1.e164)))).toBeNull()
      expect((await bind(b, p1)).ok).toBe(true)
      expect(await eventsOf(a)).toContainEqual(expect.objectContaining({ type: 'rebind', masked: p2.masked, previousMasked: p1.masked }))
    })

    it('a number owned by another account: PHONE_ALREADY_BOUND, nothing written, a conflict event recorded', async () => {
      const [a, b] = [openid('a'), openid('b')]
      const p = phone()
      await bind(a, p)
      const r = await bind(b, p, { now: later(1) })
      expect(r).toMatchObject({ ok: false, error: { code: 'PHONE_ALREADY_BOUND' } })
      expect(await read((tx) => tx.getUser(b))).toBeNull()
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164)))).toMatchObject({ openid: a })
      expect((await read((tx) => tx.getUser(a)))?.phone?.e164).toBe(p.e164)
      expect(await eventsOf(b)).toEqual([expect.objectContaining({ type: 'conflict', openid: b, otherOpenid: a, masked: p.masked })])
    })

    it('a conflict event repeats the versions it observed: the caller’s and the owner’s', async () => {
      const [a, b] = [openid('a'), openid('b')]
      const [p, q] = [phone(), phone()]
      await bind(a, p)
      await bind(a, q, { now: later(1) }) // a: version 2, holds q
      await bind(b, phone(), { now: later(2) }) // b: version 1
      expect(await bind(b, q, { now: later(3) })).toMatchObject({ ok: false, error: { code: 'PHONE_ALREADY_BOUND' } })
      expect(await eventsOf(b)).toContainEqual(expect.objectContaining({ type: 'conflict', otherOpenid: a, masked: q.masked, phoneVersion: 1, otherPhoneVersion: 2 }))
      expect((await read((tx) => tx.getUser(b)))!.phoneVersion).toBe(1) // refused: no version taken
    })

    it('the transfer policy moves the number and clears the previous owner', async () => {
      const [a, b] = [openid('a'), openid('b')]
      const p = phone()
      await bind(a, p)
      const r = await bind(b, p, { policy: 'transfer', now: later(1) })
      expect(r.ok && r.data.change).toBe('transferred')
      expect((await read((tx) => tx.getUser(a)))?.phone ?? null).toBeNull()
      expect((await read((tx) => tx.getUser(b)))?.phone?.e164).toBe(p.e164)
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164)))).toMatchObject({ openid: b })
      expect(await eventsOf(b)).toEqual([expect.objectContaining({ type: 'transfer', openid: b, otherOpenid: a, masked: p.masked, phoneVersion: 1, otherPhoneVersion: 2 })])
      expect((await read((tx) => tx.getUser(a)))!.phoneVersion).toBe(2)
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164)))).toMatchObject({ openid: b, phoneVersion: 1 })
    })

    it('a failed transfer leaves the previous owner untouched', async () => {
      const [a, b] = [openid('a'), openid('b')]
      const p = phone()
      await bind(a, p)
      await expect(bind(b, p, { policy: 'transfer', store: failingAt(h.store, 'addEvent') })).rejects.toThrow(/injected failure/)
      expect((await read((tx) => tx.getUser(a)))?.phone?.e164).toBe(p.e164)
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164)))).toMatchObject({ openid: a })
      expect(await read((tx) => tx.getUser(b))).toBeNull()
    })

    it('unbind releases the number, is idempotent, and is a no-op for unknown users', async () => {
      const [a, b] = [openid('a'), openid('b')]
      const p = phone()
      await bind(a, p)
      expect(await unbindPhone(h.store, { openid: a, now: later(1) })).toEqual({ ok: true, data: { released: true } })
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164)))).toBeNull()
      expect((await read((tx) => tx.getUser(a)))?.phone ?? null).toBeNull()
      expect(await unbindPhone(h.store, { openid: a, now: later(2) })).toEqual({ ok: true, data: { released: false } })
      expect(await unbindPhone(h.store, { openid: b, now: later(2) })).toEqual({ ok: true, data: { released: false } })
      expect((await eventsOf(a)).map((e) => [e.type, e.phoneVersion])).toEqual([['bind', 1], ['unbind', 2]])
      expect((await bind(b, p)).ok).toBe(true)
    })

    it('two accounts racing for one number: exactly one wins, the other is told', async () => {
      const [a, b] = [openid('a'), openid('b')]
      const p = phone()
      const results = await Promise.all([bind(a, p), bind(b, p)])
      const winners = results.filter((r) => r.ok)
      expect(winners).toHaveLength(1)
      expect(results.filter((r) => !r.ok && r.error.code === 'PHONE_ALREADY_BOUND')).toHaveLength(1)
      const owner = (await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164))))!.openid
      const loser = owner === a ? b : a
      expect((await read((tx) => tx.getUser(loser)))?.phone ?? null).toBeNull()
    })

    it('one account binding the same number twice at once: one bound, one unchanged', async () => {
      const a = openid('a')
      const p = phone()
      const results = await Promise.all([bind(a, p), bind(a, p)])
      expect(results.map((r) => r.ok && r.data.change).sort()).toEqual(['bound', 'unchanged'])
    })

    it.each<keyof BindingTx>(['putUser', 'addEvent'])('a failure at %s leaves nothing half-written', async (op) => {
      const a = openid('a')
      const p = phone()
      await expect(bind(a, p, { store: failingAt(h.store, op) })).rejects.toThrow(/injected failure/)
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164)))).toBeNull()
      expect(await read((tx) => tx.getUser(a))).toBeNull()
      expect(await eventsOf(a)).toEqual([])
    })

    it('peekPhoneIndex and appendEvent, where the store has them, read and write committed state only', async () => {
      const [a, b] = [openid('a'), openid('b')]
      const p = phone()
      expect((await bind(a, p)).ok).toBe(true)
      if (h.store.peekPhoneIndex) {
        expect(await h.store.peekPhoneIndex(phoneIndexId(p.e164))).toMatchObject({ _id: phoneIndexId(p.e164), openid: a })
        const id = phoneIndexId(phone().e164)
        expect(await h.store.peekPhoneIndex(id)).toBeNull()
        // Another transaction's uncommitted insert is not seen.
        await h.store.runTransaction(async (tx) => {
          await tx.insertPhoneIndex({ _id: id, openid: b, boundAt: T0 })
          expect(await h.store.peekPhoneIndex!(id)).toBeNull()
          throw new Error('abort')
        }).catch((e: unknown) => expect(String(e)).toMatch(/abort/))
        expect(await h.store.peekPhoneIndex(id)).toBeNull()
      }
      if (h.store.appendEvent) {
        const event: PhoneEvent = { type: 'conflict', openid: b, otherOpenid: a, masked: p.masked, source: 'code', phoneVersion: 0, at: later(1) }
        await h.store.appendEvent(event)
        expect((await eventsOf(b)).map((e) => [e.type, e.otherOpenid, e.masked])).toEqual([['conflict', a, p.masked]])
      }
    })

    it('a retried bind records the time of the attempt that committed, not of the first try', async () => {
      const a = openid('a')
      let calls = 0
      const clock = () => later(++calls)
      const r = await bind(a, phone(), { now: clock, store: conflictingOnce(h.store) })
      expect(r.ok && r.data.change).toBe('bound')
      expect(calls).toBe(2)
      const [event] = await eventsOf(a)
      expect(time(event!.at)).toBe(later(2).getTime())
      expect(time((await read((tx) => tx.getUser(a)))!.updatedAt)).toBe(later(2).getTime())
    })

    it.each<BindPolicy>(['reject', 'transfer'])('under %s, concurrent binds, rebinds and unbinds: the trail ordered by phoneVersion replays to every user’s phone', async (policy) => {
      const users = Array.from({ length: 6 }, (_, i) => openid(`u${i}`))
      const numbers = Array.from({ length: 3 }, () => phone())
      const rand = seeded(policy === 'reject' ? 7 : 11)
      let tick = 0
      const clock = () => later(++tick)
      for (let round = 0; round < 6; round++) {
        await Promise.all(
          users.map(async (u) => {
            if (rand() < 0.2) await unbindPhone(h.store, { openid: u, now: clock })
            else await bind(u, numbers[Math.floor(rand() * numbers.length)]!, { policy, now: clock })
          }),
        )
      }
      // Storage order means nothing (CloudBase _ids are random): replay them reversed.
      const trail = (await eventsOf(...users)).reverse()
      expect(trail.map((e) => e.type)).toContain(policy === 'reject' ? 'conflict' : 'transfer')
      const replay = replayTrail(trail)
      expect(replay.violations).toEqual([])
      expect(replay.unversioned).toBe(0)
      for (const u of users) {
        const doc = await read((tx) => tx.getUser(u))
        expect([u, replay.users.get(u)?.masked ?? null, replay.users.get(u)?.phoneVersion ?? 0]).toEqual([u, doc?.phone?.masked ?? null, doc?.phoneVersion ?? 0])
      }
    })

    it('transactions: own writes are visible, a throw discards them, a duplicate _id is a DuplicateKeyError', async () => {
      const a = openid('a')
      const id = phoneIndexId(phone().e164)
      await expect(
        h.store.runTransaction(async (tx) => {
          await tx.insertPhoneIndex({ _id: id, openid: a, boundAt: T0 })
          expect(await tx.getPhoneIndex(id)).toMatchObject({ openid: a })
          throw new Error('abort')
        }),
      ).rejects.toThrow('abort')
      expect(await read((tx) => tx.getPhoneIndex(id))).toBeNull()
      expect(await read(async (tx) => (await tx.insertPhoneIndex({ _id: id, openid: a, boundAt: T0 }), 'done'))).toBe('done')
      const dup = await read((tx) => tx.insertPhoneIndex({ _id: id, openid: a, boundAt: T0 })).catch((e: unknown) => e)
      expect(isDuplicateKeyError(dup)).toBe(true)
    })

    // ---- accounts (./accounts.ts): the owner of a number is the account, not the openid ----

    const unionid = () => `u_${salt}_${++counter}`
    const bindAs = (who: string, account: string, p: PhoneRecord, opts: { now?: Clock; policy?: BindPolicy } = {}) =>
      bindPhone(h.store, { openid: who, account, appid: `app_${who}`, phone: p, source: 'code', now: opts.now ?? T0, policy: opts.policy })
    const replayOf = async (...keys: string[]) => {
      const trail = (await h.events()).filter((e) => keys.includes(e.openid) || (e.otherOpenid !== undefined && keys.includes(e.otherOpenid) && e.type !== 'conflict'))
      return replayTrail(trail.reverse())
    }

    it('two openids of one account (two apps, one unionid): the second is recognised, a different account is still refused', async () => {
      const [a, b, stranger] = [openid('appA'), openid('appB'), openid('x')]
      const account = unionAccountKey(unionid())
      const p = phone()
      expect((await bindAs(a, account, p)).ok && 'bound').toBe('bound')
      const again = await bindAs(b, account, p, { now: later(1) })
      expect(again.ok && again.data.change).toBe('unchanged')
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164)))).toMatchObject({ openid: account })
      const doc = await read((tx) => tx.getUser(account))
      expect(doc).toMatchObject({ _id: account, openid: a, phone: { e164: p.e164 }, phoneVersion: 1 })
      expect(await read((tx) => tx.getUser(a))).toBeNull() // no per-openid row: the account is the row
      expect(await eventsOf(account)).toEqual([expect.objectContaining({ type: 'bind', openid: account, actorOpenid: a, phoneVersion: 1 })])
      expect(await bind(stranger, p, { now: later(2) })).toMatchObject({ ok: false, error: { code: 'PHONE_ALREADY_BOUND' } })
      expect(await eventsOf(stranger)).toEqual([expect.objectContaining({ type: 'conflict', otherOpenid: account })])
      // Either openid of the account may release it; the audit names which one did.
      expect(await unbindPhone(h.store, { openid: b, account, now: later(3) })).toEqual({ ok: true, data: { released: true } })
      expect(await eventsOf(account)).toContainEqual(expect.objectContaining({ type: 'unbind', actorOpenid: b, phoneVersion: 2 }))
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164)))).toBeNull()
    })

    it('merge: an openid account with a number folds into the unionid account, audited, replayable, idempotent', async () => {
      const a = openid('legacy')
      const u = unionid()
      const p = phone()
      await bind(a, p)
      // The stored unionid is what login writes from getWXContext; set it as login would.
      const before = (await read((tx) => tx.getUser(a)))!
      await read((tx) => tx.putUser({ ...before, unionid: u }))
      const r = await mergeAccounts(h.store, { from: a, unionid: u, now: later(5) })
      expect(r).toEqual({ ok: true, data: { merged: true, kept: 'from' } })
      const into = unionAccountKey(u)
      expect(await read((tx) => tx.getUser(into))).toMatchObject({ _id: into, unionid: u, phone: { e164: p.e164 }, phoneVersion: 1 })
      expect(await read((tx) => tx.getUser(a))).toMatchObject({ phone: null, phoneVersion: 2, mergedInto: into })
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164)))).toMatchObject({ openid: into, phoneVersion: 1 })
      expect((await eventsOf(into)).map((e) => e.type).sort()).toEqual(['merge', 'transfer'])
      expect(JSON.stringify(await eventsOf(into))).not.toContain(p.purePhoneNumber)
      const replay = await replayOf(a, into)
      expect(replay.violations).toEqual([])
      expect(replay.users.get(into)).toEqual({ masked: p.masked, phoneVersion: 1 })
      expect(replay.users.get(a)).toEqual({ masked: null, phoneVersion: 2 })
      // Again: nothing to do, nothing written.
      const count = (await h.events()).length
      expect(await mergeAccounts(h.store, { from: a, unionid: u, now: later(6) })).toEqual({ ok: true, data: { merged: false, reason: 'already' } })
      expect(await mergeAccounts(h.store, { from: openid('nobody'), unionid: u, now: later(6) })).toEqual({ ok: true, data: { merged: false, reason: 'absent' } })
      expect((await h.events()).length).toBe(count)
      // The person is now recognised through the account, from any of their openids.
      const fromAppB = await bindAs(openid('appB'), into, p, { now: later(7) })
      expect(fromAppB.ok && fromAppB.data.change).toBe('unchanged')
      // Arriving without a unionid (keyed by the old openid again), the tombstone leads to the account.
      const viaOld = await bind(a, p, { now: later(8) })
      expect(viaOld.ok && viaOld.data).toMatchObject({ change: 'unchanged', user: { _id: into } })
      expect(await unbindPhone(h.store, { openid: a, now: later(9) })).toEqual({ ok: true, data: { released: true } })
      expect((await read((tx) => tx.getUser(into)))?.phone ?? null).toBeNull()
      expect(await read((tx) => tx.getUser(a))).toMatchObject({ phone: null, phoneVersion: 2, mergedInto: into })
      expect(await eventsOf(into)).toContainEqual(expect.objectContaining({ type: 'unbind', actorOpenid: a, phoneVersion: 2 }))
      expect((await replayOf(a, into)).violations).toEqual([])
    })

    it('merge when both accounts hold numbers: the one verified last stays, the other is released for others', async () => {
      const [a, c] = [openid('legacy'), openid('other')]
      const u = unionid()
      const into = unionAccountKey(u)
      const [older, newer] = [phone(), phone()]
      await bindAs(openid('appB'), into, older, { now: later(1) })
      await bindPhone(h.store, { openid: a, appid: 'wxapp', unionid: u, phone: newer, source: 'code', now: later(2) })
      expect(await mergeAccounts(h.store, { from: a, unionid: u, now: later(3) })).toEqual({ ok: true, data: { merged: true, kept: 'from', released: older.masked } })
      expect((await read((tx) => tx.getUser(into)))?.phone?.e164).toBe(newer.e164)
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(older.e164)))).toBeNull()
      expect((await bind(c, older, { now: later(4) })).ok).toBe(true)
      expect((await replayOf(a, into)).violations).toEqual([])

      // The other way round: the unionid account's number is the newer one and stays.
      const [b, u2] = [openid('legacy'), unionid()]
      const [p1, p2] = [phone(), phone()]
      await bindPhone(h.store, { openid: b, appid: 'wxapp', unionid: u2, phone: p1, source: 'code', now: later(1) })
      await bindAs(openid('appB'), unionAccountKey(u2), p2, { now: later(2) })
      expect(await mergeAccounts(h.store, { from: b, unionid: u2, now: later(3) })).toEqual({ ok: true, data: { merged: true, kept: 'into', released: p1.masked } })
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p1.e164)))).toBeNull()
      expect((await read((tx) => tx.getUser(unionAccountKey(u2))))?.phone?.e164).toBe(p2.e164)
      expect(await eventsOf(b)).toContainEqual(expect.objectContaining({ type: 'unbind', masked: p1.masked, otherOpenid: unionAccountKey(u2), phoneVersion: 2 }))
      expect((await replayOf(b, unionAccountKey(u2))).violations).toEqual([])
    })

    it('merge needs proof that both sides are one person: a stored unionid from WeChat, or the caller’s own openid', async () => {
      const [a, b] = [openid('a'), openid('b')]
      const [u, other] = [unionid(), unionid()]
      const p = phone()
      await bindPhone(h.store, { openid: a, appid: 'wxapp', unionid: other, phone: p, source: 'code', now: T0 })
      const count = (await h.events()).length
      // a's stored unionid is another person's: refused, nothing written.
      expect(await mergeAccounts(h.store, { from: a, unionid: u, now: later(1) })).toMatchObject({ ok: false, error: { code: 'ACCOUNT_MERGE_REFUSED' } })
      expect(await mergeAccounts(h.store, { from: a, unionid: u, callerOpenid: b, now: later(1) })).toMatchObject({ ok: false, error: { code: 'ACCOUNT_MERGE_REFUSED' } })
      expect(await mergeAccounts(h.store, { from: unionAccountKey(other), unionid: u, now: later(1) })).toMatchObject({ ok: false, error: { code: 'ACCOUNT_MERGE_REFUSED' } })
      expect((await h.events()).length).toBe(count)
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164)))).toMatchObject({ openid: a })
      // A stored unionid that is absent: only the openid itself proves it (getWXContext of this call).
      await bind(b, phone())
      expect(await mergeAccounts(h.store, { from: b, unionid: u, now: later(2) })).toMatchObject({ ok: false, error: { code: 'ACCOUNT_MERGE_REFUSED' } })
      expect(await mergeAccounts(h.store, { from: b, unionid: u, callerOpenid: b, now: later(2) })).toMatchObject({ ok: true, data: { merged: true, kept: 'from' } })
      expect(await eventsOf(unionAccountKey(u))).toContainEqual(expect.objectContaining({ type: 'merge', actorOpenid: b, otherOpenid: b }))
    })

    it('binding a number held by the caller’s own older openid account adopts that account (no PHONE_ALREADY_BOUND); anyone else’s is still refused', async () => {
      const [a, b, stranger] = [openid('legacyA'), openid('appB'), openid('x')]
      const u = unionid()
      const into = unionAccountKey(u)
      const p = phone()
      await bindPhone(h.store, { openid: a, appid: 'wxapp', unionid: u, phone: p, source: 'code', now: T0 }) // keyed by openid, unionid stored
      const viaUnion = (who: string, unionidOf: string, now: Date) => bindPhone(h.store, { openid: who, account: unionAccountKey(unionidOf), unionid: unionidOf, appid: 'wxB', phone: p, source: 'code', now })
      const other = unionid()
      expect(await viaUnion(stranger, other, later(1))).toMatchObject({ ok: false, error: { code: 'PHONE_ALREADY_BOUND' } })
      expect(await read((tx) => tx.getUser(a))).toMatchObject({ phone: { e164: p.e164 } })
      expect(await read((tx) => tx.getUser(unionAccountKey(other)))).toBeNull()
      const r = await viaUnion(b, u, later(2))
      expect(r.ok && r.data.change).toBe('unchanged')
      expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(p.e164)))).toMatchObject({ openid: into })
      expect(await read((tx) => tx.getUser(a))).toMatchObject({ phone: null, mergedInto: into })
      expect(await eventsOf(into)).toContainEqual(expect.objectContaining({ type: 'merge', actorOpenid: b, otherOpenid: a }))
      expect((await replayOf(a, into)).violations).toEqual([])
    })

    it('concurrent binds and unbinds from two apps of each account, with legacy openid rows folded meanwhile: the trail replays to every row', async () => {
      const people = Array.from({ length: 3 }, () => ({ u: unionid(), legacy: openid('legacy'), apps: [openid('A'), openid('B')] }))
      const numbers = Array.from({ length: 4 }, () => phone())
      const rand = seeded(23)
      let tick = 0
      const clock = () => later(++tick)
      // Some people bound before unionid accounts existed: an openid row with their unionid stored.
      for (const p of people.slice(0, 2)) await bindPhone(h.store, { openid: p.legacy, appid: 'wxapp', unionid: p.u, phone: numbers[people.indexOf(p)]!, source: 'code', now: clock })
      for (let round = 0; round < 5; round++) {
        await Promise.all(
          people.flatMap((p) => [
            ...p.apps.map(async (who) => {
              const account = unionAccountKey(p.u)
              if (rand() < 0.25) await unbindPhone(h.store, { openid: who, account, now: clock })
              else await bindPhone(h.store, { openid: who, account, unionid: p.u, appid: 'wx', phone: numbers[Math.floor(rand() * numbers.length)]!, source: 'code', now: clock })
            }),
            rand() < 0.3 ? mergeAccounts(h.store, { from: p.legacy, unionid: p.u, now: clock }) : Promise.resolve(),
          ]),
        )
      }
      const keys = people.flatMap((p) => [p.legacy, unionAccountKey(p.u)])
      const replay = await replayOf(...keys)
      expect(replay.violations).toEqual([])
      for (const key of keys) {
        const doc = await read((tx) => tx.getUser(key))
        expect([key, replay.users.get(key)?.masked ?? null, replay.users.get(key)?.phoneVersion ?? 0]).toEqual([key, doc?.phone?.masked ?? null, doc?.phoneVersion ?? 0])
        if (doc?.phone) expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(doc.phone!.e164)))).toMatchObject({ openid: key })
      }
      // One number, one account, whatever the interleaving.
      for (const n of numbers) {
        const holders = []
        for (const key of keys) if ((await read((tx) => tx.getUser(key)))?.phone?.e164 === n.e164) holders.push(key)
        expect(holders.length).toBeLessThanOrEqual(1)
      }
    })

    it('a merge racing binds of both accounts: every outcome is one of the serial ones and the trail replays', async () => {
      const a = openid('legacy')
      const u = unionid()
      const into = unionAccountKey(u)
      const [p, q, r2] = [phone(), phone(), phone()]
      await bindPhone(h.store, { openid: a, appid: 'wxapp', unionid: u, phone: p, source: 'code', now: later(1) })
      let tick = 10
      const clock = () => later(++tick)
      await Promise.all([
        mergeAccounts(h.store, { from: a, unionid: u, now: clock }),
        bindPhone(h.store, { openid: a, appid: 'wxapp', unionid: u, phone: q, source: 'code', now: clock }),
        bindAs(openid('appB'), into, r2, { now: clock }),
      ])
      const replay = await replayOf(a, into)
      expect(replay.violations).toEqual([])
      for (const key of [a, into]) {
        const doc = await read((tx) => tx.getUser(key))
        expect([key, replay.users.get(key)?.masked ?? null]).toEqual([key, doc?.phone?.masked ?? null])
        if (doc?.phone) expect(await read((tx) => tx.getPhoneIndex(phoneIndexId(doc.phone!.e164)))).toMatchObject({ openid: key })
      }
    })
  })
}
