import fc from 'fast-check'
import { CATALOG, ERROR_CODES } from './errors'
import {
  classifyPhoneButtonDetail,
  compareVersion,
  fromCallFunctionError,
  fromCloudSdkError,
  fromWeChatErrcode,
  isDuplicateWriteError,
  isTransactionConflictError,
  type PhoneButtonDetail,
  type WeChatApi,
} from './wechatCodes'
import { commitError, CONFLICT_CODE, CONFLICT_MESSAGE, DUPLICATE_CODE, DUPLICATE_DOC_TEXT, MONGO_DUPLICATE_MESSAGE, wxServerSdkError } from './testdata/cloudbaseErrors'

describe('fromWeChatErrcode', () => {
  it.each<[number, WeChatApi, string]>([
    [40029, 'getPhoneNumber', 'CODE_INVALID'],
    [40029, 'jscode2session', 'JS_CODE_INVALID'],
    [40163, 'jscode2session', 'JS_CODE_USED'],
    [40226, 'jscode2session', 'JS_CODE_BLOCKED'],
    [-1, 'getPhoneNumber', 'WECHAT_BUSY'],
    [-1, 'jscode2session', 'WECHAT_BUSY'],
    [45011, 'getPhoneNumber', 'RATE_LIMITED'],
    [45009, 'jscode2session', 'DAILY_QUOTA_REACHED'],
    [40013, 'getPhoneNumber', 'APPID_MISMATCH'],
    [40003, 'getPhoneNumber', 'CODE_INVALID'], // openid does not own the code (errcode guessed)
    [40013, 'jscode2session', 'APP_CREDENTIALS_INVALID'],
    [40125, 'jscode2session', 'APP_CREDENTIALS_INVALID'],
    [87009, 'cloud', 'LOGIN_REQUIRED'],
    [-41001, 'getOpenData', 'DECRYPT_ILLEGAL_SESSION_KEY'],
    [-41002, 'getOpenData', 'DECRYPT_ILLEGAL_IV'],
    [-41003, 'getOpenData', 'DECRYPT_ILLEGAL_BUFFER'],
    [-41004, 'getOpenData', 'DECRYPT_ILLEGAL_BUFFER'],
    [-604101, 'getPhoneNumber', 'API_PERMISSION_DENIED'],
    [-601004, 'cloud', 'API_PERMISSION_DENIED'],
    [-601005, 'getOpenData', 'CLOUDID_INVALID'],
    [-601006, 'getOpenData', 'CLOUDID_EXPIRED'],
    [-601007, 'getOpenData', 'CLOUDID_USER_MISMATCH'],
    [-601009, 'getOpenData', 'MISSING_PHONE'],
    [-601001, 'cloud', 'WECHAT_BUSY'],
    [-601003, 'cloud', 'NETWORK_ERROR'],
    [-604102, 'getPhoneNumber', 'WECHAT_BUSY'],
    [-501001, 'cloud', 'DATABASE_ERROR'],
    [-502005, 'cloud', 'DATABASE_ERROR'],
    [-501003, 'cloud', 'RATE_LIMITED'],
    [-501000, 'cloud', 'CLOUD_FUNCTION_NOT_FOUND'],
    [-501005, 'cloud', 'CLOUD_FUNCTION_NOT_FOUND'],
    [-504002, 'cloud', 'CLOUD_FUNCTION_FAILED'],
    [-503002, 'cloud', 'INTERNAL_ERROR'],
  ])('%i from %s → %s, keeping the original code', (errcode, api, code) => {
    const e = fromWeChatErrcode(errcode, api)
    expect(e.code).toBe(code)
    expect(e.wechatCode).toBe(errcode)
  })

  it('single-use code failures are retryable only with a fresh code; configuration errors are not retryable', () => {
    expect(fromWeChatErrcode(40029, 'getPhoneNumber').retryable).toBe(true)
    expect(fromWeChatErrcode(-604101, 'getPhoneNumber').retryable).toBe(false)
    expect(fromWeChatErrcode(40125, 'jscode2session').retryable).toBe(false)
    expect(fromWeChatErrcode(-502005, 'cloud').retryable).toBe(false) // collection missing
    expect(fromWeChatErrcode(-502001, 'cloud').retryable).toBe(true)
  })

  it('access-token errors are WECHAT_ERROR but retryable (the server refreshes the token)', () => {
    for (const c of [40001, 40014, 42001, 41001]) expect(fromWeChatErrcode(c, 'getPhoneNumber')).toMatchObject({ code: 'WECHAT_ERROR', retryable: true, wechatCode: c })
  })

  it('env / auth permission codes -601010..-601017 are non-retryable WECHAT_ERROR', () => {
    expect(fromWeChatErrcode(-601012, 'cloud')).toMatchObject({ code: 'WECHAT_ERROR', retryable: false, wechatCode: -601012 })
  })

  it('unknown codes become WECHAT_ERROR with the code kept; negative ones are retryable', () => {
    expect(fromWeChatErrcode(48001, 'getPhoneNumber')).toMatchObject({ code: 'WECHAT_ERROR', wechatCode: 48001, retryable: false })
    expect(fromWeChatErrcode(-999999, 'cloud')).toMatchObject({ code: 'WECHAT_ERROR', wechatCode: -999999, retryable: true })
  })

  it('always returns a catalog code with its messages', () => {
    const apis: WeChatApi[] = ['jscode2session', 'getPhoneNumber', 'getOpenData', 'cloud']
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(...apis), (n, api) => {
        const e = fromWeChatErrcode(n, api)
        expect(ERROR_CODES).toContain(e.code)
        expect(e.message).toBe(CATALOG[e.code].zh)
      }),
    )
  })
})

