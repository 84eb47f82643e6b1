/**
 * The cost guard through the emulator with the real wx-server-sdk running the built bundle of
 * `phoneQuota`: who may call it, the stable access token shared through `access_tokens`, the
 * quota read from getUsageDetail (fed by the emulator's meter: charged on successful taps only,
 * the free trial, resource packages with expiry), and the low-quota alert (log + webhook).
 */
import type { PhoneQuotaData, Result } from '../../core/contracts'
import { expectFail, expectOk, startHarness, type Harness } from './harness'
import { newUser, tapForCode } from './support'

let h: Harness
const ADMIN = 'oQuotaAdmin_0001'
const KEY = 'robot-key-0123456789abcdef'

beforeAll(async () => {
  h = await startHarness()
  await h.emu.client.createUser({ openid: ADMIN })
}, 60_000)
afterAll(async () => {
  await h?.stop()
})

/** The cost guard's settings for every function: webhook on the emulator, one admin, threshold. */
function configure(extra: Record<string, string> = {}, options?: { withoutSecret?: boolean }): void {
  h.setEnv({ PHONEBIND_QUOTA_WEBHOOK: `${h.emu.url}/cgi-bin/webhook/send?key=${KEY}`, PHONEBIND_QUOTA_ADMINS: `${ADMIN}, oSomeoneElse_01`, PHONEBIND_QUOTA_ALERT_BELOW: '100', ...extra }, options)
}

/** Fires the function's timer trigger (no WeChat user) and returns its Result. */
async function timer(): Promise<Result<PhoneQuotaData>> {
  const out = await h.emu.client.fireTimer<Result<PhoneQuotaData>>('phoneQuota')
  if (!out.ok) throw new Error(`timer invocation failed: ${out.errMsg}`)
  h.responses.push(out.result)
  return out.result
}

const calls = (api: string) => h.wechatCalls.filter((c) => c.api === api).length
const tokens = () => Object.values(h.emu.wechat.state.accessTokens).flatMap((t) => [t.stable?.token, t.stablePrevious?.token, t.plain?.token].filter((x): x is string => !!x))

beforeEach(async () => {
  configure()
  await h.emu.client.setQuota(1000)
})

describe('phoneQuota: who may call it', () => {
  it('refuses a mini-program user who is not an admin, before any WeChat call', async () => {
    const { openid } = await newUser(h)
    const before = h.wechatCalls.length
    const err = expectFail(await h.call(openid, 'phoneQuota'), 'QUOTA_ADMIN_ONLY')
    expect(err.retryable).toBe(false)
    expect(h.wechatCalls.slice(before)).toEqual([])
  })

  it('answers an admin listed in PHONEBIND_QUOTA_ADMINS, without alerting unless asked', async () => {
    await h.emu.client.setQuota(3)
    const hooks = (await h.emu.client.webhooks()).length
    const data = expectOk(await h.call<PhoneQuotaData>(ADMIN, 'phoneQuota'))
    expect(data).toMatchObject({ left: 3, alertBelow: 100, low: true, alerted: false })
    expect(await h.emu.client.webhooks()).toHaveLength(hooks)
  })

  it('validates the request: unknown fields and a non-boolean alert are INVALID_INPUT', async () => {
    expect(expectFail(await h.call(ADMIN, 'phoneQuota', { alert: 'yes' }), 'INVALID_INPUT').field).toBe('alert')
    expect(expectFail(await h.call(ADMIN, 'phoneQuota', { openid: ADMIN }), 'INVALID_INPUT').field).toBe('openid')
  })

  it('needs the AppSecret: QUOTA_NOT_CONFIGURED without it', async () => {
    configure({}, { withoutSecret: true })
    expectFail(await timer(), 'QUOTA_NOT_CONFIGURED')
  })
})

describe('phoneQuota: the quota meter as getUsageDetail reports it', () => {
  it('charges successful taps only: a denied tap or a spent quota costs nothing', async () => {
    const { openid } = await newUser(h)
    const left0 = expectOk(await timer()).left
    await tapForCode(h, openid)
    await h.emu.client.tapPhoneButton(openid, { outcome: 'deny' })
    expect(expectOk(await timer()).left).toBe(left0 - 1)
    const meter = await h.emu.client.quota()
    expect(meter.calls.total).toBeGreaterThanOrEqual(1)
    expect(meter.spentFen).toBe(0) // the free trial costs nothing
  })

  it('spends the trial first, then a bought package at ¥0.03 (quick) / ¥0.04 (realtime) a call; 1400001 once all is spent', async () => {
    const { openid } = await newUser(h)
    await h.emu.client.setQuota(1)
    const { package: pkg } = await h.emu.client.addQuotaPackage({ calls: 2, days: 30 })
    expect(expectOk(await timer()).left).toBe(3)
    const spent0 = (await h.emu.client.quota()).spentFen
    await tapForCode(h, openid) // trial
    await tapForCode(h, openid) // package, quick
    await h.emu.client.tapPhoneButton(openid, { realtime: true }) // package, realtime
    const meter = await h.emu.client.quota()
    expect(meter.spentFen - spent0).toBe(3 + 4)
    expect(meter.quotaLeft).toBe(0)
    expect(meter.packages.find((p) => p.pkgId === pkg.pkgId)).toMatchObject({ all: 2, used: 2, status: 1 })
    const refused = await h.emu.client.tapPhoneButton(openid)
    expect(refused.errno).toBe(1400001)
    expect((await h.emu.client.quota()).spentFen - spent0).toBe(7)
    const data = expectOk(await timer())
    expect(data.left).toBe(0)
    expect(data.packages.find((p) => p.pkgId === pkg.pkgId)).toMatchObject({ all: 2, used: 2, status: 1 })
  })

  it('stops counting an expired package', async () => {
    await h.emu.client.setQuota(0)
    const { package: pkg } = await h.emu.client.addQuotaPackage({ calls: 50, days: 30 })
    expect(expectOk(await timer()).left).toBe(50)
    await h.emu.client.expireQuotaPackage(pkg.pkgId)
    const data = expectOk(await timer())
    expect(data.left).toBe(0)
    expect(data.packages.find((p) => p.pkgId === pkg.pkgId)?.status).toBe(3)
  })
})

