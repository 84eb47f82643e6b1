/**
 * @module emulator/tcb/server — the CloudBase `/admin` endpoint the real SDK talks to.
 *
 * One POST route: parse the body (JSON, or multipart for `wx.openApi`; the Content-Type and Origin
 * were checked by emulator/http/guard.ts), refuse runaway regexes, resolve the calling
 * invocation from `wxCloudApiToken`, dispatch on `action` through the action table, and answer
 * in the envelope of reference §6.2: `{...payload, requestId}` on success, `{code, message,
 * requestId}` with HTTP 200 on failure. An unknown action is `INVALID_PARAM` (-501007 in the
 * SDK's table) rather than a generic SYS_ERR, so a missing emulator feature is recognisable.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EmulatorEvents } from '../events'
import { systemClock, TcbError, type ActionTable, type Clock, type AdminBody, type AdminReply, type InvocationRegistry, type RouteHandler } from '../types'
import { regexRefusal } from '../store/query'
import { multipartBoundary, parseMultipart } from './multipart'

export interface AdminRouteOptions {
  actions: ActionTable
  invocations: InvocationRegistry
  events?: EmulatorEvents
  /** Path to serve (default `/admin`). */
  path?: string
  /** Largest accepted body (default 20 MiB). */
  maxBodyBytes?: number
  /** Time source for the events' `at` (default the system clock). */
  clock?: Clock
}

const JSON_TYPE = 'application/json; charset=utf-8'
const UTF8 = new TextDecoder('utf-8', { fatal: true })

// Request ids: a random per-process prefix plus a counter (unique, and no crypto call per request).
const REQUEST_PREFIX = randomBytes(8).toString('hex')
let requestCounter = 0
const nextRequestId = () => REQUEST_PREFIX + (requestCounter++ >>> 0).toString(16).padStart(8, '0')

export function createAdminRoute(opts: AdminRouteOptions): RouteHandler {
  const routePath = opts.path ?? '/admin'
  const maxBody = opts.maxBodyBytes ?? 20 * 1024 * 1024
  const clock = opts.clock ?? systemClock
  return async (req, res, url) => {
    if (url.pathname !== routePath) return false
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('POST only')
      return true
    }
    const started = Date.now()
    const requestId = nextRequestId()
    let action = ''
    let detail: string | undefined
    let invocationId: string | undefined
    let error: string | undefined
    try {
      const body = parseBody(await readBody(req, maxBody), req.headers['content-type'])
      refuseRunawayRegexes(body)
      action = typeof body.action === 'string' ? body.action : ''
      detail = firstString(body.collectionName, body.apiName, body.function_name)
      const token = typeof body.wxCloudApiToken === 'string' ? body.wxCloudApiToken : undefined
      const invocation = opts.invocations.resolve(token)
      invocationId = invocation?.invocationId
      const handler = Object.prototype.hasOwnProperty.call(opts.actions, action) ? opts.actions[action] : undefined
      if (!handler) throw new TcbError('INVALID_PARAM', `action "${action}" is not supported by the emulator`)
      const env = firstString(body.envName, url.searchParams.get('env')) ?? ''
      send(res, await handler(body, { requestId, env, invocation }), requestId)
    } catch (err) {
      const e = err instanceof TcbError ? err : new TcbError('SYS_ERR', `internal error: ${(err as Error)?.message ?? String(err)}`)
      error = e.code
      if (!res.headersSent) send(res, { json: { code: e.code, message: e.message } }, requestId)
    } finally {
      opts.events?.emit('admin.call', { invocationId, action, detail, durationMs: Date.now() - started, error, at: clock.now() })
    }
    return true
  }
}

function send(res: ServerResponse, reply: AdminReply, requestId: string): void {
  if ('binary' in reply) {
    res.writeHead(200, { 'content-type': reply.contentType, 'content-length': reply.binary.byteLength })
    res.end(reply.binary)
    return
  }
  const text = JSON.stringify({ ...reply.json, requestId })
  res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function firstString(...values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === 'string' && v) return v
  return undefined
}

/** Reads the whole body; chunked bodies (no content-length) are what `wx.openApi` sends. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > max) {
        reject(new TcbError('INVALID_PARAM', `request body larger than ${max} bytes`))
        req.resume()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export function parseBody(raw: Buffer, contentType: string | undefined): AdminBody {
  const boundary = multipartBoundary(contentType)
  try {
    if (boundary) return parseMultipart(raw, boundary)
    // Strict: invalid UTF-8 is a malformed body, not text with U+FFFD in it (F12).
    const parsed: unknown = raw.length ? JSON.parse(UTF8.decode(raw)) : {}
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body is not a JSON object')
    return parsed as AdminBody
  } catch (err) {
    throw new TcbError('INVALID_PARAM', `malformed request body: ${(err as Error).message}`)
  }
}

/** Operators whose `regex` argument is a pattern (aggregation expressions). */
const REGEX_EXPRESSIONS = new Set(['$regexMatch', '$regexFind', '$regexFindAll'])

/**
 * Refuses, as INVALID_PARAM, a body holding a regular expression the store will not run
 * (`regexRefusal` in ../store/query.ts: one catastrophic pattern blocks the whole emulator).
 * Checked here, once for every action, because filters arrive as EJSON strings in any field
 * (`query`, `stages[].stageValue`, transaction bodies…): `{$regularExpression: {pattern}}`
 * (the SDKs' `db.RegExp` and JS regexes), the legacy `{$regex}` and `$regexMatch`'s `regex`.
 */
export function refuseRunawayRegexes(body: AdminBody): void {
  const check = (pattern: unknown) => {
    if (typeof pattern !== 'string') return
    const why = regexRefusal(pattern)
    if (why) throw new TcbError('INVALID_PARAM', `regular expression ${JSON.stringify(pattern.slice(0, 60))} refused by the emulator: ${why}`)
  }
  // Iterative: bodies may be nested thousands deep (red-team F5).
  const stack: unknown[] = [body]
  while (stack.length) {
    const v = stack.pop()
    if (typeof v === 'string') {
      if (!v.includes('$regex') && !v.includes('$regularExpression')) continue
      try {
        stack.push(JSON.parse(v))
      } catch {
        // not JSON: the action decodes (and rejects) it itself
      }
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x)
    } else if (v && typeof v === 'object' && !Buffer.isBuffer(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$regex') check(x)
        else if (k === '$regularExpression') check((x as { pattern?: unknown } | null)?.pattern)
        else if (REGEX_EXPRESSIONS.has(k)) check((x as { regex?: unknown } | null)?.regex)
        stack.push(x)
      }
    }
  }
}
