import { bindPhone } from './binding'
import { describeBindingStoreContract } from './bindingStore.contract'
import { MemoryBindingStore } from './memoryStore'
import { normalisePhone } from './phone'

for (const mode of ['serial', 'optimistic'] as const) {
  describeBindingStoreContract(`memory (${mode})`, () => {
    const store = new MemoryBindingStore(mode)
    return { store, events: async () => store.snapshot().events }
  })
}

describe('MemoryBindingStore', () => {
  const p = (() => {
    const r = normalisePhone({ purePhoneNumber: '13800138000', countryCode: '86' })
    if (!r.ok) throw new Error('x')
    return r.data
  })()
  const bind = (store: MemoryBindingStore, openid: string, maxAttempts?: number) =>
    bindPhone(store, { openid, appid: 'wxapp', phone: p, source: 'code', now: new Date(0), maxAttempts })

  it('optimistic mode really interleaves: racers conflict and the retry settles them', async () => {
    const store = new MemoryBindingStore('optimistic')
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((o) => bind(store, o)))
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(store.stats.conflicts).toBeGreaterThan(0)
    expect(store.snapshot().phoneIndex).toHaveLength(1)
    expect(store.snapshot().users.filter((u) => u.phone)).toHaveLength(1)
  })

  it('when retries run out a lost race is BINDING_CONFLICT and nothing is half-written', async () => {
    const store = new MemoryBindingStore('optimistic')
    const results = await Promise.all(['a', 'b'].map((o) => bind(store, o, 1)))
    const codes = results.map((r) => (r.ok ? 'ok' : r.error.code)).sort()
    expect(codes).toEqual(['BINDING_CONFLICT', 'ok'])
    expect(store.snapshot().users).toHaveLength(1)
  })

  it('serial mode never conflicts and a failed transaction does not block the next', async () => {
    const store = new MemoryBindingStore()
    await expect(store.runTransaction(async () => { throw new Error('boom') })).rejects.toThrow('boom')
    const results = await Promise.all(['a', 'b', 'c'].map((o) => bind(store, o)))
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(store.stats).toMatchObject({ conflicts: 0 })
  })

  it('hands out copies: mutating a returned document changes nothing stored', async () => {
    const store = new MemoryBindingStore()
    await bind(store, 'a')
    const user = await store.runTransaction((tx) => tx.getUser('a'))
    user!.phone = null
    expect((await store.runTransaction((tx) => tx.getUser('a')))!.phone).not.toBeNull()
  })
})
