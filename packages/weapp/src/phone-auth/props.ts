/**
 * @module phone-auth/props — the component's properties and their defaults, defined once: the
 * component passes this object as `properties`, its shape is checked against `PhoneAuthProps`,
 * and a test holds the README's Props table and the `@default` tags in type.ts to it.
 */
import type { PhoneAuthProps } from './type'

/** A WeChat property declaration for a value of type T (Boolean, String or Number). */
export type PropertyOf<T> = T extends boolean
  ? { type: BooleanConstructor; value: boolean }
  : T extends string
    ? { type: StringConstructor; value: string }
    : T extends number
      ? { type: NumberConstructor; value: number }
      : never

export const props: { [K in keyof PhoneAuthProps]: PropertyOf<PhoneAuthProps[K]> } = {
  realtime: { type: Boolean, value: false },
  text: { type: String, value: '手机号快捷验证 / Verify with WeChat phone' },
  buttonLabel: { type: String, value: '使用微信手机号 / Use WeChat phone number' },
  // Off by default: the legacy path needs the AppSecret on `login`, and hints are for developers.
  legacy: { type: Boolean, value: false },
  debug: { type: Boolean, value: false },
  disabled: { type: Boolean, value: false },
  privacyMode: { type: String, value: 'auto' },
  // Cost guard: a bound user sees no paid button unless the page is changing the number.
  changeNumber: { type: Boolean, value: false },
  cooldownAfter: { type: Number, value: 3 },
  cooldownWindow: { type: Number, value: 600 },
  cooldownSeconds: { type: Number, value: 300 },
  // On: when the button cannot be used, a way on that does not force it (issue 15).
  smsFallback: { type: Boolean, value: true },
}
