/**
 * @module emulator/http/guard — who may talk to the emulator, decided once per request before any
 * route runs (`dispatch` in emulator/index.ts).
 *
 * The emulator has no authentication: it is a developer tool on loopback. What keeps a web page
 * open in the developer's browser from driving or reading it (red-team F3/F4):
 *
 * - **Origin.** Browsers send it on every POST and on every CORS read. Only no Origin (Node
 *   clients, the SDKs, curl) or the emulator's own origin (the console page it serves) passes, so a
 *   cross-site form or `fetch(…, {mode:'no-cors'})` is refused before it can change anything.
 * - **Content-Type.** A request with a body must declare what our real clients send: JSON, and on
 *   `/admin` also `multipart/form-data` (what wx-server-sdk 4.0.2 / tcb-node-sdk send for
 *   `wx.openApi` and `getOpenData`, captured from the pinned SDKs). `text/plain` and
 *   form-urlencoded, which a page may send without a preflight, are refused. Multipart is a
 *   "simple" type too, so on `/admin` the Origin check is what protects. The storage upload
 *   (`PUT /storage/upload/…`) carries raw bytes: node-sdk sends them with NO Content-Type
 *   (captured from the pinned SDK), so there a missing type or `application/octet-stream` is
 *   allowed, and nothing else; a PUT is never "simple", and the Origin check still applies.
 * - **Host.** While the emulator listens on loopback only, `Host` must be a loopback name
 *   (`localhost`, `127.x.x.x`, `[::1]`) with the emulator's port. A DNS-rebound name
 *   (`attacker.test` → 127.0.0.1) makes the attacker's page same-origin with the emulator; its
 *   Host header still names the attacker, and is refused (the idea of firebase-tools PR #10596).
 *   Listening on another address is an explicit opt-in to remote access: Host is not checked then,
 *   and `startEmulator` prints a warning.
 * - **The path.** Malformed `%`-escapes are a 400 here, so routes may `decodeURIComponent` freely.
 */
import type { IncomingMessage } from 'node:http'

export interface GuardOptions {
  /** The address the server listens on (`startEmulator({host})`). */
  listenHost: string
  /** The port it listens on (known once listening). */
  port: () => number
}

/** Why a request is refused: answered as `{error}` with `status`, before any route runs. */
export interface Refusal {
  status: number
  error: string
}

const JSON_TYPE = 'application/json'
const MULTIPART_TYPE = 'multipart/form-data'
const OCTET_TYPE = 'application/octet-stream'

/** Content types a request body may have, by path; the first matching prefix wins. */
const BODY_TYPES: readonly { path: string; types: readonly string[]; untyped?: true }[] = [
  { path: '/admin', types: [JSON_TYPE, MULTIPART_TYPE] },
  { path: '/storage/upload/', types: [OCTET_TYPE], untyped: true },
  { path: '/', types: [JSON_TYPE] },
]

const IPV4_LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/** `localhost`, `127.0.0.0/8` or `::1` (bracketed or not). Not `*.localhost`, not `0.0.0.0`. */
export function isLoopbackHostname(name: string): boolean {
  const n = name.toLowerCase()
  if (n === 'localhost' || n === '::1' || n === '[::1]') return true
  const m = IPV4_LOOPBACK.exec(n)
  return !!m && m.slice(1).every((octet) => Number(octet) <= 255)
}

/** `name[:port]` or `[v6][:port]`, as it may appear in Host; undefined if it is anything else. */
function parseHostHeader(value: string): { hostname: string; port: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(value)
  if (!m) return undefined
  return { hostname: m[1]!, port: m[2] === undefined ? 80 : Number(m[2]) }
}

/** The media type of a Content-Type value, lower-cased, and whether its charset (if any) is UTF-8. */
function mediaType(value: string | undefined): { type: string; utf8: boolean } | undefined {
  if (!value) return undefined
  const [type, ...params] = value.split(';')
  const charset = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('charset='))
  const cs = charset?.slice('charset='.length).replace(/^"|"$/g, '')
  return { type: type!.trim().toLowerCase(), utf8: cs === undefined || cs === 'utf-8' || cs === 'utf8' }
}

function validPath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname)
    return true
  } catch {
    return false
  }
}

/** Returns the check `dispatch` runs on every request: a `Refusal`, or undefined to go on. */
export function createRequestGuard(opts: GuardOptions): (req: IncomingMessage, url: URL) => Refusal | undefined {
  const loopbackOnly = isLoopbackHostname(opts.listenHost)

  const ownOrigin = (origin: string, host: string | undefined): boolean => {
    let u: URL
    try {
      u = new URL(origin)
    } catch {
      return false // includes the opaque origin "null" (sandboxed frames, file: pages)
    }
    if (u.protocol !== 'http:' || u.origin !== origin.toLowerCase().replace(/\/$/, '')) return false
    const port = u.port === '' ? 80 : Number(u.port)
    if (isLoopbackHostname(u.hostname) && port === opts.port()) return true
    // Listening on a LAN address, the console page's origin is whatever Host the browser used.
    return !loopbackOnly && host !== undefined && u.host === host.toLowerCase()
  }

  return (req, url) => {
    const host = req.headers.host
    if (loopbackOnly && host !== undefined) {
      const h = parseHostHeader(host)
      if (!h || !isLoopbackHostname(h.hostname) || h.port !== opts.port()) {
        return { status: 403, error: `主机名不是本模拟器 / Host ${JSON.stringify(host.slice(0, 100))} is not this emulator: open http://127.0.0.1:${opts.port()} or http://localhost:${opts.port()}` }
      }
    }
    const origin = req.headers.origin
    if (origin !== undefined && !ownOrigin(origin, host)) {
      return { status: 403, error: `跨站请求被拒绝 / cross-origin request refused: Origin ${JSON.stringify(origin.slice(0, 100))} is not this emulator` }
    }
    if (!validPath(url.pathname)) return { status: 400, error: 'malformed %-escape in the path' }
    const method = req.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
      const rule = BODY_TYPES.find((b) => url.pathname === b.path || url.pathname.startsWith(b.path.endsWith('/') ? b.path : `${b.path}/`))!
      const allowed = rule.types
      const ct = mediaType(req.headers['content-type'])
      if (ct === undefined && rule.untyped) return undefined
      if (!ct || !allowed.includes(ct.type) || !ct.utf8) {
        return { status: 415, error: `${method} ${url.pathname} needs Content-Type ${allowed.join(' or ')} (charset utf-8), got ${JSON.stringify((req.headers['content-type'] ?? '(none)').slice(0, 100))}` }
      }
    }
    return undefined
  }
}
