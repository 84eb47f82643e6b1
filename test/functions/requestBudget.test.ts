/**
 * What one call costs in CloudBase requests, counted from the emulator's `admin.call` events
 * with the real built functions and wx-server-sdk. Each request is ≈ 1.5 ms of CPU across the
 * function and CloudBase, so these are budgets: a change that adds a round trip to the bind
 * path should fail here and say so, not only show up in `npm run bench`.
 */
import { expectFail, expectOk, startHarness, type Harness } from './harness'
import { dbState, masked, newUser, tapForCode, type Bind } from './support'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
}, 60_000)
afterAll(async () => {
  await h?.stop()
})

/** The `/admin` actions made while `run` was in flight (this suite makes one call at a time). */
async function adminCalls<T>(run: () => Promise<T>): Promise<{ value: T; actions: string[] }> {
  const actions: string[] = []
  const off = h.emu.events.on('admin.call', (e) => {
    if (e.invocationId) actions.push(e.detail ? `${e.action}:${e.detail}` : e.action)
  })
  try {
    return { value: await run(), actions }
  } finally {
    off()
  }
}
const bind = async (openid: string) => {
  const code = await tapForCode(h, openid)
  return adminCalls(() => h.call<Bind>(openid, 'getPhoneNumber', { code }))
}

describe('CloudBase requests per call', () => {
  it('a first bind: 7 requests, the phone_index entry claimed by its insert without a read, versions carried by the documents already written', async () => {
    const { openid, number } = await newUser(h)
    const { value, actions } = await bind(openid)
    expect(expectOk(value).change).toBe('bound')
    expect(actions).toEqual([
      'wx.openApi:phonenumber.getPhoneNumber',
      'database.startTransaction',
      'database.getDocument:users',
      'database.insertDocument:phone_index',
      'database.modifyDocument:users',
      'database.insertDocument:phone_events',
      'database.commitTransaction',
    ])
    const state = await dbState(h, openid)
    expect(state.index).toEqual([expect.objectContaining({ phoneVersion: 1 })])
    expect(state.user).toMatchObject({ phoneVersion: 1 })
    expect(state.events).toEqual([expect.objectContaining({ type: 'bind', masked: masked(number), phoneVersion: 1 })])
  })

  it('a double tap reads, writes nothing: 5 requests', async () => {
    const { openid } = await newUser(h)
    expectOk((await bind(openid)).value)
    const { value, actions } = await bind(openid)
    expect(expectOk(value).change).toBe('unchanged')
    expect(actions).toEqual([
      'wx.openApi:phonenumber.getPhoneNumber',
      'database.startTransaction',
      'database.getDocument:users',
      'database.getDocument:phone_index',
      'database.commitTransaction',
    ])
  })

  it("another account's number: the failed claim is rolled back, one committed read, one lone audit insert carrying the versions it saw", async () => {
    const owner = await newUser(h)
    expectOk((await bind(owner.openid)).value)
    const other = await newUser(h, owner.number)
    const { value, actions } = await bind(other.openid)
    expectFail(value, 'PHONE_ALREADY_BOUND')
    expect(actions).toEqual([
      'wx.openApi:phonenumber.getPhoneNumber',
      'database.startTransaction',
      'database.getDocument:users',
      'database.insertDocument:phone_index',
      'database.abortTransaction',
      'database.getDocument:phone_index',
      'database.insertDocument:phone_events',
    ])
    const state = await dbState(h, other.openid)
    expect(state.user).toBeNull()
    expect(state.events).toEqual([expect.objectContaining({ type: 'conflict', otherOpenid: owner.openid, masked: masked(owner.number), phoneVersion: 0, otherPhoneVersion: 1 })])
  })
})

/**
 * The legacy path costs more than before the F1/F6 fixes, on purpose: a bind marks its
 * ciphertext consumed (+1: 7 → 8, replays refused without a transaction or an audit row), a
 * failed decryption counts itself and may discard the key (+2: 1 → 3, only on failure), and
 * `login {code}` takes the user's exchange lease before exchanging (+1 for a known user: 3 → 4;
 * +2 for a new one: 3 → 5, the lease row inserted and later completed).
 */