describe('fromCloudSdkError', () => {
  it('reads errCode from a thrown wx-server-sdk error', () => {
    const err = Object.assign(new Error('x'), { errCode: 40029, errMsg: 'openapi.phonenumber.getPhoneNumber:fail invalid code' })
    expect(fromCloudSdkError(err, 'getPhoneNumber')).toMatchObject({ code: 'CODE_INVALID', wechatCode: 40029 })
    expect(fromCloudSdkError({ errCode: -604101, errMsg: 'system error: error code: -604101' }, 'getPhoneNumber').code).toBe('API_PERMISSION_DENIED')
    expect(fromCloudSdkError({ errCode: -601006, errMsg: 'system error: error code: -601006' }, 'getOpenData').code).toBe('CLOUDID_EXPIRED')
  })

  it('accepts a stringified errCode, or only the code inside errMsg', () => {
    expect(fromCloudSdkError({ errCode: '-604101', errMsg: 'x' }, 'getPhoneNumber')).toMatchObject({ code: 'API_PERMISSION_DENIED', wechatCode: -604101 })
    expect(fromCloudSdkError(new Error('system error: error code: -601007'), 'getOpenData')).toMatchObject({ code: 'CLOUDID_USER_MISMATCH', wechatCode: -601007 })
  })

  it('errCode -1 from the database or callFunction is not "WeChat busy"', () => {
    expect(fromCloudSdkError({ errCode: -1, errMsg: 'document.get:fail document with _id x does not exist' }, 'cloud').code).toBe('DATABASE_ERROR')
    expect(fromCloudSdkError({ errCode: -1, errMsg: 'callFunction:fail boom' }, 'cloud').code).toBe('CLOUD_FUNCTION_FAILED')
  })

  it('svrkit errors keep their code; network errors and anything else are typed too', () => {
    expect(fromCloudSdkError(new Error('internal svrkit error, code -80001'), 'getOpenData')).toMatchObject({ code: 'WECHAT_ERROR', wechatCode: -80001, retryable: true })
    expect(fromCloudSdkError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'cloud').code).toBe('NETWORK_ERROR')
    expect(fromCloudSdkError(new Error('internal svrkit error, empty openData json field for x'), 'getOpenData').code).toBe('INTERNAL_ERROR')
    for (const weird of [undefined, null, 42, 'text', {}, Symbol('s')]) expect(fromCloudSdkError(weird, 'cloud').code).toBe('INTERNAL_ERROR')
    const hostile = { get errCode(): number { throw new Error('getter') } }
    expect(fromCloudSdkError(hostile, 'cloud').code).toBe('INTERNAL_ERROR')
  })

  it('recognises duplicate-key and transaction-conflict messages', () => {
    expect(isDuplicateWriteError({ errCode: -501001, errMsg: 'collection.add:fail -501001 resource system error. E11000 duplicate key error index: _id_' })).toBe(true)
    expect(isDuplicateWriteError(new Error('DATABASE_DUPLICATE_WRITE'))).toBe(true)
    expect(isDuplicateWriteError({ errCode: -501001, errMsg: 'collection.add:fail -501001 resource system error.' })).toBe(false)
    expect(isTransactionConflictError({ errMsg: 'DATABASE_TRANSACTION_CONFLICT' })).toBe(true)
    expect(isTransactionConflictError(null)).toBe(false)
    expect(isTransactionConflictError(Object.assign(new Error('commit failed'), { code: 'DATABASE_TRANSACTION_CONFLICT' }))).toBe(true)
    expect(isDuplicateWriteError({ errMsg: '', message: 'E11000 duplicate key error' })).toBe(true)
  })

  // The real platform's texts (sources in ./testdata/cloudbaseErrors.ts), not the emulator's.
  it('recognises the real CloudBase conflict text as wx-server-sdk delivers it (errCode -501001 + message only)', () => {
    for (const api of ['document.update', 'document.set', 'document.get', 'collection.add']) {
      const e = wxServerSdkError(api, CONFLICT_MESSAGE)
      expect(e.errMsg).toBe(`${api}:fail -501001 resource system error. ${CONFLICT_MESSAGE}`)
      expect(isTransactionConflictError(e)).toBe(true)
      expect(isDuplicateWriteError(e)).toBe(false)
    }
    // A commit rejects with the server's answer unwrapped: code name and message.
    expect(isTransactionConflictError(commitError(CONFLICT_CODE, CONFLICT_MESSAGE))).toBe(true)
    expect(isTransactionConflictError({ message: CONFLICT_MESSAGE })).toBe(true)
  })

  it('recognises the documented DATABASE_DUPLICATE_WRITE forms', () => {
    expect(isDuplicateWriteError(wxServerSdkError('collection.add', DUPLICATE_DOC_TEXT))).toBe(true)
    expect(isDuplicateWriteError(wxServerSdkError('collection.add', MONGO_DUPLICATE_MESSAGE, -502001))).toBe(true)
    expect(isDuplicateWriteError(commitError(DUPLICATE_CODE, 'x'))).toBe(true)
    expect(isTransactionConflictError(wxServerSdkError('collection.add', DUPLICATE_DOC_TEXT))).toBe(false)
  })

  it('does not read other -501001 failures as conflicts or duplicates', () => {
    for (const text of [
      '[ResourceUnavailable.TransactionNotExist] Transaction does not exist on the server, transaction must be commit or abort in 30 seconds. Please check your request, but if the problem persists, contact us.',
      '[ResourceNotFound] Db or Table not exist. Please check your request, but if the problem persists, contact us.',
      '',
    ]) {
      const e = wxServerSdkError('document.update', text)
      expect([text, isTransactionConflictError(e), isDuplicateWriteError(e)]).toEqual([text, false, false])
    }
  })
})

