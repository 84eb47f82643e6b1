/**
 * The emulator's Tencent Cloud SMS through the REAL tencentcloud-sdk-nodejs-sms client (the
 * client phonebind's sendSmsCode uses), endpoint pointed at the emulator: signature checks,
 * SendStatusSet, request errors, per-number statuses, the inbox and fault routes.
 * Expected shapes: https://cloud.tencent.com/document/api/382/55981 (SendSms),
 * /382/59177 and /382/52075 (error codes); the SDK's sms_models.d.ts (SendStatus).
 */
import { createServer } from 'node:http'
import { Client } from 'tencentcloud-sdk-nodejs-sms/tencentcloud/services/sms/v20210111/sms_client'
import type { SendSmsRequest } from 'tencentcloud-sdk-nodejs-sms/tencentcloud/services/sms/v20210111/sms_models'
import { startEmulator, type RunningEmulator } from '../../emulator'
import { SMS_API_PATH } from '../../emulator/sms/api'

jest.setTimeout(30_000)

let emu: RunningEmulator
let offsetMs = 0

beforeAll(async () => {
  // An empty functions folder: this suite talks to the SMS API only.
  emu = await startEmulator({ port: 0, fresh: true, quiet: true, functionsDir: __dirname, clock: { now: () => Date.now() + offsetMs } })
})
afterAll(async () => {
  await emu?.stop()
})
beforeEach(() => {
  offsetMs = 0
  emu.sms.reset()
})

function client(credential: { secretId?: string; secretKey?: string } = {}): Client {
  const { account } = emu.sms
  return new Client({
    credential: { secretId: credential.secretId ?? account.secretId, secretKey: credential.secretKey ?? account.secretKey },
    region: account.region,
    profile: { httpProfile: { endpoint: `${emu.url.replace('http://', '')}${SMS_API_PATH.slice(0, -1)}`, protocol: 'http://' } },
  })
}

const request = (over: Partial<SendSmsRequest> = {}): SendSmsRequest => {
  const { account } = emu.sms
  return { PhoneNumberSet: ['+8613800138000'], SmsSdkAppId: account.sdkAppId, TemplateId: account.templateId, SignName: account.sign, TemplateParamSet: ['123456', '5'], ...over }
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return String((e as { code?: unknown }).code)
  }
  throw new Error('expected the SDK to throw')
}

describe('SendSms', () => {
  it('answers SendStatusSet as the API documents it and delivers the text to the inbox', async () => {
    const res = await client().SendSms(request({ SessionContext: 'ctx-1' }))
    expect(res.RequestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.SendStatusSet).toEqual([
      { SerialNo: expect.stringMatching(/^\d+:[0-9a-f]+$/), PhoneNumber: '+8613800138000', Fee: 1, SessionContext: 'ctx-1', Code: 'Ok', Message: 'send success', IsoCode: 'CN' },
    ])
    const [text] = await emu.client.smsInbox('13800138000')
    expect(text).toMatchObject({ phone: '+8613800138000', text: '【phonebind】您的验证码为123456，5分钟内有效。如非本人操作，请忽略本短信。', serialNo: res.SendStatusSet![0]!.SerialNo })
  })

  it('accepts the mainland spellings the API documents (86…, 0086…, 11 digits) as +86', async () => {
    const res = await client().SendSms(request({ PhoneNumberSet: ['8613800138001', '008613800138002', '13800138003'] }))
    expect(res.SendStatusSet!.map((s) => [s.PhoneNumber, s.Code])).toEqual([
      ['+8613800138001', 'Ok'],
      ['+8613800138002', 'Ok'],
      ['+8613800138003', 'Ok'],
    ])
  })

  it('answers a bad number in its SendStatus, with no fee, and still sends to the others', async () => {
    const res = await client().SendSms(request({ PhoneNumberSet: ['+86123', '+8613800138004'] }))
    expect(res.SendStatusSet).toEqual([
      expect.objectContaining({ PhoneNumber: '+86123', Code: 'InvalidParameterValue.IncorrectPhoneNumber', Fee: 0, SerialNo: '' }),
      expect.objectContaining({ PhoneNumber: '+8613800138004', Code: 'Ok', Fee: 1 }),
    ])
  })

  it("applies Tencent Cloud's default frequency rule: one text per number and template per 30 s", async () => {
    expect((await client().SendSms(request())).SendStatusSet![0]!.Code).toBe('Ok')
    expect((await client().SendSms(request())).SendStatusSet![0]).toMatchObject({ Code: 'LimitExceeded.PhoneNumberThirtySecondLimit', Fee: 0 })
    offsetMs = 31_000
    expect((await client().SendSms(request())).SendStatusSet![0]!.Code).toBe('Ok')
    expect(await emu.client.smsInbox('+8613800138000')).toHaveLength(2)
  })

  it.each([
    ['an unknown template', { TemplateId: '999' }, 'FailedOperation.TemplateIncorrectOrUnapproved'],
    ['an unapproved sign', { SignName: '别人的签名' }, 'FailedOperation.SignatureIncorrectOrUnapproved'],
    ['another SdkAppId', { SmsSdkAppId: '1400999999' }, 'InvalidParameterValue.SdkAppIdNotExist'],
    ['a parameter count the template does not have', { TemplateParamSet: ['123456'] }, 'FailedOperation.TemplateParamSetNotMatchApprovedTemplate'],
    ['more than 200 numbers', { PhoneNumberSet: Array.from({ length: 201 }, (_, i) => `+86138${String(i).padStart(8, '0')}`) }, 'LimitExceeded.PhoneNumberCountLimit'],
  ])('refuses %s with %s (3rd arg) and sends nothing', async (_what, over, code) => {
    expect(await codeOf(client().SendSms(request(over)))).toBe(code)
    expect(await emu.client.smsMessages()).toEqual([])
  })
})

