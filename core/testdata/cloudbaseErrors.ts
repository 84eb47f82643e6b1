/**
 * @module core/testdata/cloudbaseErrors — what the REAL CloudBase answers a conflicting or
 * duplicate write with, and how wx-server-sdk hands it to function code. Tests of phonebind's
 * own error recognition use these, never the emulator's wording.
 *
 * Sources:
 * - CONFLICT_MESSAGE: Tencent's node-sdk, test/database/unit/transaction.test.ts (run against a
 *   real CloudBase environment), "rollback within runTransaction" and "读偏": code
 *   `DATABASE_TRANSACTION_CONFLICT` with exactly this message. docs.cloudbase.net/error-code/
 *   DATABASE_TRANSACTION_CONFLICT ("数据库事务间冲突,多个事务同时操作相同数据导致冲突").
 * - DUPLICATE_DOC_TEXT: docs.cloudbase.net/en/error-code/DATABASE_DUPLICATE_WRITE, "Error Cause":
 *   the documented description of code `DATABASE_DUPLICATE_WRITE`. The server's own message for it
 *   is not documented; CloudBase's NoSQL store is MongoDB, whose duplicate-key text is
 *   MONGO_DUPLICATE_MESSAGE (MongoDB error 11000, `E11000 duplicate key error …`).
 * - The wrapping: wx-server-sdk 4.0.2 `src/utils/error.ts` `toSDKError` and
 *   `src/api/cloud/provider/tcb/config/error.config.ts` `TCB_ERR_CODE`: a code name missing from
 *   that table becomes errCode -501001 (SYS_ERR), described as 'resource system error'.
 */

export const CONFLICT_CODE = 'DATABASE_TRANSACTION_CONFLICT'
export const CONFLICT_MESSAGE =
  '[ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated by others. Please check your request, but if the problem persists, contact us.'

export const DUPLICATE_CODE = 'DATABASE_DUPLICATE_WRITE'
export const DUPLICATE_DOC_TEXT = 'Database write failed, index key duplicate, for example inserting data with same _id.'
export const MONGO_DUPLICATE_MESSAGE = 'E11000 duplicate key error collection: tcb.phone_index index: _id_ dup key: { _id: "h" }'

/** What wx-server-sdk's `toSDKError` throws for a server answer `{code, message}` that its
 * TCB_ERR_CODE table lacks: an Error with `errCode` -501001 and `errMsg` = its message. */
export function wxServerSdkError(apiName: string, message: string, errCode = -501001): Error & { errCode: number; errMsg: string } {
  const described = errCode === -501001 ? 'resource system error' : errCode === -502001 ? 'database request fail' : ''
  const err = new Error(`${apiName}:fail ${errCode} ${described}. ${message}`) as Error & { errCode: number; errMsg: string }
  err.errCode = errCode
  err.errMsg = err.message + ''
  return err
}

/** What a transaction COMMIT rejects with: `@cloudbase/database`'s `throw res`, unwrapped. */
export function commitError(code: string, message: string): { code: string; message: string; requestId: string } {
  return { code, message, requestId: 'req-commit' }
}
