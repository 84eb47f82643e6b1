import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { EmulatorEvents } from '../events'
import { createConsoleRoutes, HIDDEN, type ConsoleDeps } from './index'

const docs: Record<string, Record<string, unknown>[]> = {
  users: [{ _id: 'o1', phone: { purePhoneNumber: '13800138000', countryCode: '86', masked: '138****8000' } }],
  sessions: [{ _id: 'o1', session_key: 'QUJDREVGR0hJSktMTU5PUA==', updatedAt: 1 }],
}

let server: Server
let base: string
const events = new EmulatorEvents()

beforeAll(async () => {
  const deps: ConsoleDeps = {
    wechat: { defaultAppid: 'wx0123456789abcdef', getApp: () => ({ name: 'demo', secret: 'SECRET-never-sent' }) as { name: string } },
    store: {
      listCollections: () => Object.keys(docs),
      find: (c) => docs[c] ?? [],
      count: (c) => docs[c]?.length ?? 0,
    },
    events,
  }
  const [route] = createConsoleRoutes(deps, { env: 'test-env' })
  server = createServer(async (req, res) => {
    const handled = await route!(req, res, new URL(req.url ?? '/', 'http://x'))
    if (!handled) res.writeHead(418).end()
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((ok) => server.close(ok))
})

/** Reads SSE messages until `count` arrived, then aborts. */
async function readEvents(count: number, headers: Record<string, string> = {}, during?: () => void): Promise<{ id: number; type: string; data: Record<string, unknown> }[]> {
  const ac = new AbortController()
  const res = await fetch(`${base}/console/api/events`, { headers, signal: ac.signal })
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const reader = res.body!.getReader()
  const out: { id: number; type: string; data: Record<string, unknown> }[] = []
  let text = ''
  during?.()
  while (out.length < count) {
    const { value, done } = await reader.read()
    if (done) break
    text += Buffer.from(value).toString('utf8')
    let i
    while ((i = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, i)
      text = text.slice(i + 2)
      const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2)
      if (field('data')) out.push({ id: Number(field('id')), type: field('event')!, data: JSON.parse(field('data')!) })
    }
  }
  ac.abort()
  return out
}

test('replays past events to a new page, then streams live ones, attributing jscode2session to the running invocation', async () => {
  events.emit('invocation.start', { invocationId: 'inv-1', functionName: 'login', openid: 'o1', at: 1 })
  events.emit('wechat.call', { api: 'jscode2session', openid: 'o1', errcode: 0, at: 2 })
  events.emit('wechat.call', { api: 'tap.getPhoneNumber', openid: 'o1', errcode: 0, at: 3 })
  const got = await readEvents(4, {}, () =>
    setTimeout(() => events.emit('invocation.end', { invocationId: 'inv-1', functionName: 'login', openid: 'o1', at: 4, durationMs: 3, resultCode: 'OK', logs: ['inv-1 INFO user 13800138000'] }), 20),
  )
  expect(got.map((e) => e.type)).toEqual(['invocation.start', 'wechat.call', 'wechat.call', 'invocation.end'])
  expect(got[1]!.data).toMatchObject({ api: 'jscode2session', invocationId: 'inv-1', attributed: 'openid' })
  expect(got[2]!.data.invocationId).toBeUndefined()
  expect(got[3]!.data.logs).toEqual(['inv-1 INFO user 138****8000'])

  // A reconnecting page (Last-Event-ID) gets only what it missed.
  const again = await readEvents(1, { 'last-event-id': String(got[2]!.id) })
  expect(again.map((e) => e.type)).toEqual(['invocation.end'])
})

test('lists the collections that exist, with counts (none is invented: a missing one fails on CloudBase)', async () => {
  const body = (await (await fetch(`${base}/console/api/db`)).json()) as { collections: { name: string; count: number }[] }
  expect(body.collections).toEqual([
    { name: 'users', count: 1 },
    { name: 'sessions', count: 1 },
  ])
})

test('never sends a session key or the AppSecret; masks numbers unless ?reveal=1', async () => {
  const sessions = await (await fetch(`${base}/console/api/db/sessions?reveal=1`)).text()
  expect(sessions).not.toContain('QUJDREVGR0hJSktMTU5PUA==')
  expect(sessions).toContain(HIDDEN)
  const masked = await (await fetch(`${base}/console/api/db/users`)).text()
  expect(masked).not.toContain('13800138000')
  expect(await (await fetch(`${base}/console/api/db/users?reveal=1`)).text()).toContain('13800138000')
  const info = await (await fetch(`${base}/console/api/info`)).text()
  expect(JSON.parse(info)).toEqual({ appid: 'wx0123456789abcdef', appName: 'demo', env: 'test-env' })
  expect(info).not.toContain('SECRET')
  expect((await fetch(`${base}/console/api/db/..%2Fetc`)).status).toBe(400)
})

test('serves the page and its bundle; leaves other paths and methods to other routes', async () => {
  const html = await (await fetch(`${base}/console/`)).text()
  expect(html).toContain('<script src="app.js">')
  const js = await fetch(`${base}/console/app.js`)
  expect(js.headers.get('content-type')).toMatch(/javascript/)
  expect((await js.text()).length).toBeGreaterThan(1000)
  expect((await fetch(`${base}/console`, { redirect: 'manual' })).headers.get('location')).toBe('/console/')
  expect((await fetch(`${base}/`)).status).toBe(418) // JSON clients keep the emulator's own answer
  expect((await fetch(`${base}/client/users`)).status).toBe(418)
  expect((await fetch(`${base}/console/api/db`, { method: 'POST' })).status).toBe(418)
})
