/**
 * @module emulator/tcb/database/transactions — start/commit/abort (reference §9).
 *
 * `startTransaction` answers with a top-level `transactionId` (not under `data`). Abort is
 * idempotent: runTransaction sends it after any failure, including after a conflict that has
 * already ended the transaction.
 */
import { StoreError } from '../../store'
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
      try {
        db.store.transaction(idOf(body)).abort()
      } catch (err) {
        if (!(err instanceof StoreError && err.code === 'TRANSACTION_NOT_FOUND')) throw err
      }
      return ok()
    }),
  }
}
