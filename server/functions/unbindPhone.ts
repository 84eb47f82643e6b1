/**
 * @module server/functions/unbindPhone — releases the caller's number. Idempotent: a user with
 * no number (or no row at all) gets `{released: false}`, never an error.
 */
import type { Result, UnbindData } from '../../core/contracts'
import { parseUnbindPhoneRequest } from '../../core/validate'
import { unbindForCaller } from '../bind'
import type { Invocation } from '../handler'

export async function unbindPhone(event: unknown, inv: Invocation): Promise<Result<UnbindData>> {
  const req = parseUnbindPhoneRequest(event)
  if (!req.ok) return req
  return unbindForCaller(inv)
}