describe('TC3-HMAC-SHA256', () => {
  it('refuses a request signed with the wrong key: AuthFailure.SignatureFailure', async () => {
    expect(await codeOf(client({ secretKey: 'wrong-key' }).SendSms(request()))).toBe('AuthFailure.SignatureFailure')
    expect(await emu.client.smsMessages()).toEqual([])
  })

  it('refuses an unknown SecretId: AuthFailure.SecretIdNotFound', async () => {
    expect(await codeOf(client({ secretId: 'AKIDnobody' }).SendSms(request()))).toBe('AuthFailure.SecretIdNotFound')
  })

  it('refuses a signature more than 5 minutes from the server clock: AuthFailure.SignatureExpire', async () => {
    offsetMs = 6 * 60_000
    expect(await codeOf(client().SendSms(request()))).toBe('AuthFailure.SignatureExpire')
  })

  it('refuses a body changed after signing (the payload hash is signed)', async () => {
    // A relay that rewrites the number: the real SDK signs, then the body is swapped in flight.
    const realFetch = globalThis.fetch
    const url = `${emu.url}${SMS_API_PATH}`
    const signed = await new Promise<{ headers: Record<string, string>; body: string }>((resolve, reject) => {
      const c = client()
      // Capture what the SDK sends by pointing it at a one-shot server first.
      const srv = createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (d: Buffer) => chunks.push(d))
        req.on('end', () => {
          resolve({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString() })
          res.end('{"Response":{"RequestId":"x","SendStatusSet":[]}}')
          srv.close()
        })
      })
      srv.listen(0, '127.0.0.1', () => {
        const port = (srv.address() as { port: number }).port
        ;(c as unknown as { endpoint: string }).endpoint = `127.0.0.1:${port}${SMS_API_PATH.slice(0, -1)}`
        c.SendSms(request()).catch(reject)
      })
    })
    const forged = signed.body.replace('13800138000', '13900139000')
    const { host: _host, 'content-length': _len, connection: _c, ...headers } = signed.headers
    const res = await realFetch(url, { method: 'POST', headers, body: forged })
    expect(((await res.json()) as { Response: { Error?: { Code: string } } }).Response.Error?.Code).toBe('AuthFailure.SignatureFailure')
    expect(await emu.client.smsMessages()).toEqual([])
  })
})

describe('/client/sms', () => {
  it('lists every text with numbers masked unless revealed', async () => {
    await client().SendSms(request())
    expect((await emu.client.smsMessages())[0]!.phone).toBe('+86138****8000')
    expect((await emu.client.smsMessages(true))[0]!.phone).toBe('+8613800138000')
  })

  it('injects a send failure, a lost text and a rate limit, and clears them', async () => {
    await emu.client.setSmsFaults({ sendFailure: true })
    expect((await client().SendSms(request())).SendStatusSet![0]!.Code).toBe('InternalError.OtherError')
    await emu.client.setSmsFaults({ sendFailure: false, lostInDelivery: true })
    expect((await client().SendSms(request({ PhoneNumberSet: ['+8613800138005'] }))).SendStatusSet![0]!.Code).toBe('Ok')
    expect(await emu.client.smsInbox('+8613800138005')).toEqual([])
    await emu.client.setSmsFaults({ lostInDelivery: false, rateLimit: true })
    expect((await client().SendSms(request({ PhoneNumberSet: ['+8613800138006'] }))).SendStatusSet![0]!.Code).toBe('LimitExceeded.PhoneNumberThirtySecondLimit')
    expect(await emu.client.setSmsFaults({ rateLimit: false })).toEqual({ sendFailure: false, lostInDelivery: false, rateLimit: false })
  })

  it('refuses unknown or mistyped fault fields (400) and a cross-site request (403)', async () => {
    await expect(emu.client.setSmsFaults({ rateLimit: 'yes' } as never)).rejects.toMatchObject({ status: 400 })
    await expect(emu.client.setSmsFaults({ everything: true } as never)).rejects.toMatchObject({ status: 400 })
    const res = await fetch(`${emu.url}/client/sms/faults`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{"rateLimit":true}' })
    expect(res.status).toBe(403)
    expect((await emu.client.smsFaults()).rateLimit).toBe(false)
  })
})
