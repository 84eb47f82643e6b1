/**
 * @module services/knownPhone — what this launch knows about the user's binding, so `phone-auth`
 * shows no phone button to a user who is already bound (each successful tap is paid for).
 *
 * The functions' answers are the only source: `login` (the session) and the binding functions
 * report the bound number (masked), `unbindPhone` reports none. `services/cloud` feeds every
 * successful answer here; nothing is stored beyond the launch.
 */
import type { PhoneView } from '../../../../core/contracts'

/** undefined = not known yet (no answer so far this launch). */
let known: PhoneView | null | undefined
const listeners = new Set<(phone: PhoneView | null) => void>()

export function knownPhone(): PhoneView | null | undefined {
  return known
}

/** Watches changes; returns the function that stops watching (call it on detach). */
export function watchKnownPhone(listener: (phone: PhoneView | null) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

function isPhoneView(value: unknown): value is PhoneView {
  return !!value && typeof (value as PhoneView).masked === 'string'
}

/** Learns from a successful function answer: `phone` present → bound, `phone: null` or unbindPhone → unbound. */
export function noteFunctionAnswer(name: string, data: unknown): void {
  let next: PhoneView | null | undefined
  if (name === 'unbindPhone') next = null
  else if (data && typeof data === 'object' && 'phone' in data) {
    const phone = (data as { phone: unknown }).phone
    next = isPhoneView(phone) ? phone : phone === null ? null : undefined
  }
  if (next === undefined) return
  known = next
  listeners.forEach((l) => l(next as PhoneView | null))
}

/** For tests (and resetSession): forget. */
export function resetKnownPhone(): void {
  known = undefined
}
