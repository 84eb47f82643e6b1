/**
 * @module emulator/wechat/http — small JSON-over-HTTP helpers for the WeChat and client routes,
 * and `GET /sns/jscode2session` (reference/wechat-phone-facts.md §4.1).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RouteHandler } from '../types'
import type { SimulatedWeChat } from './wechat'

/** A client mistake: answered 400 with `{error}`. */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message)
    this.name = 'BadRequest'
  }
}

/** Runs a model call, turning its TypeErrors (unknown user, bad field) into 400s (404 for "unknown …"). */
export function guarded<T>(fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof TypeError) throw new BadRequest(e.message, /^unknown /.test(e.message) ? 404 : 400)
    throw e
  }
}

const MAX_BODY = 1024 * 1024
const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** `decodeURIComponent`, with a malformed %-escape as a 400 rather than a URIError (a 500). */
export function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    throw new BadRequest('malformed %-escape in the path')
  }
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new BadRequest('body larger than 1 MB', 413)
    chunks.push(chunk as Buffer)
  }
  if (size === 0) return {}
  let text: string
  try {
    text = UTF8.decode(Buffer.concat(chunks))
  } catch {
    // Decoding leniently would turn bad bytes into U+FFFD and answer "unknown openid ��" (F12).
    throw new BadRequest('body is not valid UTF-8')
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new BadRequest('body is not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BadRequest('body must be a JSON object')
  return parsed as Record<string, unknown>
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' })
  res.end(text)
}

/**
 * Answers a simulated-client route: 200 with what `run` returns, a BadRequest as `{error}` with
 * its status, anything else as a 500 that is logged (`what` names the routes in the log line).
 */
export async function answerClient(res: ServerResponse, what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    sendJson(res, 200, await run())
  } catch (e) {
    if (e instanceof BadRequest) sendJson(res, e.status, { error: e.message })
    else {
      sendJson(res, 500, { error: 'internal emulator error' })
      console.error(`[emulator] ${what} failed:`, e instanceof Error ? e.message : e)
    }
  }
}

/** `GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code`, WeChat's JSON. */
export function createJscode2SessionRoute(wechat: SimulatedWeChat): RouteHandler {
  return async (req, res, url) => {
    if (url.pathname !== '/sns/jscode2session') return false
    if (req.method !== 'GET') {
      sendJson(res, 200, { errcode: 43001, errmsg: 'require GET method' })
      return true
    }
    const q = url.searchParams
    const reply = await wechat.jscode2session({
      appid: q.get('appid') ?? undefined,
      secret: q.get('secret') ?? undefined,
      js_code: q.get('js_code') ?? undefined,
      grant_type: q.get('grant_type') ?? undefined,
    })
    // WeChat answers 200 with a JSON body (served as text/plain, which clients must tolerate).
    const text = JSON.stringify(reply)
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) })
    res.end(text)
    return true
  }
}
