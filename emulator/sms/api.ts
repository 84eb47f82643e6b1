/**
 * @module emulator/sms/api — Tencent Cloud SMS `SendSms` (API 2021-01-11) on the emulator's
 * server, at `POST /tencentcloud/sms/`, for the REAL `tencentcloud-sdk-nodejs-sms` client whose
 * endpoint is pointed here (`PHONEBIND_SMS_ENDPOINT=http://127.0.0.1:<port>/tencentcloud/sms`).
 *
 * Order of checks, as the API documents them: signature (./signature.ts) → action and version →
 * request parameters (whole-request errors in `Response.Error`) → each number (its entry in
 * `SendStatusSet`, `Code: "Ok"` or the reason). Sources:
 *   SendSms parameters and output, the success example (`"Message": "send success"`, `IsoCode`):
 *     https://cloud.tencent.com/document/api/382/55981
 *   SendStatus fields: the SDK's own sms_models.d.ts (`SendStatus`)
 *   error codes: https://cloud.tencent.com/document/api/382/59177 (SMS) and /52075 (common)
 *   Fee (计费条数): Tencent Cloud's 「国内短信内容长度计算规则」, 70 characters one part, else 67 per part
 *     (the rule as widely quoted; the page itself was not found in the reference search)
 * GUESSED (no source found; also in emulator/README.md): the exact English `Message` texts
 * other than `send success`; `FailedOperation.TemplateParamSetNotMatchApprovedTemplate` for a
 * parameter count that does not match the template; that per-number failures (limits, a bad
 * number, faults) come back in `SendStatusSet` rather than as `Response.Error`; non-mainland
 * numbers answered as `InvalidParameterValue.IncorrectPhoneNumber` (the emulator's one template
 * is a mainland one; the real API wants an international template for them).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RouteHandler } from '../types'
import { verifyTc3, type ApiError } from './signature'
import type { SmsState } from './state'

export const SMS_API_PATH = '/tencentcloud/sms/'
export const SMS_API_VERSION = '2021-01-11'
const MAX_BODY = 256 * 1024
const MAX_NUMBERS = 200

interface SendStatus {
  SerialNo: string
  PhoneNumber: string
  Fee: number
  SessionContext: string
  Code: string
  Message: string
  IsoCode: string
}

function reply(res: ServerResponse, body: Record<string, unknown>): true {
  const text = JSON.stringify({ Response: { ...body, RequestId: randomUUID() } })
  // The API answers HTTP 200 for business errors too; the SDK reads `Response.Error`.
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
  return true
}

const error = (res: ServerResponse, e: ApiError) => reply(res, { Error: { Code: e.code, Message: e.message } })

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

/** `+8613800138000`, `008613800138000`, `8613800138000` or `13800138000` → `+8613800138000` (the doc's accepted mainland forms). */
export function mainlandE164(n: string): string | undefined {
  const m = /^(?:\+86|0086|86)?(1\d{10})$/.exec(n)
  return m ? `+86${m[1]}` : undefined
}

const placeholders = (template: string) => new Set([...template.matchAll(/\{(\d+)\}/g)].map((m) => m[1])).size

/** Billed parts of a mainland text: one up to 70 characters, else 67 characters per part. */
export function feeOf(text: string): number {
  const n = [...text].length
  return n <= 70 ? 1 : Math.ceil(n / 67)
}

function sendOne(state: SmsState, raw: string, templateId: string, params: string[], session: string): SendStatus {
  const phone = mainlandE164(raw)
  const base = { SerialNo: '', PhoneNumber: raw, Fee: 0, SessionContext: session, IsoCode: phone ? 'CN' : 'DEF' }
  if (!phone) return { ...base, Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: 'incorrect phone number' }
  const at = { ...base, PhoneNumber: phone }
  if (state.faults.rateLimit) return { ...at, Code: 'LimitExceeded.PhoneNumberThirtySecondLimit', Message: 'the number of sms messages sent from a single mobile number within 30 seconds exceeds the upper limit' }
  if (state.faults.sendFailure) return { ...at, Code: 'InternalError.OtherError', Message: 'other error' }
  const limited = state.countSend(phone, templateId)
  if (limited) return { ...at, Code: limited, Message: 'the number of sms messages sent to this mobile number exceeds the frequency limit' }
  const { sign, template } = state.account
  const text = `【${sign}】${template.replace(/\{(\d+)\}/g, (_, i: string) => params[Number(i) - 1] ?? '')}`
  const serialNo = `2433:${randomBytes(12).toString('hex')}`
  // A lost text is billed and answered Ok like any other: the loss shows only on the receipt.
  if (!state.faults.lostInDelivery) state.deliver({ phone, text, sign, templateId, params, serialNo, at: state.clock.now() })
  return { ...at, SerialNo: serialNo, Fee: feeOf(text), Code: 'Ok', Message: 'send success' }
}

