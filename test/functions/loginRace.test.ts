/**
 * Concurrent `login {code}` calls of one user (red-team F6): app launch and a page's onLoad both
 * call wx.login, WeChat rotates the key once per exchange, and only the key of the exchange it
 * answered last still decrypts. Run for real: two function workers, the real wx-server-sdk, the
 * emulator's WeChat deciding the order.
 */
import { expectOk, startHarness, type Harness } from './harness'
import { callsSince, newUser, type Bind, type Login } from './support'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
}, 60_000)
afterAll(async () => {
  await h?.stop()
})

const ROUNDS = 40

it(`two concurrent logins keep the key of the exchange WeChat answered last (${ROUNDS} rounds)`, async () => {
  const { openid } = await newUser(h)
  expectOk(await h.call<Login>(openid, 'login', { code: (await h.emu.client.login(openid)).code }))
  const stale: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const [a, b] = [await h.emu.client.login(openid), await h.emu.client.login(openid)]
    const results = await Promise.all([h.call<Login>(openid, 'login', { code: a.code }), h.call<Login>(openid, 'login', { code: b.code })])
    for (const r of results) expect(expectOk(r).legacyReady).toBe(true)
    const live = h.emu.wechat.state.sessions[openid]!.sessionKey // WeChat's current key: the last exchange's
    const stored = h.emu.store.get('sessions', openid) as { session_key?: string } | undefined
    if (stored?.session_key !== live) stale.push(round)
  }
  expect(stale).toEqual([])
  // and so the next legacy bind decrypts
  const tap = await h.emu.client.tapPhoneButton(openid)
  expect(expectOk(await h.call<Bind>(openid, 'getOpenData', { encryptedData: tap.encryptedData, iv: tap.iv })).change).toBe('bound')
}, 120_000)

it('a login while another login of the user is exchanging does not exchange its code, and leaves no lease behind', async () => {
  const { openid } = await newUser(h)
  const from = h.wechatCalls.length
  const logFrom = h.logs.length
  const codes = [await h.emu.client.login(openid), await h.emu.client.login(openid), await h.emu.client.login(openid)]
  const results = await Promise.all(codes.map(({ code }) => h.call<Login>(openid, 'login', { code })))
  for (const r of results) expect(expectOk(r).legacyReady).toBe(true)
  const exchanges = callsSince(h, from, 'jscode2session')
  expect(exchanges).toBeGreaterThanOrEqual(1)
  expect(h.logs.slice(logFrom).filter((l) => l.includes('this code is not exchanged')).length).toBeGreaterThanOrEqual(3 - exchanges)
  const row = h.emu.store.get('sessions', openid) as Record<string, unknown>
  expect(row.session_key).toBe(h.emu.wechat.state.sessions[openid]!.sessionKey)
  expect(Object.keys(row).filter((k) => k.startsWith('exchanging'))).toEqual([])
})

it('the same code sent twice at once is exchanged once, whichever function instance gets it (no 40163)', async () => {
  const { openid } = await newUser(h)
  const { code } = await h.emu.client.login(openid)
  // Both calls must be at the server together. Without added latency a loaded machine starts
  // the second worker after the first login finished, and a code replayed AFTER its exchange
  // rightly gets WeChat's 40163 (loginLegacy.test.ts): that flaked in CI under load.
  await h.emu.client.setFaults('jscode2session', { latencyMs: 2000 })
  try {
    const results = await Promise.all([h.call<Login>(openid, 'login', { code }), h.call<Login>(openid, 'login', { code })])
    expect(results.map((r) => r.ok)).toEqual([true, true])
  } finally {
    await h.emu.client.setFaults('jscode2session', null)
  }
})
