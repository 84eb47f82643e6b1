import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exchangeJsCode, resetJsCodeMemory, type Code2SessionOptions } from './jscode2session'

// A stand-in for api.weixin.qq.com on a local port: WeChat itself cannot be reached from tests.
let server: Server
let hits: URL[] = []
let reply: (url: URL) => { status?: number; body: unknown; delayMs?: number } = () => ({ body: {} })
let options: Code2SessionOptions

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    hits.push(url)
    const r = reply(url)
    setTimeout(() => {
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(r.body))
    }, r.delayMs ?? 0)
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  options = { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, appid: 'wx0000000000000001', secret: 'secret-1', timeoutMs: 1000 }
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((ok) => server.close(() => ok()))
})
beforeEach(() => {
  hits = []
  resetJsCodeMemory()
})

describe('exchangeJsCode', () => {
  it('sends appid, secret and the code, and returns the session', async () => {
    reply = () => ({ body: { openid: 'o-1', session_key: 'tiihtNczf5v6AKRyjwEUhQ==', unionid: 'u-1' } })
    const out = await exchangeJsCode('code-a', options)
    expect(out).toEqual({ ok: true, session: { openid: 'o-1', sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==', unionid: 'u-1' } })
    expect(hits[0].pathname).toBe('/sns/jscode2session')
    expect(Object.fromEntries(hits[0].searchParams)).toEqual({ appid: options.appid, secret: 'secret-1', js_code: 'code-a', grant_type: 'authorization_code' })
  })

  it('shares one request between concurrent identical codes (no 40163 on a double submit)', async () => {
    reply = () => ({ body: { openid: 'o-1', session_key: 'k' }, delayMs: 30 })
    const outs = await Promise.all([exchangeJsCode('code-b', options), exchangeJsCode('code-b', options), exchangeJsCode('code-b', options)])
    expect(hits).toHaveLength(1)
    expect(outs.every((o) => o.ok)).toBe(true)
  })

  it('never retries: -1 is WECHAT_BUSY after exactly one request', async () => {
    reply = () => ({ body: { errcode: -1, errmsg: 'system error' } })
    const first = await exchangeJsCode('code-c', options)
    expect(first).toMatchObject({ ok: false, error: { code: 'WECHAT_BUSY', wechatCode: -1, retryable: true } })
    expect(hits).toHaveLength(1)
  })

  it('forgets a settled code: a later replay reaches WeChat and gets its 40163', async () => {
    reply = () => ({ body: hits.length === 1 ? { openid: 'o-1', session_key: 'k' } : { errcode: 40163, errmsg: 'code been used' } })
    expect((await exchangeJsCode('code-e', options)).ok).toBe(true)
    expect(await exchangeJsCode('code-e', options)).toMatchObject({ ok: false, error: { code: 'JS_CODE_USED' } })
    expect(hits).toHaveLength(2)
  })

  it.each([
    [40029, 'JS_CODE_INVALID'],
    [40163, 'JS_CODE_USED'],
    [40226, 'JS_CODE_BLOCKED'],
    [45011, 'RATE_LIMITED'],
    [40125, 'APP_CREDENTIALS_INVALID'],
    [99999, 'WECHAT_ERROR'],
  ])('maps errcode %d to %s', async (errcode, code) => {
    reply = () => ({ body: { errcode, errmsg: 'x' } })
    expect(await exchangeJsCode(`code-${errcode}`, options)).toMatchObject({ ok: false, error: { code, wechatCode: errcode } })
  })

  it('turns a timeout into NETWORK_ERROR without retrying or leaking the URL', async () => {
    reply = () => ({ body: {}, delayMs: 300 })
    const out = await exchangeJsCode('code-slow', { ...options, timeoutMs: 50 })
    expect(out).toMatchObject({ ok: false, error: { code: 'NETWORK_ERROR' } })
    expect(JSON.stringify(out)).not.toContain('secret-1')
    expect(hits).toHaveLength(1)
  })

  it('rejects a reply without a session key', async () => {
    reply = () => ({ body: { openid: 'o-1' } })
    expect(await exchangeJsCode('code-d', options)).toMatchObject({ ok: false, error: { code: 'WECHAT_ERROR' } })
  })
})
