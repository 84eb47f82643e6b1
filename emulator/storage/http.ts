/**
 * @module emulator/storage/http — the emulator's stand-in for the COS bucket, on loopback:
 *
 *   PUT  /storage/upload/<cloudPath>     raw bytes, as node-sdk's uploadFile sends them (no
 *                                        Content-Type, chunked; `authorization` = the granted token)
 *   GET  /storage/download/<cloudPath>?sign=…&t=…   the temp URL (HEAD too: `getFileInfo` uses it)
 *
 * Success is COS's: an empty 200 for a PUT, the bytes for a GET. Failures are COS-style XML
 * `<Error><Code>…</Code><Message>…</Message><Resource/><RequestId/><TraceId/></Error>`: node-sdk
 * parses exactly these four fields and reports `STORAGE_REQUEST_FAIL` (-503001) with
 * `[<Code>]: <Message>`. Bodies are bounded (`maxFileBytes`). Downloads are served so that an
 * uploaded page or SVG can never run as the emulator's origin: `CSP: sandbox` (an opaque origin,
 * whose requests the guard refuses), `nosniff`, and no HTML/SVG content types.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RouteHandler } from '../types'
import type { FileStore } from './files'
import type { UploadGrants, UrlSigner } from './grants'
import { cloudPathProblem } from './paths'

export const UPLOAD_PREFIX = '/storage/upload/'
export const DOWNLOAD_PREFIX = '/storage/download/'

const TYPES: Record<string, string> = {
  txt: 'text/plain; charset=utf-8',
  json: 'application/json',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  pdf: 'application/pdf',
}
const SAFE_DOWNLOAD = { 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox" } as const

const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)

/** Sends a COS-style XML error; returns true (the request was handled). */
function cosError(res: ServerResponse, status: number, code: string, message: string, resource: string): true {
  const id = randomBytes(12).toString('hex')
  const body = `<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message><Resource>${xml(resource.slice(0, 200))}</Resource><RequestId>${id}</RequestId><TraceId>${id}</TraceId></Error>`
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-cos-request-id': id })
  res.end(body)
  return true
}

/** Reads at most `max` bytes; undefined (and the rest drained) if the body is larger. */
function readBounded(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > max) over = true
      if (!over) chunks.push(chunk)
    })
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** The cloud path in a route's URL, or undefined if it is not one the emulator stores. */
function pathIn(url: URL, prefix: string): string | undefined {
  // `%2F` and `%2e%2e` decode here; `cloudPathProblem` then refuses `..`, `.` and empty segments.
  const path = decodeURIComponent(url.pathname.slice(prefix.length))
  return cloudPathProblem(path) === undefined ? path : undefined
}

export function createStorageRoute(deps: { files: FileStore; grants: UploadGrants; signer: UrlSigner; maxFileBytes: number }): RouteHandler {
  return async (req, res, url) => {
    if (url.pathname.startsWith(UPLOAD_PREFIX)) {
      if (req.method !== 'PUT') {
        res.writeHead(405, { allow: 'PUT', 'content-type': 'text/plain' }).end('PUT only')
        return true
      }
      // Refusals below leave the body unread: close rather than reuse the connection.
      const refuse = (status: number, code: string, message: string, resource: string) => {
        res.setHeader('connection', 'close')
        req.resume()
        return cosError(res, status, code, message, resource)
      }
      const path = pathIn(url, UPLOAD_PREFIX)
      if (path === undefined) return refuse(400, 'InvalidURI', 'not a valid cloud path', url.pathname)
      const auth = req.headers.authorization
      if (!deps.grants.allows(typeof auth === 'string' ? auth : undefined, path)) {
        return refuse(403, 'AccessDenied', 'no valid upload grant for this path: call storage.getUploadMetadata first', path)
      }
      const declared = Number(req.headers['content-length'] ?? 0)
      const bytes = declared > deps.maxFileBytes ? undefined : await readBounded(req, deps.maxFileBytes)
      if (bytes === undefined) return refuse(400, 'EntityTooLarge', `the emulator accepts files up to ${deps.maxFileBytes} bytes`, path)
      try {
        await deps.files.put(path, bytes)
      } catch (e) {
        // E.g. `a/b` while `a` is a file: COS keys may nest that way, a folder cannot.
        return cosError(res, 409, 'PathConflict', `cannot store ${path}: ${(e as NodeJS.ErrnoException).code ?? 'write failed'}`, path)
      }
      res.writeHead(200, { 'content-length': 0, etag: `"${randomBytes(16).toString('hex')}"` }).end()
      return true
    }
    if (url.pathname.startsWith(DOWNLOAD_PREFIX)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET only')
        return true
      }
      const path = pathIn(url, DOWNLOAD_PREFIX)
      const t = Number(url.searchParams.get('t'))
      if (path === undefined || !deps.signer.verify(path, t, url.searchParams.get('sign'))) {
        return cosError(res, 403, 'AccessDenied', 'the link is invalid or expired: get a new one with getTempFileURL', url.pathname)
      }
      const bytes = await deps.files.get(path)
      if (!bytes) return cosError(res, 404, 'NoSuchKey', 'the specified key does not exist', path)
      const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? ''
      res.writeHead(200, { ...SAFE_DOWNLOAD, 'content-type': TYPES[ext] ?? 'application/octet-stream', 'content-length': bytes.length })
      res.end(req.method === 'HEAD' ? undefined : bytes)
      return true
    }
    return false
  }
}
