/**
 * @module server/sms/tencent — `SmsSender` over Tencent Cloud SMS, through its official Node
 * SDK (`tencentcloud-sdk-nodejs-sms`, API version 2021-01-11, action `SendSms`:
 * https://cloud.tencent.com/document/api/382/55981).
 *
 * A failure can come two ways, and both are mapped: the whole request fails (the SDK throws
 * `TencentCloudSDKHttpException` with `code`, e.g. `AuthFailure.SignatureFailure`), or it succeeds
 * and the number's entry in `SendStatusSet` carries a `Code` other than `Ok` (e.g.
 * `LimitExceeded.PhoneNumberThirtySecondLimit`). Codes: https://cloud.tencent.com/document/api/382/59177.
 * Nothing is retried here: a sent text costs money and its code is single-use; the caller decides.
 */
import { Client } from 'tencentcloud-sdk-nodejs-sms/tencentcloud/services/sms/v20210111/sms_client'
import type { SmsProviderConfig } from './config'
import type { SendFailureReason, SendOutcome, SmsMessage, SmsSender } from './sender'

/** Tencent Cloud codes that mean "this number, too often"; the rest of `LimitExceeded.*` are daily or app-wide. */
const RATE_LIMITED = new Set(['LimitExceeded.PhoneNumberThirtySecondLimit', 'LimitExceeded.PhoneNumberOneHourLimit', 'LimitExceeded.DeliveryFrequencyLimit'])

/** A Tencent Cloud error code in phonebind's words. */
export function reasonOf(code: string): SendFailureReason {
  if (RATE_LIMITED.has(code)) return 'rate-limited'
  if (code.startsWith('LimitExceeded.') && /Daily|Day/i.test(code)) return 'daily-limit'
  if (code === 'InvalidParameterValue.IncorrectPhoneNumber') return 'invalid-number'
  return 'failed'
}

export class TencentSmsSender implements SmsSender {
  private readonly client: Client

  constructor(private readonly config: SmsProviderConfig) {
    this.client = new Client({
      credential: { secretId: config.secretId, secretKey: config.secretKey },
      region: config.region,
      profile: { httpProfile: { endpoint: config.endpoint, protocol: config.protocol, reqTimeout: config.timeoutSeconds } },
    })
  }

  async send(message: SmsMessage): Promise<SendOutcome> {
    const params = this.config.templateParams.map((p) => (p === 'code' ? message.code : String(message.ttlMinutes)))
    try {
      const res = await this.client.SendSms({
        PhoneNumberSet: [message.e164],
        SmsSdkAppId: this.config.sdkAppId,
        TemplateId: this.config.templateId,
        SignName: this.config.signName,
        TemplateParamSet: params,
      })
      const status = res.SendStatusSet?.[0]
      if (status?.Code === 'Ok') return { ok: true, serialNo: status.SerialNo }
      const code = status?.Code ?? 'MissingSendStatus'
      return { ok: false, reason: reasonOf(code), providerCode: code }
    } catch (e) {
      // TencentCloudSDKHttpException: `code` from the API; none for a network failure.
      const code = (e as { code?: unknown }).code
      return { ok: false, reason: typeof code === 'string' && code !== '' ? reasonOf(code) : 'failed', providerCode: typeof code === 'string' && code !== '' ? code : 'NetworkError' }
    }
  }
}
