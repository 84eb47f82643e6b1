/**
 * @module emulator/tcb/multipart — a byte-exact multipart/form-data parser.
 *
 * `wx.openApi` sends protobuf bytes in a part with `Content-Type: application/octet-stream`
 * and no filename (reference §11.1). Parsers that treat filename-less parts as text would
 * UTF-8-decode and corrupt it, so here a part stays a Buffer whenever it declares a
 * non-text Content-Type or a filename; only plain fields become strings.
 */

export type FormValue = string | Buffer

/** The boundary of a `multipart/form-data` content type, if any. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  return m ? (m[1] ?? m[2]) : undefined
}

/** Parses a complete body; throws on a malformed one. Repeated names keep the last value. */
export function parseMultipart(body: Buffer, boundary: string): Record<string, FormValue> {
  const delimiter = Buffer.from(`--${boundary}`)
  const fields: Record<string, FormValue> = {}
  let pos = body.indexOf(delimiter)
  if (pos < 0) throw new Error('multipart body has no boundary')
  for (;;) {
    pos += delimiter.length
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return fields // closing "--boundary--"
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2
    const headerEnd = body.indexOf('\r\n\r\n', pos)
    if (headerEnd < 0) throw new Error('multipart part without header end')
    const headers = parseHeaders(body.subarray(pos, headerEnd).toString('latin1'))
    const start = headerEnd + 4
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start)
    if (next < 0) throw new Error('multipart part without closing boundary')
    const content = body.subarray(start, next)
    const disposition = headers['content-disposition'] ?? ''
    const name = paramOf(disposition, 'name')
    if (name !== undefined) {
      const type = headers['content-type']
      const binary = paramOf(disposition, 'filename') !== undefined || (type !== undefined && !/^text\//i.test(type))
      fields[name] = binary ? Buffer.from(content) : content.toString('utf8')
    }
    pos = next + 2
  }
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':')
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
  }
  return headers
}

function paramOf(header: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|;)\\s*${key}="([^"]*)"`, 'i').exec(header) ?? new RegExp(`(?:^|;)\\s*${key}=([^;\\s]*)`, 'i').exec(header)
  return m ? Buffer.from(m[1], 'latin1').toString('utf8') : undefined
}
