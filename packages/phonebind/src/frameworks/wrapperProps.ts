/**
 * @module phonebind/frameworks/wrapperProps — the properties a framework wrapper (uni-app's Vue
 * wrapper, Taro's React wrapper) forwards to phone-auth: every one the component declares, read
 * from the component's own table (packages/weapp/src/phone-auth/props.ts), so a property added
 * there reaches uni-app and Taro pages without a second list to keep in step. The wrappers give
 * each its component default when the page leaves it unset: a framework hands an unset prop over
 * as `undefined`, which would replace the component's default rather than keep it.
 */
import { props } from '../../../weapp/src/phone-auth/props'

export interface WrapperProp {
  /** The component's property name (camelCase), as a Vue prop and a React prop. */
  name: string
  /** The TypeScript type a page may pass. */
  type: 'boolean' | 'string' | 'number'
  /** The component's default, as a JavaScript literal. */
  literal: string
}

const TYPE_NAMES = new Map<unknown, WrapperProp['type']>([[Boolean, 'boolean'], [String, 'string'], [Number, 'number']])

export const WRAPPER_PROPS: readonly WrapperProp[] = Object.entries(props).map(([name, p]) => {
  const type = TYPE_NAMES.get(p.type)
  if (!type) throw new Error(`phone-auth property ${name}: no wrapper type for it`)
  // JSON is a JavaScript literal for these values; single quotes match the wrappers' style.
  const literal = typeof p.value === 'string' ? `'${p.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(p.value)
  return { name, type, literal }
})
