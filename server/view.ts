/**
 * @module server/view — a stored `users` row's phone as the client may see it.
 */
import { toPhoneView, type BoundPhone } from '../core/binding'
import type { PhoneView } from '../core/contracts'

function isBoundPhone(v: unknown): v is BoundPhone {
  const p = v as Partial<BoundPhone> | null | undefined
  return !!p && typeof p === 'object' && typeof p.e164 === 'string' && typeof p.masked === 'string' && typeof p.countryCode === 'string'
}

/** `null` when the row is missing or has no number bound. */
export function phoneViewOf(user: { phone?: unknown } | null | undefined, revealFull: boolean): PhoneView | null {
  const phone = user?.phone
  return isBoundPhone(phone) ? toPhoneView(phone, { revealFull }) : null
}
