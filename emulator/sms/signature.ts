/**
 * @module emulator/sms/signature — checks a TencentCloud API 3.0 request signature
 * (TC3-HMAC-SHA256) for real, as the SMS API does before anything else.
 *
 * The algorithm is Tencent Cloud's "签名方法 v3" (https://cloud.tencent.com/document/product/876/34813, as cited by
 * https://docs.cloudbase.net/http-api/basic/tc3-auth,
 * and the Node SDK's own `sign3` in tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js):
 *   CanonicalRequest = method \n path \n query \n "content-type:<ct>\nhost:<host>\n" \n signedHeaders \n sha256hex(body)
 *   StringToSign     = "TC3-HMAC-SHA256" \n timestamp \n "<date>/<service>/tc3_request" \n sha256hex(CanonicalRequest)
 *   key              = HMAC(HMAC(HMAC("TC3"+SecretKey, date), service), "tc3_request")
 * Error codes and the 5-minute window are the API's common errors
 * (https://cloud.tencent.com/document/api/382/52075): AuthFailure.SignatureFailure,
 * AuthFailure.SignatureExpire, AuthFailure.SecretIdNotFound, AuthFailure.InvalidAuthorization.
 *
 * Two differences, both forced by serving the API on 127.0.0.1:<port> and both listed in
 * emulator/README.md: the host signed is the Host header WITHOUT its port (the SDK signs
 * `urlObj.hostname`; the real endpoint has no port, so there the two agree), and the credential
 * scope's service is taken as sent (the SDK derives it from the endpoint's first label, `127`
 * here, where the real API expects `sms`).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

export interface SignedRequest {
  method: string
  path: string
  query: string
  headers: IncomingHttpHeaders
  body: Buffer
}

/** A TencentCloud API error (`Response.Error`). */
export interface ApiError {
  code: string
  message: string
}

const MAX_SKEW_SECONDS = 300

const sha256hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** The UTC date `YYYY-MM-DD` of a Unix timestamp (seconds). */
export function scopeDate(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10)
}

/** The signature a correct client computes (exported for tests that forge a request). */
export function tc3Signature(opts: { secretKey: string; date: string; service: string; timestamp: number; canonicalRequest: string }): string {
  const scope = `${opts.date}/${opts.service}/tc3_request`
  const toSign = `TC3-HMAC-SHA256\n${opts.timestamp}\n${scope}\n${sha256hex(opts.canonicalRequest)}`
  const kSigning = hmac(hmac(hmac(`TC3${opts.secretKey}`, opts.date), opts.service), 'tc3_request')
  return createHmac('sha256', kSigning).update(toSign).digest('hex')
}

/**
 * Undefined when the request is signed by a known key within 5 minutes of `nowMs`; the API
 * error otherwise. `secretKeyOf` maps a SecretId to its key (undefined: unknown id).
 */
export function verifyTc3(req: SignedRequest, secretKeyOf: (secretId: string) => string | undefined, nowMs: number): ApiError | undefined {
  const auth = header(req.headers, 'authorization') ?? ''
  const m = /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/,\s]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth)
  if (!m) return { code: 'AuthFailure.InvalidAuthorization', message: 'Authorization header is not a TC3-HMAC-SHA256 credential.' }
  const [, secretId, date, service, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string]
  const timestamp = Number(header(req.headers, 'x-tc-timestamp'))
  if (!Number.isInteger(timestamp)) return { code: 'MissingParameter', message: 'The request is missing a required parameter `X-TC-Timestamp`.' }
  if (Math.abs(nowMs / 1000 - timestamp) > MAX_SKEW_SECONDS) {
    return { code: 'AuthFailure.SignatureExpire', message: 'Signature expired. Timestamp and server time cannot differ by more than 5 minutes.' }
  }
  const secretKey = secretKeyOf(secretId)
  if (secretKey === undefined) return { code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is not found, please ensure that your SecretId is correct.' }
  const names = signedHeaders.split(';')
  const signatureFailure: ApiError = { code: 'AuthFailure.SignatureFailure', message: 'The provided credentials could not be validated. Please check your signature is correct.' }
  // Content-Type and Host must be signed (they are what the SDK signs); the date must be the timestamp's.
  if (!names.includes('content-type') || !names.includes('host') || date !== scopeDate(timestamp)) return signatureFailure
  const canonicalHeaders = names
    .map((n) => {
      const raw = (header(req.headers, n) ?? '').trim()
      const value = n === 'host' ? raw.replace(/:\d+$/, '') : n === 'content-type' ? raw : raw.toLowerCase()
      return `${n}:${value}\n`
    })
    .join('')
  const canonicalRequest = `${req.method}\n${req.path}\n${req.query}\n${canonicalHeaders}\n${signedHeaders}\n${sha256hex(req.body)}`
  const expected = Buffer.from(tc3Signature({ secretKey, date, service, timestamp, canonicalRequest }), 'hex')
  const given = Buffer.from(signature, 'hex')
  return expected.length === given.length && timingSafeEqual(expected, given) ? undefined : signatureFailure
}
