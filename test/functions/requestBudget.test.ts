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
  it('a first bind: 7 requests, the phone_index entry claimed by its insert without a read', async () => {
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
    expect(state.index).toHaveLength(1)
    expect(state.events).toEqual([expect.objectContaining({ type: 'bind', masked: masked(number) })])
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

  it("another account's number: the failed claim is rolled back, one committed read, one lone audit insert", async () => {
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
    expect(state.events).toEqual([expect.objectContaining({ type: 'conflict', otherOpenid: owner.openid, masked: masked(owner.number) })])
  })
})
