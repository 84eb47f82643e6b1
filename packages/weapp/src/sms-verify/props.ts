/**
 * @module sms-verify/props — the component's properties and their defaults, defined once (the
 * README's table and the `@default` tags in type.ts are checked against this object).
 */
import type { PropertyOf } from '../phone-auth/props'
import type { SmsVerifyProps } from './type'

export const props: { [K in keyof SmsVerifyProps]: PropertyOf<SmsVerifyProps[K]> } = {
  phone: { type: String, value: '' },
  autoSubmit: { type: Boolean, value: true },
  debug: { type: Boolean, value: false },
  disabled: { type: Boolean, value: false },
}
