import type { CloudSdk, WxContext } from './cloud'
import { handler } from './handler'
import { failureFromThrown, isDuplicateKey, isTransactionConflict } from './failures'

// The wrapper's own branches, with a stand-in for the SDK: only getWXContext/database are
// touched before the body runs. Everything that talks to CloudBase is tested through the
// emulator in test/functions/.
function fakeCloud(ctx: WxContext): () => CloudSdk {
  const cloud = { getWXContext: () => ctx, database: () => ({}) } as unknown as CloudSdk
  return () => cloud
}
const run = (ctx: WxContext, body: Parameters<typeof handler>[1], env: NodeJS.ProcessEnv = {}) => {
  const lines: string[] = []
  const main = handler('login', body, { cloud: fakeCloud(ctx), env, sink: (l) => lines.push(l) })
  return { lines, main }
}

describe('handler', () => {
  it('answers UNAUTHENTICATED without running the body when the context has no OPENID', async () => {
    const body = jest.fn()
    const { main } = run({ APPID: 'wxa' }, body)
    expect(await main({ openid: 'o-spoofed' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } })
    expect(body).not.toHaveBeenCalled()
  })

  it('runs the system body only when the context has no client identity at all, and only for functions that have one', async () => {
    const client = jest.fn(async () => ({ ok: true as const, data: 'client' }))
    const system = jest.fn(async () => ({ ok: true as const, data: 'system' }))
    const withSystem = (ctx: WxContext) => handler('mergeAccounts', client, { cloud: fakeCloud(ctx), env: {}, sink: () => undefined }, system)
    expect(await withSystem({})({ openid: 'o-spoofed' })).toEqual({ ok: true, data: 'system' })
    expect(await withSystem({ OPENID: 'o1', APPID: 'wxa' })({})).toEqual({ ok: true, data: 'client' })
    // Half an identity is not "no client": refused, neither body runs.
    expect(await withSystem({ APPID: 'wxa' })({})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } })
    // Another app's user calling through 环境共享 is a client too (FROM_OPENID/FROM_APPID).
    expect(await withSystem({ FROM_OPENID: 'o-b', FROM_APPID: 'wxb' })({})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } })
    expect(system).toHaveBeenCalledTimes(1)
    expect(client).toHaveBeenCalledTimes(1)
    // A function without a system body keeps answering UNAUTHENTICATED.
    expect(await run({}, client).main({})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } })
  })

  it('scrubs the SMS secret key from log lines and withholds a result that carries it', async () => {
    const key = 'sms-secret-key-0123456789'
    const env = { PHONEBIND_SMS_SECRET_ID: 'AKIDx', PHONEBIND_SMS_SECRET_KEY: key, PHONEBIND_SMS_SDK_APP_ID: '1400000000', PHONEBIND_SMS_TEMPLATE_ID: '1', PHONEBIND_SMS_SIGN_NAME: 's' }
    const { main, lines } = run({ OPENID: 'o1', APPID: 'wxa' }, async (_e, inv) => {
      inv.log.warn(`provider said: bad key ${key}`, { detail: `key=${key}` })
      return { ok: true, data: { leaked: key } }
    }, env)
    expect(await main({})).toMatchObject({ ok: false, error: { code: 'INTERNAL_ERROR' } })
    expect(lines.length).toBeGreaterThan(0)
    for (const l of lines) expect(l).not.toContain(key)
  })

  it('passes the context identity (numbers made strings), never the event body', async () => {
    const { main } = run({ OPENID: 12345, APPID: 'wxa', UNIONID: 'u1' }, async (_event, inv) => ({ ok: true, data: [inv.openid, inv.appid, inv.unionid] }))
    expect(await main({ openid: 'o-spoofed', OPENID: 'x' })).toEqual({ ok: true, data: ['12345', 'wxa', 'u1'] })
  })

  it('turns a thrown SDK error into a catalog failure and logs it redacted', async () => {
    const { main, lines } = run({ OPENID: 'o1', APPID: 'wxa' }, async () => {
      throw Object.assign(new Error('collection.get:fail -502001 database request failed. doc p8613800138000 key tiihtNczf5v6AKRyjwEUhQ=='), { errCode: -502001 })
    })
    expect(await main({})).toMatchObject({ ok: false, error: { code: 'DATABASE_ERROR', retryable: true, wechatCode: -502001 } })
    const text = lines.join('\n')
    expect(text).toContain('unexpected failure')
    expect(text).not.toContain('8613800138000')
    expect(text).not.toContain('tiihtNczf5v6AKRyjwEUhQ==')
  })

  it('turns a bug (plain throw) into INTERNAL_ERROR rather than an opaque platform error', async () => {
    const { main } = run({ OPENID: 'o1', APPID: 'wxa' }, async () => {
      throw new TypeError('x is undefined')
    })
    expect(await main({})).toMatchObject({ ok: false, error: { code: 'INTERNAL_ERROR' } })
  })

  it('withholds a result that contains the AppSecret', async () => {
    const { main, lines } = run({ OPENID: 'o1', APPID: 'wxa' }, async () => ({ ok: true, data: { oops: 'the-app-secret-value' } }), { PHONEBIND_APPSECRET: 'the-app-secret-value' })
    expect(await main({})).toMatchObject({ ok: false, error: { code: 'INTERNAL_ERROR' } })
    expect(lines.join('\n')).not.toContain('the-app-secret-value')
  })

  it('hands the event over untouched, for the parser to judge', async () => {
    const { main } = run({ OPENID: 'o1', APPID: 'wxa' }, async (event) => ({ ok: true, data: event }))
    expect(await main('not an object')).toEqual({ ok: true, data: 'not an object' })
  })
})

describe('failures', () => {
  it('recognises duplicate keys and conflicts by message (wx-server-sdk) or by code name (commit)', () => {
    expect(isDuplicateKey({ errCode: -501001, errMsg: 'collection.add:fail -501001 resource system error. E11000 duplicate key error' })).toBe(true)
    expect(isDuplicateKey({ code: 'DATABASE_DUPLICATE_WRITE', message: '' })).toBe(true)
    expect(isTransactionConflict({ code: 'DATABASE_TRANSACTION_CONFLICT', message: '' })).toBe(true)
    expect(isTransactionConflict({ errCode: -501001, errMsg: 'document.get:fail -501001 resource system error. transaction conflict: …' })).toBe(true)
    expect(isDuplicateKey(new Error('timeout'))).toBe(false)
    expect(failureFromThrown({ errCode: -501001, errMsg: 'E11000 duplicate key' })).toMatchObject({ error: { code: 'BINDING_CONFLICT', retryable: true } })
  })
})
