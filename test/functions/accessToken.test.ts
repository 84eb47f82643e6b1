/**
 * server/accessToken.ts with the real wx-server-sdk in this process on the emulator's database:
 * the TTL it trusts, the lease, and force_refresh within WeChat's limits. WeChat's side is the
 * emulator's stable_token where it can be, and a stand-in `fetch` where the case needs WeChat to
 * misbehave (normal mode handing back the token it just rejected — the one case for force mode).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator } from '../../emulator'
import { ACCESS_TOKENS, FORCE_PER_DAY, getAccessToken, trustedTtlSeconds, type TokenDeps } from '../../server/accessToken'
import type { CloudSdk, Database } from '../../server/cloud'

process.env.TENCENTCLOUD = 'true'
process.env.WX_CONTEXT_KEYS = 'WX_API_TOKEN'
process.env.WX_API_TOKEN = 'tok-access-token'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cloud = require('wx-server-sdk') as CloudSdk

let emu: RunningEmulator
let emptyDir: string
let db: Database
let now = Date.UTC(2026, 11, 4, 2, 0, 0)

beforeAll(async () => {
  emptyDir = await mkdtemp(join(tmpdir(), 'phonebind-nofn-'))
  emu = await startEmulator({ port: 0, fresh: true, functionsDir: emptyDir, quiet: true })
  emu.invocations.register({ token: 'tok-access-token', invocationId: 'inv-token', functionName: 'token', openid: '', appid: emu.appid, openapiPermissions: [] })
  cloud.init({ env: emu.env, serviceUrl: emu.adminUrl, secretId: 'local', secretKey: 'local' })
  db = cloud.database({ throwOnNotFound: false })
}, 30_000)
afterAll(async () => {
  await emu?.stop()
  await rm(emptyDir, { recursive: true, force: true })
})
beforeEach(async () => {
  await emu.store.remove(ACCESS_TOKENS, {}, { multi: true })
})

type Sent = { force: boolean }
/** A WeChat that hands out `tokens` in turn (normal mode repeats the current one until forced). */
function fakeWeChat(expiresIn = 7200): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = []
  let n = 1
  const fn = (async (_url: string, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { force_refresh: boolean }
    sent.push({ force: body.force_refresh })
    if (body.force_refresh) n += 1
    return new Response(JSON.stringify({ access_token: `token-${n}`, expires_in: expiresIn }), { headers: { 'content-type': 'application/json' } })
  }) as typeof fetch
  return { fetch: fn, sent }
}

function deps(extra: Partial<TokenDeps> = {}): TokenDeps {
  return { db, appid: emu.appid, secret: emu.wechat.getApp()!.secret, baseUrl: emu.url, timeoutMs: 2000, now: () => new Date(now), ...extra }
}
const row = () => emu.store.find(ACCESS_TOKENS, {})[0] as { token?: string; refreshAt?: Date; expiresAt?: Date; forceCount?: number; refreshing?: string } | undefined

it('trusts expires_in − 300 s when long, half of it when short, never 0', () => {
  expect(trustedTtlSeconds(7200)).toBe(6900)
  expect(trustedTtlSeconds(345)).toBe(172)
  expect(trustedTtlSeconds(1)).toBe(1)
})

it('stores the emulator\'s stable token with its refresh time, and serves it from the row until then', async () => {
  const a = await getAccessToken(deps())
  expect(a.ok).toBe(true)
  const r = row()!
  expect(new Date(r.refreshAt!).getTime() - now).toBe(6900_000)
  expect(r.refreshing).toBeUndefined()
  const { fetch, sent } = fakeWeChat()
  expect(await getAccessToken(deps({ fetch }))).toEqual(a)
  expect(sent).toEqual([])
})

it('refreshes a short-lived token early (WeChat returned only 345 s left)', async () => {
  const { fetch, sent } = fakeWeChat(345)
  expect(await getAccessToken(deps({ fetch }))).toEqual({ ok: true, token: 'token-1' })
  now += 173_000
  await getAccessToken(deps({ fetch }))
  expect(sent).toEqual([{ force: false }, { force: false }])
})

it('uses the stored token while another function holds the refresh lease', async () => {
  const { fetch } = fakeWeChat(345)
  await getAccessToken(deps({ fetch }))
  now += 200_000 // past refreshAt, before expiry
  await emu.store.update(ACCESS_TOKENS, {}, { modifier: { $set: { refreshing: 'someone-else', refreshingUntil: new Date(now + 10_000) } } })
  const other = fakeWeChat()
  expect(await getAccessToken(deps({ fetch: other.fetch }))).toEqual({ ok: true, token: 'token-1' })
  expect(other.sent).toEqual([])
})

it('forces a refresh only when normal mode returns the token WeChat rejected, and only 30 s apart', async () => {
  const { fetch, sent } = fakeWeChat()
  await getAccessToken(deps({ fetch }))
  expect(await getAccessToken(deps({ fetch }), 'token-1')).toEqual({ ok: true, token: 'token-2' })
  expect(sent).toEqual([{ force: false }, { force: false }, { force: true }])
  expect(row()).toMatchObject({ token: 'token-2', forceCount: 1 })
  now += 10_000
  const again = await getAccessToken(deps({ fetch }), 'token-2')
  expect(again).toMatchObject({ ok: false, error: { code: 'ACCESS_TOKEN_UNAVAILABLE', retryable: true } })
  expect(sent.filter((s) => s.force)).toHaveLength(1)
  now += 30_000
  expect(await getAccessToken(deps({ fetch }), 'token-2')).toEqual({ ok: true, token: 'token-3' })
})

it('never forces more than 20 times a day', async () => {
  const { fetch, sent } = fakeWeChat()
  await getAccessToken(deps({ fetch }))
  for (let i = 1; i <= FORCE_PER_DAY; i++) {
    now += 31_000
    expect(await getAccessToken(deps({ fetch }), `token-${i}`)).toEqual({ ok: true, token: `token-${i + 1}` })
  }
  now += 31_000
  expect(await getAccessToken(deps({ fetch }), `token-${FORCE_PER_DAY + 1}`)).toMatchObject({ ok: false, error: { code: 'ACCESS_TOKEN_UNAVAILABLE' } })
  expect(sent.filter((s) => s.force)).toHaveLength(FORCE_PER_DAY)
})

it('maps WeChat\'s refusals: a wrong secret is APP_CREDENTIALS_INVALID, and nothing is stored', async () => {
  const out = await getAccessToken(deps({ secret: 'wrong-secret-0000' }))
  expect(out).toMatchObject({ ok: false, error: { code: 'APP_CREDENTIALS_INVALID', wechatCode: 40125 } })
  expect(row()?.token).toBeUndefined()
  expect(row()?.refreshing).toBeUndefined()
  expect(JSON.stringify(out)).not.toContain('wrong-secret-0000')
})