export function createSmsApiRoute(state: SmsState): RouteHandler {
  return async (req, res, url) => {
    if (url.pathname !== SMS_API_PATH && url.pathname !== SMS_API_PATH.slice(0, -1)) return false
    if (req.method !== 'POST') return error(res, { code: 'InvalidParameter', message: 'The emulator serves SendSms by POST only.' })
    const body = await readBody(req)
    if (!body) return error(res, { code: 'InvalidParameter', message: 'The request body is too large.' })
    const { account } = state
    const authFailure = verifyTc3(
      { method: 'POST', path: url.pathname, query: url.search.slice(1), headers: req.headers, body },
      (id) => (id === account.secretId ? account.secretKey : undefined),
      state.clock.now(),
    )
    if (authFailure) return error(res, authFailure)
    const action = String(req.headers['x-tc-action'] ?? '')
    const version = String(req.headers['x-tc-version'] ?? '')
    if (action !== 'SendSms') return error(res, { code: 'InvalidAction', message: `The action \`${action.slice(0, 40)}\` is not supported by the emulator.` })
    if (version !== SMS_API_VERSION) return error(res, { code: 'NoSuchVersion', message: `The API version \`${version.slice(0, 20)}\` is not supported; SendSms is ${SMS_API_VERSION}.` })
    if (!req.headers['x-tc-region']) return error(res, { code: 'MissingParameter', message: 'The request is missing a required parameter `Region`.' })
    let p: Record<string, unknown>
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'))
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object')
      p = parsed as Record<string, unknown>
    } catch {
      return error(res, { code: 'FailedOperation.FailResolvePacket', message: 'failed to resolve the request packet' })
    }
    for (const name of ['PhoneNumberSet', 'SmsSdkAppId', 'TemplateId']) {
      if (p[name] === undefined) return error(res, { code: 'MissingParameter', message: `The request is missing a required parameter \`${name}\`.` })
    }
    const numbers = p.PhoneNumberSet
    const params = p.TemplateParamSet ?? []
    if (!Array.isArray(numbers) || numbers.length === 0 || !numbers.every((n) => typeof n === 'string')) return error(res, { code: 'InvalidParameter', message: 'PhoneNumberSet must be a non-empty array of strings.' })
    if (numbers.length > MAX_NUMBERS) return error(res, { code: 'LimitExceeded.PhoneNumberCountLimit', message: `at most ${MAX_NUMBERS} numbers per request` })
    if (!Array.isArray(params) || !params.every((v) => typeof v === 'string')) return error(res, { code: 'InvalidParameter', message: 'TemplateParamSet must be an array of strings.' })
    if (p.SmsSdkAppId !== account.sdkAppId) return error(res, { code: 'InvalidParameterValue.SdkAppIdNotExist', message: 'SdkAppId does not exist.' })
    if (p.SignName !== account.sign) return error(res, { code: 'FailedOperation.SignatureIncorrectOrUnapproved', message: 'the signature is unapproved or in incorrect format' })
    if (p.TemplateId !== account.templateId) return error(res, { code: 'FailedOperation.TemplateIncorrectOrUnapproved', message: 'the template is unapproved or its content does not match' })
    if (params.length !== placeholders(account.template)) {
      return error(res, { code: 'FailedOperation.TemplateParamSetNotMatchApprovedTemplate', message: 'the template parameters do not match the approved template' })
    }
    const session = typeof p.SessionContext === 'string' ? p.SessionContext : ''
    const statuses = (numbers as string[]).map((n) => sendOne(state, n, account.templateId, params as string[], session))
    return reply(res, { SendStatusSet: statuses })
  }
}
