import { TcbError } from '../types'
import { startAdmin, type AdminHarness } from './testing/harness'

let h: AdminHarness
const calls: unknown[] = []
beforeAll(async () => {
  h = await startAdmin({
    extra: {
      'test.echo': async (body, ctx) => ({ json: { data: { body, openid: ctx.invocation?.openid ?? null, env: ctx.env } } }),
      'test.binary': async () => ({ binary: Uint8Array.from([0, 255, 13, 10]), contentType: 'application/octet-stream' }),
      'test.tcbError': async () => {
        throw new TcbError('DATABASE_PERMISSION_DENIED', 'nope')
      },
      'test.crash': async () => {
        throw new Error('boom')
      },
    },
  })
  h.events.on('admin.call', (e) => calls.push(e))
  h.invocations.register({ token: 'tok-1', invocationId: 'inv-1', functionName: 'f', openid: 'o-user', appid: 'wxapp', openapiPermissions: [] })
})
afterAll(() => h.close())

const post = async (body: unknown, contentType = 'application/json') => {
  const res = await fetch(`${h.serviceUrl}?env=q-env&seqId=1`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, type: res.headers.get('content-type'), buf: Buffer.from(await res.arrayBuffer()) }
}
const json = async (body: unknown, contentType?: string) => JSON.parse((await post(body, contentType)).buf.toString())

describe('/admin envelope', () => {
  it('answers {...payload, requestId} as application/json; charset=utf-8 and attributes the caller by token', async () => {
    const r = await post({ action: 'test.echo', wxCloudApiToken: 'tok-1', envName: 'e1' })
    expect(r.type).toBe('application/json; charset=utf-8')
    const out = JSON.parse(r.buf.toString())
    expect(out).toMatchObject({ data: { openid: 'o-user', env: 'e1' } })
    expect(out.requestId).toMatch(/^[0-9a-f]{24}$/)
    expect(calls).toContainEqual(expect.objectContaining({ action: 'test.echo', invocationId: 'inv-1' }))
  })

  it('falls back to the env query parameter and leaves unknown tokens unattributed', async () => {
    expect(await json({ action: 'test.echo', wxCloudApiToken: 'other' })).toMatchObject({ data: { openid: null, env: 'q-env' } })
  })

  it('sends binary replies byte for byte', async () => {
    const r = await post({ action: 'test.binary' })
    expect(r.type).toBe('application/octet-stream')
    expect([...r.buf]).toEqual([0, 255, 13, 10])
  })

  it('reports a TcbError as {code, message, requestId} with HTTP 200', async () => {
    const r = await post({ action: 'test.tcbError' })
    expect(r.status).toBe(200)
    expect(JSON.parse(r.buf.toString())).toEqual({ code: 'DATABASE_PERMISSION_DENIED', message: 'nope', requestId: expect.any(String) })
    expect(calls).toContainEqual(expect.objectContaining({ action: 'test.tcbError', error: 'DATABASE_PERMISSION_DENIED' }))
  })

  it('reports any other failure as SYS_ERR', async () => {
    expect(await json({ action: 'test.crash' })).toMatchObject({ code: 'SYS_ERR', message: expect.stringContaining('boom') })
  })

  it('rejects an unknown action with INVALID_PARAM', async () => {
    expect(await json({ action: 'storage.getUploadMetadata' })).toMatchObject({ code: 'INVALID_PARAM', message: expect.stringContaining('storage.getUploadMetadata') })
    expect(await json({ action: 'toString' })).toMatchObject({ code: 'INVALID_PARAM' })
  })

  it('rejects a malformed body with INVALID_PARAM', async () => {
    expect(await json('{not json')).toMatchObject({ code: 'INVALID_PARAM' })
  })

  it('parses multipart bodies, keeping typed parts as raw bytes', async () => {
    const bytes = Buffer.from([0x08, 0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xff, 0xfe, 0xc3])
    const form = new FormData()
    form.append('action', 'test.echo')
    form.append('wxCloudApiToken', 'tok-1')
    form.append('requestData', new Blob([bytes], { type: 'application/octet-stream' }))
    const res = await fetch(h.serviceUrl, { method: 'POST', body: form })
    const out = (await res.json()) as { data: { openid: string; body: { action: string; requestData: { data: number[] } } } }
    expect(out.data.openid).toBe('o-user')
    expect(out.data.body.action).toBe('test.echo')
    expect(Buffer.from(out.data.body.requestData.data)).toEqual(bytes)
  })

  it('refuses a runaway regular expression in any filter before it runs (INVALID_PARAM), and runs a safe one', async () => {
    await h.store.insert('regex', [{ _id: 'r1', s: 'a'.repeat(20) + 'b' }])
    const bad = { s: { $regularExpression: { pattern: '^(a+)+$', options: '' } } }
    const refused = [
      { action: 'database.getDocument', collectionName: 'regex', query: JSON.stringify(bad) },
      { action: 'database.getDocument', collectionName: 'regex', query: JSON.stringify({ s: { $regex: '^(a+)+$' } }) },
      { action: 'database.calculateDocument', collectionName: 'regex', query: JSON.stringify({ $or: [{ x: 1 }, bad] }) },
      { action: 'database.aggregateDocuments', collectionName: 'regex', stages: [{ stageKey: '$match', stageValue: JSON.stringify(bad) }] },
      { action: 'database.aggregateDocuments', collectionName: 'regex', stages: [{ stageKey: '$match', stageValue: JSON.stringify({ $expr: { $regexMatch: { input: '$s', regex: '(a*)*$' } } }) }] },
    ]
    for (const body of refused) expect(await json(body)).toMatchObject({ code: 'INVALID_PARAM', message: expect.stringMatching(/nested quantifier/) })
    const safe = await json({ action: 'database.getDocument', collectionName: 'regex', query: JSON.stringify({ s: { $regularExpression: { pattern: '^a+b$', options: '' } } }) })
    expect(safe.data.list).toHaveLength(1)
  })

  it('leaves other paths to other routes', async () => {
    const res = await fetch(h.serviceUrl.replace('/admin', '/other'), { method: 'POST' })
    expect(res.status).toBe(404)
  })
})
