/**
 * @module emulator/console — the console's HTTP routes, mounted on the emulator's one server.
 *
 *   GET /                         browsers (Accept: text/html) are sent to /console/
 *   GET /console/                 the page; /console/app.js and /console/app.css its bundle
 *   GET /console/api/info         appid, env and app name (never the AppSecret)
 *   GET /console/api/db           the collections that exist, with document counts
 *   GET /console/api/db/<name>    documents: secrets hidden always, phones masked unless ?reveal=1
 *   GET /console/api/files        cloud storage: fileID, path, size, time of each file (not contents)
 *   GET /console/api/events       Server-Sent Events: every invocation, /admin and WeChat call
 *
 * Everything the page DOES (log in, tap, call a function, set faults) goes through the same
 * `/client/*` routes the tests use; these routes only show. They stay off `/admin`.
 *
 * @example
 * startEmulator({ routes: (h) => createConsoleRoutes(h) })
 */
import { readFile } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { join } from 'node:path'
import type { EmulatorEvents } from '../events'
import type { RouteHandler } from '../types'
import { COLLECTION_NAME } from '../wechat/client-routes'
import { decodePathPart, sendJson } from '../wechat/http'
import { buildConsole, type ConsoleBundle } from './build'
import { EventFeed, type FeedEvent } from './feed'
import { sanitizeDocument } from './sanitize'

/** The parts of a running emulator the console reads. */
export interface ConsoleDeps {
  wechat: { defaultAppid: string; getApp(appid?: string): { name: string } | undefined }
  store: {
    listCollections(): string[]
    find(c: string, filter: Record<string, unknown>, opts?: { limit?: number }): unknown[]
    count(c: string, filter: Record<string, unknown>): number
  }
  events: EmulatorEvents
  /** Cloud storage (absent: the files panel shows none). */
  storage?: { list(): { fileID: string; cloudPath: string; size: number; updatedAt: number }[] }
}

/** At most this many files are listed. */
export const MAX_LISTED_FILES = 1000

export interface ConsoleOptions {
  /** CloudBase env id shown in the header (default `phonebind-local`). */
  env?: string
  /** How many past events a newly opened page receives (default 500). */
  history?: number
  /**
   * Serve `index.html`, `app.js` and `app.css` from this folder (the packaged CLI ships them
   * prebuilt in `dist/console/`: it has no page sources to bundle) instead of bundling the page.
   */
  prebuiltDir?: string
}

const SSE_PING_MS = 15_000

/**
 * On every console response: no other page may frame the console (clickjacking its Reset
 * button, F12). CSP `frame-ancestors` for current browsers, X-Frame-Options for older ones.
 */
export const NO_FRAMING = { 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'", 'x-content-type-options': 'nosniff' } as const

async function readPrebuilt(dir: string): Promise<ConsoleBundle> {
  const [html, js, css] = await Promise.all(['index.html', 'app.js', 'app.css'].map((f) => readFile(join(dir, f), 'utf8')))
  return { html: html!, js: js!, css: css! }
}

function sendText(res: ServerResponse, type: string, body: string): void {
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

export function createConsoleRoutes(deps: ConsoleDeps, options: ConsoleOptions = {}): RouteHandler[] {
  const feed = new EventFeed(deps.events, { capacity: options.history })
  let bundle: Promise<ConsoleBundle> | undefined
  // Built on first use and kept; a failed build is retried on the next request.
  const load = options.prebuiltDir ? () => readPrebuilt(options.prebuiltDir!) : () => buildConsole()
  const getBundle = () => (bundle ??= load().catch((e: unknown) => ((bundle = undefined), Promise.reject(e))))

  // Only collections that exist: phonebind's own are created at startup, others as on CloudBase.
  const collections = () => deps.store.listCollections().map((name) => ({ name, count: deps.store.count(name, {}) }))

  const documents = (name: string, url: URL) => {
    if (!COLLECTION_NAME.test(name)) return undefined
    const reveal = url.searchParams.get('reveal') === '1'
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit')) || 200, 1), 1000)
    if (!deps.store.listCollections().includes(name)) return { collection: name, total: 0, documents: [] }
    const docs = deps.store.find(name, {}, { limit })
    return { collection: name, total: deps.store.count(name, {}), revealed: reveal, documents: docs.map((d) => sanitizeDocument(name, d, reveal)) }
  }

  const events = (req: Parameters<RouteHandler>[0], res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    const send = (e: FeedEvent) => res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e.payload)}\n\n`)
    res.write('retry: 1000\n\n')
    const last = Number(req.headers['last-event-id'] ?? 0)
    for (const e of feed.recent(Number.isFinite(last) ? last : 0)) send(e)
    const off = feed.subscribe(send)
    // A comment line now and then keeps proxies and idle timers from closing the stream.
    const ping = setInterval(() => res.write(': ping\n\n'), SSE_PING_MS)
    ping.unref()
    res.on('close', () => {
      off()
      clearInterval(ping)
    })
  }

  const route: RouteHandler = async (req, res, url) => {
    const path = url.pathname
    if (req.method !== 'GET' && req.method !== 'HEAD') return false
    if (path === '/' && /text\/html/.test(req.headers.accept ?? '')) {
      res.writeHead(302, { location: '/console/' }).end()
      return true
    }
    if (path === '/console') {
      res.writeHead(301, { location: '/console/' }).end()
      return true
    }
    if (!path.startsWith('/console/')) return false
    for (const [k, v] of Object.entries(NO_FRAMING)) res.setHeader(k, v)
    try {
      if (path === '/console/' || path === '/console/index.html') sendText(res, 'text/html', (await getBundle()).html)
      else if (path === '/console/app.js') sendText(res, 'text/javascript', (await getBundle()).js)
      else if (path === '/console/app.css') sendText(res, 'text/css', (await getBundle()).css)
      else if (path === '/console/api/events') events(req, res)
      else if (path === '/console/api/info') {
        const app = deps.wechat.getApp()
        sendJson(res, 200, { appid: deps.wechat.defaultAppid, appName: app?.name ?? '', env: options.env ?? 'phonebind-local' })
      } else if (path === '/console/api/db') sendJson(res, 200, { collections: collections() })
      else if (path === '/console/api/files') {
        const files = deps.storage?.list() ?? []
        sendJson(res, 200, { total: files.length, files: files.slice(0, MAX_LISTED_FILES) })
      }
      else if (path.startsWith('/console/api/db/')) {
        let name: string
        try {
          name = decodePathPart(path.slice('/console/api/db/'.length))
        } catch {
          name = '' // a malformed %-escape: answered as a bad name (400), not a 500
        }
        const out = documents(name, url)
        if (out) sendJson(res, 200, out)
        else sendJson(res, 400, { error: 'bad collection name' })
      } else sendJson(res, 404, { error: `no route GET ${path}` })
    } catch (e) {
      console.error('[console] request failed:', e instanceof Error ? e.message : e)
      if (!res.headersSent) sendJson(res, 500, { error: 'console unavailable (see the emulator output)' })
    }
    return true
  }
  return [route]
}

export { buildConsole, type ConsoleBundle } from './build'
export { sanitizeDocument, HIDDEN } from './sanitize'
