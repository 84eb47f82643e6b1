/**
 * @module emulator/tcb/database/errors — store errors in CloudBase's error envelope.
 *
 * Names the SDK's TCB_ERR_CODE table lacks (DATABASE_DUPLICATE_WRITE,
 * DATABASE_TRANSACTION_CONFLICT, DATABASE_TRANSACTION_FAIL) reach function code as -501001 plus
 * the message, so the message is all function code can match on: the transaction texts are the
 * real backend's, word for word (Tencent's node-sdk test/database/unit/transaction.test.ts
 * "读偏" and "事务提交后, 不能进行其它操作"), and a duplicate carries `E11000 duplicate key`.
 */
import { StoreError } from '../../store'
import { TcbError } from '../../types'

export const TRANSACTION_CONFLICT_MESSAGE =
  '[ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated by others. Please check your request, but if the problem persists, contact us.'

export const TRANSACTION_NOT_EXIST_MESSAGE =
  '[ResourceUnavailable.TransactionNotExist] Transaction does not exist on the server, transaction must be commit or abort in 30 seconds. Please check your request, but if the problem persists, contact us.'

export function toTcbError(err: unknown): TcbError {
  if (err instanceof TcbError) return err
  if (err instanceof StoreError) {
    switch (err.code) {
      case 'DUPLICATE_KEY':
        return new TcbError('DATABASE_DUPLICATE_WRITE', err.message)
      case 'TRANSACTION_CONFLICT':
        return new TcbError('DATABASE_TRANSACTION_CONFLICT', TRANSACTION_CONFLICT_MESSAGE)
      case 'TRANSACTION_NOT_FOUND':
        return new TcbError('DATABASE_TRANSACTION_FAIL', TRANSACTION_NOT_EXIST_MESSAGE)
      case 'INVALID_ARGUMENT':
        return new TcbError('INVALID_PARAM', err.message)
    }
  }
  // mingo rejects unknown operators and malformed expressions by throwing.
  return new TcbError('DATABASE_REQUEST_FAILED', `database request failed: ${(err as Error)?.message ?? String(err)}`)
}

/**
 * The backend's text as users saw it through wx-server-sdk (github.com/Voyzz/Fruit-store-mp
 * issue 8, 2019; Hppppppf/miniprogram-STITP issue 2, 2021: "errCode: -502005 database
 * collection not exists | errMsg: [ResourceNotFound] Db or Table not exist. …"). It does not
 * name the collection, so neither does this.
 */
export const COLLECTION_NOT_EXIST_MESSAGE =
  '[ResourceNotFound] Db or Table not exist. Please check your request, but if the problem cannot be solved, contact us.'

export function collectionNotExist(): TcbError {
  return new TcbError('DATABASE_COLLECTION_NOT_EXIST', COLLECTION_NOT_EXIST_MESSAGE)
}
