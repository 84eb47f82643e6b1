import { bindPhone, DuplicateKeyError, isDuplicateKeyError, isTransactionConflict, toPhoneView, TransactionConflictError, unbindPhone, type BindingStore, type BoundPhone } from './binding'
import { MemoryBindingStore } from './memoryStore'
import { normalisePhone, phoneIndexId, type PhoneRecord } from './phone'

const rec = (pure: string, cc = '86'): PhoneRecord => {
  const r = normalisePhone({ purePhoneNumber: pure, countryCode: cc })
  if (!r.ok) throw new Error('bad test number')
  return r.data
}
const now = new Date('2026-03-01T08:00:00Z')
const input = (openid: string, phone: PhoneRecord) => ({ openid, appid: 'wxapp', phone, source: 'code' as const, now })

describe('bindPhone edge cases', () => {
  it('repairs a user whose index entry is missing (unchanged for the user, index recreated)', async () => {
    const store = new MemoryBindingStore()
    const p = rec('13800138000')
    await bindPhone(store, input('a', p))
    await store.runTransaction((tx) => tx.deletePhoneIndex(phoneIndexId(p.e164)))
    const r = await bindPhone(store, input('a', p))
    expect(r.ok && r.data.change).toBe('unchanged')
    expect(store.snapshot().phoneIndex).toEqual([expect.objectContaining({ _id: 'p8613800138000', openid: 'a' })])
  })

  it('does not release an old index entry that belongs to someone else', async () => {
    const store = new MemoryBindingStore()
    const [p1, p2] = [rec('13800138000'), rec('13900139000')]
    await bindPhone(store, input('a', p1))
    // Inconsistent data: the index for a's old number now names b.
    await store.runTransaction(async (tx) => {
      await tx.deletePhoneIndex(phoneIndexId(p1.e164))
      await tx.insertPhoneIndex({ _id: phoneIndexId(p1.e164), openid: 'b', boundAt: now })
    })
    await bindPhone(store, input('a', p2))
    expect(store.snapshot().phoneIndex.find((d) => d._id === phoneIndexId(p1.e164))?.openid).toBe('b')
  })

  it('transfers by delete + insert on a store without putPhoneIndex', async () => {
    const inner = new MemoryBindingStore()
    const store: BindingStore = {
      runTransaction: (fn) =>
        inner.runTransaction((tx) =>
          fn({ getUser: tx.getUser.bind(tx), getPhoneIndex: tx.getPhoneIndex.bind(tx), insertPhoneIndex: tx.insertPhoneIndex.bind(tx), deletePhoneIndex: tx.deletePhoneIndex.bind(tx), putUser: tx.putUser.bind(tx), addEvent: tx.addEvent.bind(tx) }),
        ),
    }
    const p = rec('13800138000')
    await bindPhone(store, input('a', p))
    const r = await bindPhone(store, { ...input('b', p), policy: 'transfer' })
    expect(r.ok && r.data.change).toBe('transferred')
    expect(inner.snapshot().phoneIndex).toEqual([expect.objectContaining({ openid: 'b' })])
  })

  it('stores unionid when given and keeps foreign numbers apart by country code', async () => {
    const store = new MemoryBindingStore()
    const r1 = await bindPhone(store, { ...input('a', rec('61234567', '852')), unionid: 'u1' })
    const r2 = await bindPhone(store, input('b', rec('61234567', '853')))
    expect(r1.ok && r1.data.user.unionid).toBe('u1')
    expect(r2.ok && r2.data.change).toBe('bound')
  })

  it('a conflict still returns PHONE_ALREADY_BOUND when the audit write fails, and reports it', async () => {
    const inner = new MemoryBindingStore()
    const p = rec('13800138000')
    await bindPhone(inner, input('a', p))
    let calls = 0
    const store: BindingStore = {
      // 1: the claim (duplicate), 2: the re-run with reads (owned by a), 3: the audit event.
      runTransaction: (fn) => (++calls === 3 ? Promise.reject(new Error('db down')) : inner.runTransaction(fn)),
    }
    const seen: unknown[] = []
    const r = await bindPhone(store, { ...input('b', p), onAuditFailure: (e) => seen.push(e) })
    expect(r).toMatchObject({ ok: false, error: { code: 'PHONE_ALREADY_BOUND' } })
    expect(seen).toHaveLength(1)
    const viaAppend: BindingStore = { runTransaction: (fn) => inner.runTransaction(fn), appendEvent: async () => { throw new Error('db down') } }
    expect(await bindPhone(viaAppend, { ...input('c', p), onAuditFailure: (e) => seen.push(e) })).toMatchObject({ ok: false, error: { code: 'PHONE_ALREADY_BOUND' } })
    expect(seen).toHaveLength(2)
  })

  /** Records every store operation in order: each is one CloudBase request in production. */
  function counting(inner: MemoryBindingStore) {
    const ops: string[] = []
    const store: BindingStore = {
      runTransaction: (fn) => {
        ops.push('begin')
        return inner.runTransaction((tx) =>
          fn({
            getUser: (id) => (ops.push('getUser'), tx.getUser(id)),
            getPhoneIndex: (id) => (ops.push('getPhoneIndex'), tx.getPhoneIndex(id)),
            insertPhoneIndex: (d) => (ops.push('insertPhoneIndex'), tx.insertPhoneIndex(d)),
            deletePhoneIndex: (id) => (ops.push('deletePhoneIndex'), tx.deletePhoneIndex(id)),
            putPhoneIndex: (d) => (ops.push('putPhoneIndex'), tx.putPhoneIndex!(d)),
            putUser: (d) => (ops.push('putUser'), tx.putUser(d)),
            addEvent: (e) => (ops.push('addEvent'), tx.addEvent(e)),
          }),
        )
      },
      appendEvent: (e) => (ops.push('appendEvent'), inner.appendEvent(e)),
      peekPhoneIndex: (id) => (ops.push('peekPhoneIndex'), inner.peekPhoneIndex(id)),
    }
    return { store, ops }
  }

  it('a fresh number is claimed by its insert, without reading the index first', async () => {
    const { store, ops } = counting(new MemoryBindingStore())
    expect(await bindPhone(store, input('a', rec('13800138000')))).toMatchObject({ ok: true, data: { change: 'bound' } })
    expect(ops).toEqual(['begin', 'getUser', 'insertPhoneIndex', 'putUser', 'addEvent'])
  })

  it('a double tap reads instead of claiming, and writes nothing', async () => {
    const inner = new MemoryBindingStore()
    const p = rec('13800138000')
    await bindPhone(inner, input('a', p))
    const { store, ops } = counting(inner)
    expect(await bindPhone(store, input('a', p))).toMatchObject({ ok: true, data: { change: 'unchanged' } })
    expect(ops).toEqual(['begin', 'getUser', 'getPhoneIndex'])
  })

  it('a taken number: the failed claim is discarded, the owner peeked, one lone conflict event', async () => {
    const inner = new MemoryBindingStore()
    const p = rec('13800138000')
    await bindPhone(inner, input('a', p))
    const { store, ops } = counting(inner)
    expect(await bindPhone(store, input('b', p))).toMatchObject({ ok: false, error: { code: 'PHONE_ALREADY_BOUND' } })
    expect(ops).toEqual(['begin', 'getUser', 'insertPhoneIndex', 'peekPhoneIndex', 'appendEvent'])
    // Without peek (or under transfer) the owner is read in a second transaction; maxAttempts 1
    // is enough: the failed claim does not use up the attempt that reads the owner.
    ops.length = 0
    const noPeek: BindingStore = { runTransaction: (fn) => store.runTransaction(fn), appendEvent: (e) => store.appendEvent!(e) }
    expect(await bindPhone(noPeek, { ...input('b', p), maxAttempts: 1 })).toMatchObject({ ok: false, error: { code: 'PHONE_ALREADY_BOUND' } })
    expect(ops).toEqual(['begin', 'getUser', 'insertPhoneIndex', 'begin', 'getUser', 'getPhoneIndex', 'appendEvent'])
    const snap = inner.snapshot()
    expect(snap.users.map((u) => u._id)).toEqual(['a'])
    expect(snap.phoneIndex).toEqual([expect.objectContaining({ openid: 'a' })])
    expect(snap.events.map((e) => [e.type, e.openid, e.masked])).toEqual([['bind', 'a', '138****8000'], ['conflict', 'b', '138****8000'], ['conflict', 'b', '138****8000']])
  })

  it('BINDING_CONFLICT after the attempts run out; unknown store errors propagate', async () => {
    let runs = 0
    const conflicting: BindingStore = { runTransaction: async () => { runs++; throw new TransactionConflictError() } }
    expect(await bindPhone(conflicting, { ...input('a', rec('13800138000')), maxAttempts: 4 })).toMatchObject({ ok: false, error: { code: 'BINDING_CONFLICT' } })
    expect(runs).toBe(4)
    expect(await unbindPhone(conflicting, { openid: 'a', now })).toMatchObject({ ok: false, error: { code: 'BINDING_CONFLICT' } })
    const duplicate: BindingStore = { runTransaction: async () => { throw new DuplicateKeyError('phone_index') } }
    expect(await bindPhone(duplicate, input('a', rec('13800138000')))).toMatchObject({ ok: false, error: { code: 'BINDING_CONFLICT' } })
    const broken: BindingStore = { runTransaction: async () => { throw new Error('network') } }
    await expect(bindPhone(broken, input('a', rec('13800138000')))).rejects.toThrow('network')
  })

  it('recognises store errors by name too (a bundled copy of core has its own classes)', () => {
    const e = Object.assign(new Error('x'), { name: 'DuplicateKeyError' })
    expect(isDuplicateKeyError(e)).toBe(true)
    expect(isTransactionConflict(Object.assign(new Error('x'), { name: 'TransactionConflictError' }))).toBe(true)
    expect(isDuplicateKeyError(new Error('x'))).toBe(false)
    expect(new DuplicateKeyError('phone_index').message).not.toMatch(/[0-9]{5}/)
  })
})

describe('toPhoneView', () => {
  const bound: BoundPhone = { ...rec('13800138000'), source: 'code', verifiedAt: now }

  it('shows the masked number only, unless the deployment opts in', () => {
    expect(toPhoneView(bound, { revealFull: false })).toEqual({ masked: '138****8000', countryCode: '86', source: 'code', verifiedAt: '2026-03-01T08:00:00.000Z' })
    expect(toPhoneView(bound, { revealFull: true }).e164).toBe('+8613800138000')
  })

  it('accepts verifiedAt as a stored ISO string or epoch ms', () => {
    expect(toPhoneView({ ...bound, verifiedAt: '2026-03-01T08:00:00.000Z' as unknown as Date }, { revealFull: false }).verifiedAt).toBe('2026-03-01T08:00:00.000Z')
    expect(toPhoneView({ ...bound, verifiedAt: now.getTime() as unknown as Date }, { revealFull: false }).verifiedAt).toBe('2026-03-01T08:00:00.000Z')
  })
})
