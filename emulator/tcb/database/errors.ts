/**
 * @module emulator/tcb/database/errors — store errors in CloudBase's error envelope.
 *
 * Names the SDK's TCB_ERR_CODE table lacks (DATABASE_DUPLICATE_WRITE,
 * DATABASE_TRANSACTION_CONFLICT) reach function code as -501001 plus the message, so each
 * message carries a stable marker (`E11000 duplicate key`, `transaction conflict`).
 */
import { StoreError } from '../../store'
import { TcbError } from '../../types'

export function toTcbError(err: unknown): TcbError {
  if (err instanceof TcbError) return err
  if (err instanceof StoreError) {
    switch (err.code) {
      case 'DUPLICATE_KEY':
        return new TcbError('DATABASE_DUPLICATE_WRITE', err.message)
      case 'TRANSACTION_CONFLICT':
        return new TcbError('DATABASE_TRANSACTION_CONFLICT', err.message)
      case 'TRANSACTION_NOT_FOUND':
        return new TcbError('DATABASE_REQUEST_FAILED', err.message)
      case 'INVALID_ARGUMENT':
        return new TcbError('INVALID_PARAM', err.message)
    }
  }
  // mingo rejects unknown operators and malformed expressions by throwing.
  return new TcbError('DATABASE_REQUEST_FAILED', `database request failed: ${(err as Error)?.message ?? String(err)}`)
}

export function collectionNotExist(c: string): TcbError {
  return new TcbError('DATABASE_COLLECTION_NOT_EXIST', `Db or Table not exist: ${c}`)
}
