/**
 * Every catalog code is reachable: produced by some core mapping, or explicitly one that only
 * the server decides. A new code without a producer fails here.
 */
import { mergeAccounts } from './accounts'
import { bindPhone, TransactionConflictError, type BindingStore } from './binding'
import { clientDecryptFailure, decryptOpenData, encryptOpenData } from './crypto'
import { ERROR_CODES, type ErrorCode } from './errors'
import { MemoryBindingStore } from './memoryStore'
import { normalisePhone } from './phone'
import { P1, V1 } from './testdata/vectors'
import { parseLoginRequest } from './validate'
import { classifyPhoneButtonDetail, fromCallFunctionError, fromCloudSdkError, fromWeChatErrcode, type WeChatApi } from './wechatCodes'

/** Decided by the cloud functions, not by a mapping (identity, configuration, signatures). */
const SERVER_DECIDED: ErrorCode[] = ['UNAUTHENTICATED', 'LEGACY_NOT_CONFIGURED', 'SIGNATURE_MISMATCH', 'ACCESS_TOKEN_UNAVAILABLE', 'QUOTA_ADMIN_ONLY', 'QUOTA_NOT_CONFIGURED']
/** Decided by the phone-auth component itself (its cost guard), tested in test/miniprogram/phoneAuthCostGuard.test.ts. */
const COMPONENT_DECIDED: ErrorCode[] = ['PHONE_TAP_COOLDOWN']
// Accounts (server/accounts.ts): who may call, and whether the deployment has unionid accounts.
SERVER_DECIDED.push('ACCOUNT_MERGE_UNAVAILABLE')
// The SMS fallback (server/functions/{send,verify}SmsCode.ts): test/functions/smsFallback.test.ts produces each.
SERVER_DECIDED.push('SMS_NOT_CONFIGURED', 'SMS_RATE_LIMITED', 'SMS_DAILY_LIMIT', 'SMS_SEND_FAILED', 'SMS_CODE_INVALID', 'SMS_TOO_MANY_ATTEMPTS')
/** Codes the core functions themselves return, each produced here for real. */
async function coreProduced(): Promise<ErrorCode[]> {
  const out: ErrorCode[] = []
  const add = (r: { ok: boolean; error?: { code: ErrorCode } }) => r.error && out.push(r.error.code)
  const k = V1.sessionKey
  add(parseLoginRequest(null))
  add(normalisePhone(null))
  for (const patch of [{ sessionKey: 'x' }, { iv: 'x' }, { encryptedData: 'x' }, { encryptedData: V1.encryptedData.replace(/[+]/g, ' ') }, { sessionKey: P1.sessionKey }, { appid: 'wxother' }]) add(decryptOpenData({ ...V1, ...patch }))
  add(decryptOpenData({ ...V1, encryptedData: encryptOpenData({ sessionKey: k, iv: V1.iv, data: 'not json' }) }))
  add(decryptOpenData({ ...V1, maxAgeSeconds: 1, now: 0 }))
  const mismatch = decryptOpenData({ ...V1, sessionKey: 'HyVFkGl5F5OQWJZZaNzBBg==' })
  if (!mismatch.ok) out.push(clientDecryptFailure(mismatch.error).code)
  const store = new MemoryBindingStore()
  const phone = normalisePhone({ purePhoneNumber: '13800138000', countryCode: '86' })
  if (!phone.ok) throw new Error('x')
  const bind = (openid: string, s: BindingStore = store) => bindPhone(s, { openid, appid: 'wx', phone: phone.data, source: 'code', now: new Date(0) })
  await bind('a')
  add(await bind('b'))
  add(await bind('c', { runTransaction: async () => { throw new TransactionConflictError() } }))
  add(await mergeAccounts(store, { from: 'a', unionid: 'someone-else', now: new Date(0) })) // 'a' has no stored unionid
  return out
}

it('every catalog code has a producer', async () => {
  const produced = new Set<ErrorCode>([...SERVER_DECIDED, ...COMPONENT_DECIDED, ...(await coreProduced())])
  const apis: WeChatApi[] = ['jscode2session', 'getPhoneNumber', 'getOpenData', 'cloud']
  const codes = [-1, 0, 40001, 40013, 40029, 40125, 40163, 40226, 45009, 45011, 87009, -41001, -41002, -41003, -41004]
  for (let c = -601017; c <= -601001; c++) codes.push(c)
  codes.push(-602001, -604001, -604100, -604101, -604102, -604103, -604104, -501000, -501001, -501003, -501005, -502005, -503001, -504002)
  for (const api of apis) for (const c of codes) produced.add(fromWeChatErrcode(c, api).code)
  produced.add(fromCloudSdkError(new Error('socket hang up')).code)
  produced.add(fromCloudSdkError(undefined).code)
  for (const errMsg of ['x:fail user deny', 'x:fail no permission', 'x:fail 需要进行验证', 'x:fail api not supported', 'x:fail privacy permission is not authorized', 'x:fail api scope is not declared in the privacy agreement', 'x:fail']) {
    const out = classifyPhoneButtonDetail({ errMsg, errno: errMsg === 'x:fail' ? 1400001 : undefined })
    if (out.kind === 'denied' || out.kind === 'failed') produced.add(out.error.code)
  }
  for (const err of [new Error('please call init first'), { errCode: -501000 }, { errCode: -504002 }, { errMsg: 'network' }]) produced.add(fromCallFunctionError(err).code)
  expect([...ERROR_CODES].filter((c) => !produced.has(c))).toEqual([])
})
