/**
 * @module emulator/tcb/database/transactions — start/commit/abort (reference §9).
 *
 * `startTransaction` answers with a top-level `transactionId` (not under `data`). A finished,
 * expired or unknown id fails every call, abort included, with DATABASE_TRANSACTION_FAIL
 * (node-sdk test/database/unit/transaction.test.ts "事务提交后, 不能进行其它操作"; its
 * "rollback within runTransaction" notes that the fallback rollback after a write conflict,
 * which MongoDB has already rolled back, fails too). runTransaction ignores that failure.
 */
import { TcbError, type ActionTable, type AdminBody } from '../../types'
import { handler, ok, type DatabaseContext } from './context'

export function transactionActions(db: DatabaseContext): ActionTable {
  const idOf = (body: AdminBody) => {
    if (typeof body.transactionId !== 'string' || !body.transactionId) throw new TcbError('INVALID_PARAM', 'transactionId is required')
    return body.transactionId
  }
  return {
    'database.startTransaction': handler(() => ok({ transactionId: db.store.beginTransaction().id })),

    'database.commitTransaction': handler(async (body) => {
      await db.store.transaction(idOf(body)).commit()
      return ok()
    }),

    'database.abortTransaction': handler((body) => {
      db.store.transaction(idOf(body)).abort()
      return ok()
    }),
  }
}