describe('phoneQuota: the alert', () => {
  it('the timer alerts below the threshold: a log line and one WeCom text message on the webhook', async () => {
    await h.emu.client.setQuota(7)
    const hooks = (await h.emu.client.webhooks()).length
    const data = expectOk(await timer())
    expect(data).toMatchObject({ left: 7, low: true, alerted: true })
    const received = (await h.emu.client.webhooks()).slice(hooks)
    expect(received).toHaveLength(1)
    expect(received[0]!.keyHint).toBe(KEY.slice(-4))
    const body = received[0]!.body as { msgtype: string; text: { content: string } }
    expect(body.msgtype).toBe('text')
    expect(body.text.content).toContain('剩余 7 次')
    expect(body.text.content).toContain('7 calls left')
    expect(Buffer.byteLength(body.text.content)).toBeLessThanOrEqual(2048)
    expect(h.logs.some((l) => l.includes('phone quota low'))).toBe(true)
    // The robot's key is the webhook's secret: never in a log line.
    expect(h.logs.join('\n')).not.toContain(KEY)
  })

  it('does not alert above the threshold', async () => {
    const hooks = (await h.emu.client.webhooks()).length
    expect(expectOk(await timer())).toMatchObject({ low: false, alerted: false })
    expect(await h.emu.client.webhooks()).toHaveLength(hooks)
  })

  it('an admin can ask for the alert now ({alert: true})', async () => {
    await h.emu.client.setQuota(2)
    const hooks = (await h.emu.client.webhooks()).length
    expect(expectOk(await h.call<PhoneQuotaData>(ADMIN, 'phoneQuota', { alert: true }))).toMatchObject({ alerted: true })
    expect(await h.emu.client.webhooks()).toHaveLength(hooks + 1)
  })
})

describe('phoneQuota: the stable access token', () => {
  it('is fetched once and shared through access_tokens; concurrent calls take one refresh', async () => {
    await h.emu.store.remove('access_tokens', {}, { multi: true })
    const before = calls('stable_token')
    const results = await Promise.all([timer(), timer(), timer(), timer()])
    for (const r of results) expectOk(r)
    await timer()
    expect(calls('stable_token') - before).toBe(1)
    const rows = h.emu.store.find('access_tokens', {}) as { _id: string; token?: string; refreshing?: string }[]
    expect(rows).toHaveLength(1)
    expect(rows[0]!._id).toBe(h.emu.appid)
    expect(tokens()).toContain(rows[0]!.token)
    expect(rows[0]!.refreshing).toBeUndefined()
  })

  it('after WeChat rejects the stored token (another service forced a refresh), refreshes once and succeeds', async () => {
    expectOk(await timer())
    const app = h.emu.wechat.getApp()!
    // Another service forces a new token: ours is invalid at once (40001).
    const forced = await fetch(`${h.emu.url}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: app.appid, secret: app.secret, force_refresh: true }),
    }).then((r) => r.json() as Promise<{ access_token: string }>)
    const usageBefore = h.wechatCalls.filter((c) => c.api === 'getUsageDetail').map((c) => c.errcode).length
    expectOk(await timer())
    const usage = h.wechatCalls.filter((c) => c.api === 'getUsageDetail').slice(usageBefore).map((c) => c.errcode)
    expect(usage).toEqual([40001, 0])
    const row = h.emu.store.find('access_tokens', {})[0] as { token: string }
    expect(row.token).toBe(forced.access_token)
  })

  it('costs one database read with a fresh stored token, five CloudBase requests and one stable_token to refresh it', async () => {
    const budget = async () => {
      const actions: string[] = []
      const off = h.emu.events.on('admin.call', (e) => {
        if (e.invocationId) actions.push(e.detail ? `${e.action}:${e.detail}` : e.action)
      })
      try {
        expectOk(await timer())
      } finally {
        off()
      }
      return actions
    }
    await h.emu.store.remove('access_tokens', {}, { multi: true })
    const tokenCalls = calls('stable_token')
    const cold = await budget()
    expect(cold).toHaveLength(5) // read, lease (update, then insert: no row yet), read under the lease, store + release
    expect(calls('stable_token') - tokenCalls).toBe(1)
    expect(await budget()).toHaveLength(1)
    expect(calls('stable_token') - tokenCalls).toBe(1)
  })

  it('never puts a token, the AppSecret or the webhook key in a response or a log line', () => {
    const text = [...h.responses.map((r) => JSON.stringify(r)), ...h.logs].join('\n')
    for (const t of tokens()) expect(text).not.toContain(t)
    expect(text).not.toContain(KEY)
    expect(h.findLeaks([])).toEqual([])
  })
})
