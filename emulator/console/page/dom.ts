/// <reference lib="dom" />
/**
 * @module console/page/dom — a tiny element builder. Text always goes in as text nodes, never
 * as HTML, so nothing a function logs or a document holds can inject markup into the console.
 */

type Child = Node | string | number | null | undefined | false
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>

/** `h('button.primary', {onclick}, '允许')` — tag, optional `.class` / `#id` suffixes. */
export function h<K extends keyof HTMLElementTagNameMap>(spec: K | `${K}${'.' | '#'}${string}`, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const [tag, ...parts] = spec.split(/(?=[.#])/)
  const el = document.createElement(tag as K)
  for (const p of parts) {
    if (p.startsWith('.')) el.classList.add(p.slice(1))
    else el.id = p.slice(1)
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v)
    else if (k === 'class') el.className += ` ${v}`
    else if (v === true) el.setAttribute(k, '')
    else el.setAttribute(k, String(v))
  }
  append(el, ...children)
  return el
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c)
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren()
  append(el, ...children)
}

export function $(selector: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(selector)
  if (!el) throw new Error(`console: missing ${selector}`)
  return el
}

/** A bilingual label: Chinese first, English beside it in a quieter style. */
export function bi(zh: string, en: string): HTMLSpanElement {
  return h('span.bi', {}, zh, h('small', {}, en))
}

let toastTimer: ReturnType<typeof setTimeout> | undefined
/** A short message at the bottom of the screen. */
export function toast(text: string, kind: 'ok' | 'error' = 'ok'): void {
  let el = document.querySelector<HTMLElement>('#toast')
  if (!el) document.body.append((el = h('div#toast', { role: 'status' })))
  el.textContent = text
  el.className = `show ${kind}`
  clearTimeout(toastTimer)
  toastTimer = setTimeout(() => (el!.className = ''), 2600)
}

export function time(at: number): string {
  const d = new Date(at)
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':') + `.${String(d.getMilliseconds()).padStart(3, '0')}`
}
