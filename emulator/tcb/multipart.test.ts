import fc from 'fast-check'
import { multipartBoundary, parseMultipart } from './multipart'

/** Serialises a FormData the way fetch would send it. */
async function encode(form: FormData): Promise<{ body: Buffer; boundary: string }> {
  const res = new Response(form)
  const boundary = multipartBoundary(res.headers.get('content-type') ?? '')
  if (!boundary) throw new Error('no boundary')
  return { body: Buffer.from(await res.arrayBuffer()), boundary }
}

describe('multipart parser', () => {
  it('keeps binary parts byte-exact and text fields as strings, whatever the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 40 }), async (bytes, text) => {
        const form = new FormData()
        form.append('action', 'wx.openApi')
        form.append('note', text)
        form.append('requestData', new Blob([bytes], { type: 'application/octet-stream' }))
        const { body, boundary } = await encode(form)
        const fields = parseMultipart(body, boundary)
        expect(fields.action).toBe('wx.openApi')
        expect(fields.note).toBe(text.replace(/\r?\n|\r/g, '\r\n'))
        expect(Buffer.isBuffer(fields.requestData)).toBe(true)
        expect(Buffer.compare(fields.requestData as Buffer, Buffer.from(bytes))).toBe(0)
      }),
      { numRuns: 150 },
    )
  })

  it('keeps a part with a filename as bytes even when it is text', () => {
    const body = Buffer.from('--b\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nhi\r\n--b--\r\n')
    expect(parseMultipart(body, 'b')).toEqual({ f: Buffer.from('hi') })
  })

  it('reads quoted boundaries and rejects a body without a closing boundary', () => {
    expect(multipartBoundary('multipart/form-data; boundary="x y"')).toBe('x y')
    expect(multipartBoundary('application/json')).toBeUndefined()
    expect(() => parseMultipart(Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nv'), 'b')).toThrow('closing boundary')
  })
})
