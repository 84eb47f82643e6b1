/**
 * @module server/failures — recognising CloudBase errors that wx-server-sdk has flattened.
 *
 * Through wx-server-sdk a TCB error loses its `code` name: a duplicate `_id` and a transaction
 * conflict both arrive as errCode -501001 with only the server's message text (wire §7, §9),
 * e.g. `document.update:fail -501001 resource system error. [ResourceUnavailable.TransactionConflict]
 * Transaction is conflict, maybe resource operated by others. …` on the real platform. core
 * recognises them by message (the real texts and their sources: core/wechatCodes.ts); errors
 * thrown by a transaction COMMIT are not wrapped by wx-server-sdk and may carry the name in
 * `code` instead, so that is checked too.
 */
import type { ErrorInfo } from '../core/contracts'
import { fail } from '../core/errors'
import { fromCloudSdkError, isDuplicateWriteError, isTransactionConflictError } from '../core/wechatCodes'

function codeName(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : ''
}

/** A unique-key violation: the `_id` (or a unique index) already exists. */
export function isDuplicateKey(e: unknown): boolean {
  return isDuplicateWriteError(e) || /DUPLICATE_(WRITE|KEY)/.test(codeName(e))
}

/** Another write changed what this transaction read; safe to run the transaction again. */
export function isTransactionConflict(e: unknown): boolean {
  return isTransactionConflictError(e) || /TRANSACTION_CONFLICT/.test(codeName(e))
}

/** Any thrown value as a client-facing failure; never carries the original message. */
export function failureFromThrown(e: unknown): { ok: false; error: ErrorInfo } {
  if (isTransactionConflict(e) || isDuplicateKey(e)) return fail('BINDING_CONFLICT')
  return { ok: false, error: fromCloudSdkError(e) }
}
