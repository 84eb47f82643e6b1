/**
 * j-component (the component tree miniprogram-simulate returns) implements addEventListener/removeEventListener on
 * every component (src/render/component.js, 1.4.x) — the tests use them to hear a component's triggerEvent — but its
 * index.d.ts does not declare them. This adds the two methods as the source defines them.
 */
import 'j-component'

declare module 'j-component' {
  interface Component<
    TData extends WechatMiniprogram.Component.DataOption,
    TProperty extends WechatMiniprogram.Component.PropertyOption,
    TMethod extends Partial<WechatMiniprogram.Component.MethodOption>
  > {
    /** Listens to this component's own events (what its code passes to triggerEvent arrives as `event.detail`). */
    addEventListener(eventName: string, handler: (event: { type: string; detail: unknown }) => void, capture?: boolean | { capture?: boolean }): void
    removeEventListener(eventName: string, handler: (event: { type: string; detail: unknown }) => void, capture?: boolean | { capture?: boolean }): void
  }
}