describe('classifyPhoneButtonDetail (reference §5 recipe)', () => {
  it('success: prefers code over cloudID over encryptedData+iv', () => {
    expect(classifyPhoneButtonDetail({ errMsg: 'getPhoneNumber:ok', code: 'C', cloudID: 'ID', encryptedData: 'E', iv: 'I' })).toEqual({ kind: 'code', code: 'C' })
    expect(classifyPhoneButtonDetail({ errMsg: 'getPhoneNumber:ok', cloudID: 'ID', encryptedData: 'E', iv: 'I' })).toEqual({ kind: 'cloudID', cloudID: 'ID' })
    expect(classifyPhoneButtonDetail({ errMsg: 'getPhoneNumber:ok', encryptedData: 'E', iv: 'I' })).toEqual({ kind: 'legacy', encryptedData: 'E', iv: 'I' })
    expect(classifyPhoneButtonDetail({ errMsg: 'getRealtimePhoneNumber:ok', code: 'C' })).toEqual({ kind: 'code', code: 'C' })
  })

  it('an ok event with nothing usable is a retryable failure', () => {
    expect(classifyPhoneButtonDetail({ errMsg: 'getPhoneNumber:ok', code: '' })).toMatchObject({ kind: 'failed', error: { code: 'WECHAT_ERROR', retryable: true } })
  })

  it.each<[PhoneButtonDetail, string, string]>([
    [{ errMsg: 'getPhoneNumber:fail', errno: 1400001 }, 'failed', 'QUOTA_EXHAUSTED'],
    [{ errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 }, 'denied', 'PRIVACY_NOT_AUTHORIZED'],
    [{ errMsg: 'getPhoneNumber:fail', errno: 103 }, 'denied', 'PRIVACY_NOT_AUTHORIZED'],
    [{ errMsg: 'getPhoneNumber:fail api scope is not declared in the privacy agreement', errno: 112 }, 'failed', 'PRIVACY_NOT_DECLARED'],
    [{ errMsg: 'getPhoneNumber:fail user deny' }, 'denied', 'USER_DENIED'],
    [{ errMsg: 'getPhoneNumber:fail:user deny' }, 'denied', 'USER_DENIED'],
    [{ errMsg: 'getPhoneNumber:user deny' }, 'denied', 'USER_DENIED'],
    [{ errMsg: 'getPhoneNumber:fail:user cancel' }, 'denied', 'USER_DENIED'],
    [{ errMsg: 'getPhoneNumber:fail:cancel to bind phone' }, 'denied', 'USER_DENIED'],
    [{ errMsg: 'getPhoneNumber:fail auth deny' }, 'denied', 'USER_DENIED'],
    [{ errMsg: 'getPhoneNumber:fail no permission' }, 'failed', 'APP_NOT_ELIGIBLE'],
    [{ errMsg: 'getPhoneNumber:fail 该 appid 没有权限' }, 'failed', 'APP_NOT_ELIGIBLE'],
    [{ errMsg: 'getPhoneNumber:fail 用户绑定的手机需要进行验证，请在客户端完成短信验证步骤' }, 'failed', 'PHONE_NEEDS_SMS_VERIFICATION'],
    [{ errMsg: 'getPhoneNumber:fail api not supported' }, 'failed', 'NOT_SUPPORTED'],
    [{ errMsg: 'sendOpenReq:fail:no openid', errno: 10100005 }, 'failed', 'NOT_SUPPORTED'],
    [{ errMsg: 'getPhoneNumber:fail something new', errno: 777 }, 'failed', 'WECHAT_ERROR'],
  ])('%j → %s %s', (detail, kind, code) => {
    const out = classifyPhoneButtonDetail(detail)
    expect(out.kind).toBe(kind)
    if (out.kind === 'denied' || out.kind === 'failed') {
      expect(out.error.code).toBe(code)
      if (detail.errno !== undefined) expect(out.error.wechatCode).toBe(detail.errno)
    }
  })

  it('never throws, whatever the event carries', () => {
    fc.assert(
      fc.property(fc.anything(), (detail) => {
        const out = classifyPhoneButtonDetail(detail as never)
        expect(['code', 'cloudID', 'legacy', 'denied', 'failed']).toContain(out.kind)
      }),
    )
  })
})