describe('CloudBase requests per call: the legacy path', () => {
  const loginWithCode = async (openid: string) => {
    const { code } = await h.emu.client.login(openid)
    return adminCalls(() => h.call(openid, 'login', { code }))
  }
  const legacy = async (openid: string, data: { encryptedData?: string; iv?: string }) => adminCalls(() => h.call<Bind>(openid, 'getOpenData', data))

  it('login with a code: 4 requests for a known user, 5 for a new one (the exchange lease: +1 / +2 over a plain set)', async () => {
    const { openid } = await newUser(h)
    // new user: the lease update finds no row, so the lease row is inserted, then the user
    expect((await loginWithCode(openid)).actions).toEqual([
      'database.modifyDocument:sessions',
      'database.insertDocument:sessions',
      'database.getDocument:users',
      'database.insertDocument:users',
      'database.modifyDocument:sessions',
    ])
    // known user: take the lease, record the visit, store the key and give the lease back in one update
    expect((await loginWithCode(openid)).actions).toEqual([
      'database.modifyDocument:sessions',
      'database.getDocument:users',
      'database.modifyDocument:users',
      'database.modifyDocument:sessions',
    ])
  })

  it('a first legacy bind: 8 requests (was 7: the ciphertext is marked consumed before the transaction)', async () => {
    const { openid } = await newUser(h)
    await loginWithCode(openid)
    const tap = await h.emu.client.tapPhoneButton(openid)
    const { value, actions } = await legacy(openid, { encryptedData: tap.encryptedData, iv: tap.iv })
    expect(expectOk(value).change).toBe('bound')
    expect(actions).toEqual([
      'database.getDocument:sessions',
      'database.modifyDocument:sessions', // consumed: the one request the replay refusal costs
      'database.startTransaction',
      'database.getDocument:users',
      'database.insertDocument:phone_index',
      'database.modifyDocument:users',
      'database.insertDocument:phone_events',
      'database.commitTransaction',
    ])
  })

  it('a refused legacy call: 3 requests (read, count the failure, discard the key at the budget); a replay 4, with no transaction and no audit row', async () => {
    const { openid } = await newUser(h)
    await loginWithCode(openid)
    const tap = await h.emu.client.tapPhoneButton(openid)
    const sent = { encryptedData: tap.encryptedData, iv: tap.iv }
    expectOk((await legacy(openid, sent)).value)
    const failure = ['database.modifyDocument:sessions', 'database.removeDocument:sessions']
    const replay = await legacy(openid, sent)
    expectFail(replay.value, 'DECRYPT_FAILED')
    expect(replay.actions).toEqual(['database.getDocument:sessions', 'database.modifyDocument:sessions', ...failure])
    const garbage = await legacy(openid, { encryptedData: Buffer.alloc(48, 1).toString('base64'), iv: Buffer.alloc(16, 2).toString('base64') })
    expectFail(garbage.value, 'DECRYPT_FAILED')
    expect(garbage.actions).toEqual(['database.getDocument:sessions', ...failure])
    expect((await dbState(h, openid)).events.map((e) => e.type)).toEqual(['bind'])
  })
})

/**
 * Accounts keyed by unionid (PHONEBIND_ACCOUNT_KEY=unionid): the common path costs what it did —
 * the account's row replaces the openid's, one document for one. The person's second app costs what
 * a double tap costs (5): its read of the account row finds the number already there.
 */
describe('CloudBase requests per call: unionid accounts', () => {
  beforeAll(() => h.setEnv({ PHONEBIND_ACCOUNT_KEY: 'unionid' }))
  afterAll(() => h.setEnv())

  it('a first bind: the same 7 requests, on the account row; the same person in a second app: 5, like a double tap, and no write', async () => {
    const appB = (await h.emu.client.createApp({ name: 'B' })).appid
    const { openid, number } = await newUser(h)
    const unionid = h.emu.wechat.state.users[openid]!.unionid
    const inB = (await h.emu.client.createUser({ appid: appB, purePhoneNumber: number, countryCode: '86', unionid })).openid
    const first = await bind(openid)
    expect(expectOk(first.value).change).toBe('bound')
    expect(first.actions).toEqual([
      'wx.openApi:phonenumber.getPhoneNumber',
      'database.startTransaction',
      'database.getDocument:users',
      'database.insertDocument:phone_index',
      'database.modifyDocument:users',
      'database.insertDocument:phone_events',
      'database.commitTransaction',
    ])
    const second = await bind(inB)
    expect(expectOk(second.value).change).toBe('unchanged')
    expect(second.actions).toEqual([
      'wx.openApi:phonenumber.getPhoneNumber',
      'database.startTransaction',
      'database.getDocument:users', // the account's row already holds the number: no claim
      'database.getDocument:phone_index',
      'database.commitTransaction',
    ])
  })

  it('a client merge of one bound openid row: one query, one fold transaction of 10, one read of the account', async () => {
    h.setEnv()
    const { openid } = await newUser(h)
    expectOk((await bind(openid)).value) // an openid row holding a number, its unionid stored
    h.setEnv({ PHONEBIND_ACCOUNT_KEY: 'unionid' })
    const { value, actions } = await adminCalls(() => h.call(openid, 'mergeAccounts'))
    expect(expectOk(value)).toMatchObject({ merged: 1 })
    expect(actions).toEqual([
      'database.getDocument:users', // the query: rows carrying the caller's unionid (bounded)
      'database.startTransaction',
      'database.getDocument:users', // the openid row
      'database.getDocument:users', // the unionid account
      'database.getDocument:phone_index',
      'database.modifyDocument:phone_index', // handed to the account
      'database.modifyDocument:users',
      'database.modifyDocument:users', // the tombstone
      'database.insertDocument:phone_events', // transfer
      'database.insertDocument:phone_events', // merge
      'database.commitTransaction',
      'database.getDocument:users', // the account's number for the answer
    ])
  })

  it("another person's number held by an openid row: +3 over the reject path, the adoption's proof read and refused", async () => {
    h.setEnv()
    const owner = await newUser(h) // bound under openid keys: an openid row, its own unionid
    expectOk((await bind(owner.openid)).value)
    h.setEnv({ PHONEBIND_ACCOUNT_KEY: 'unionid' })
    const other = await newUser(h, owner.number)
    const { value, actions } = await bind(other.openid)
    expectFail(value, 'PHONE_ALREADY_BOUND')
    expect(actions).toEqual([
      'wx.openApi:phonenumber.getPhoneNumber',
      'database.startTransaction',
      'database.getDocument:users',
      'database.insertDocument:phone_index',
      'database.abortTransaction',
      'database.getDocument:phone_index',
      // the owner is an openid row: is it this caller's own older account? (core/binding adoptOwnAccount)
      'database.startTransaction',
      'database.getDocument:users',
      'database.abortTransaction',
      'database.insertDocument:phone_events',
    ])
  })
})
