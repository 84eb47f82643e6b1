/**
 * @module phonebind/frameworks/taroWrapper — the text of the React wrapper `phonebind init` writes
 * into a Taro project (`src/components/phone-auth/index.tsx`). One place for it: init writes it,
 * the README quotes its use, the Taro test builds it with the real Taro CLI.
 */
import { MARK } from '../owned'
import { WRAPPER_PROPS } from './wrapperProps'

/** The tag name the page registers in `usingComponents` and the wrapper renders. */
export const TARO_TAG = 'phone-auth'
/** Where the copied component lives in the build output, and so its usingComponents path. */
export const TARO_COMPONENT_DIR = 'phonebind-weapp'
export const TARO_USING_PATH = `/${TARO_COMPONENT_DIR}/phone-auth/index`

export function taroWrapper(version: string): string {
  const declared = WRAPPER_PROPS.map((p) => `        ${p.name}?: ${p.type}\n`).join('')
  const accepted = WRAPPER_PROPS.map((p) => `  ${p.name}?: ${p.type}\n`).join('')
  // Each written out, with the component's default: Taro binds only what it saw on the tag, and
  // an unset prop would reach the component as undefined rather than keep its default.
  const written = WRAPPER_PROPS.map((p) => `      ${p.name}={props.${p.name} ?? ${p.literal}}\n`).join('')
  return `${MARK}${version} — phonebind init 只在文件不存在时写入；删除本行即成为你的文件 / init writes this only when absent; delete this line to make it yours
/**
 * <PhoneAuth>: phonebind-weapp's native \`phone-auth\` component for Taro React pages.
 *
 * The page that renders it registers the native component in its config:
 *   usingComponents: { '${TARO_TAG}': '${TARO_USING_PATH}' }
 * (config/index.ts copies node_modules/phonebind-weapp/miniprogram_dist to <outputRoot>/phonebind-weapp).
 *
 * Why every prop is written out on the tag: Taro draws a native component through its own
 * template (base.wxml) and binds only the props it SAW on the tag at build time. A spread
 * ({...props}) or a handler added at run time is never bound, and the component's event is lost
 * without an error. Event casing: Taro turns \`onBound\` into \`bindbound="eh"\` (bind + kebab-case)
 * in the template and listens for \`bound\` (lower case) at run time; phone-auth's events are one
 * lower-case word each (bound, denied, failed), so the two agree (a camelCase event would be
 * bound as bind:x-y and heard as xy; the Vue 3 form of this trap: NervJS/taro#8796, #11445).
 */
import type { PhoneAuthBoundDetail, PhoneAuthDeniedDetail, PhoneAuthFailedDetail } from 'phonebind-weapp'

interface NativeEvent<T> {
  detail: T
}

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      '${TARO_TAG}': {
${declared}        onBound: (e: NativeEvent<PhoneAuthBoundDetail>) => void
        onDenied: (e: NativeEvent<PhoneAuthDeniedDetail>) => void
        onFailed: (e: NativeEvent<PhoneAuthFailedDetail>) => void
      }
    }
  }
}

/** phone-auth 的全部属性（含义见 phonebind-weapp README 的 Props 表）/ every phone-auth property (see the Props table in phonebind-weapp's README), and the three handlers. */
export interface PhoneAuthProps {
${accepted}  /** 已绑定：detail.phone.masked 是打码后的号码 / bound: detail.phone.masked is the masked number */
  onBound?: (detail: PhoneAuthBoundDetail) => void
  /** 用户拒绝（不是错误）/ the user declined (not an error) */
  onDenied?: (detail: PhoneAuthDeniedDetail) => void
  /** 其他失败：detail.error.code, detail.nextStep / any other failure */
  onFailed?: (detail: PhoneAuthFailedDetail) => void
}

export default function PhoneAuth(props: PhoneAuthProps) {
  return (
    <${TARO_TAG}
${written}      onBound={(e) => props.onBound?.(e.detail)}
      onDenied={(e) => props.onDenied?.(e.detail)}
      onFailed={(e) => props.onFailed?.(e.detail)}
    />
  )
}
`
}