describe('fromCallFunctionError', () => {
  const wrap = (inner: string) =>
    Object.assign(new Error('x'), { errCode: -404011, errMsg: `cloud.callFunction:fail requestID 7e3f, cloud function service error code ${inner}` })

  it('-404011 wrapping -501000 "FunctionName parameter could not be found" → CLOUD_FUNCTION_NOT_FOUND', () => {
    expect(fromCallFunctionError(wrap('-501000, error message FunctionName parameter could not be found.'))).toMatchObject({ code: 'CLOUD_FUNCTION_NOT_FOUND', wechatCode: -501000 })
  })

  it('-404011 wrapping -504002 (the function threw) → CLOUD_FUNCTION_FAILED', () => {
    expect(fromCallFunctionError(wrap('-504002, error message Error: boom'))).toMatchObject({ code: 'CLOUD_FUNCTION_FAILED', wechatCode: -504002, retryable: true })
  })

  it('-501005 environment not found → CLOUD_FUNCTION_NOT_FOUND', () => {
    expect(fromCallFunctionError(wrap('-501005, error message Environment not found')).code).toBe('CLOUD_FUNCTION_NOT_FOUND')
    expect(fromCallFunctionError({ errCode: -501005, errMsg: 'cloud.callFunction:fail env invalid' }).code).toBe('CLOUD_FUNCTION_NOT_FOUND')
  })

  it('"please call init first" → CLOUD_NOT_INITIALIZED', () => {
    expect(fromCallFunctionError(new Error("Cloud API isn't enabled, please call init first")).code).toBe('CLOUD_NOT_INITIALIZED')
  })

  it('network-ish failures → NETWORK_ERROR', () => {
    expect(fromCallFunctionError({ errCode: -1, errMsg: 'cloud.callFunction:fail request:fail timeout' }).code).toBe('NETWORK_ERROR')
    expect(fromCallFunctionError({ errMsg: 'cloud.callFunction:fail network error' }).code).toBe('NETWORK_ERROR')
    expect(fromCallFunctionError({ errCode: -404003, errMsg: 'cloud.callFunction:fail polling' }).code).toBe('NETWORK_ERROR')
  })

  it('openapi codes seen by the client map like server codes; anything else is CLOUD_FUNCTION_FAILED', () => {
    expect(fromCallFunctionError({ errCode: -604101, errMsg: 'x' }).code).toBe('API_PERMISSION_DENIED')
    expect(fromCallFunctionError({ errCode: -404011, errMsg: 'cloud.callFunction:fail' }).code).toBe('CLOUD_FUNCTION_FAILED')
    for (const weird of [undefined, null, 1, 'boom', {}]) expect(fromCallFunctionError(weird).code).toBe('CLOUD_FUNCTION_FAILED')
  })
})

describe('compareVersion', () => {
  it('compares numerically, part by part', () => {
    expect(compareVersion('2.29.1', '2.3.0')).toBe(1)
    expect(compareVersion('2.21.2', '2.21.2')).toBe(0)
    expect(compareVersion('2.21', '2.21.0')).toBe(0)
    expect(compareVersion('2.8.0', '2.21.2')).toBe(-1)
    expect(compareVersion('3.0.1', '2.99.99')).toBe(1)
    expect(compareVersion('', '0')).toBe(0)
    expect(compareVersion('x.y', '1')).toBe(-1)
  })
})
