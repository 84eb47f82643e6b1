/// <reference lib="dom" />
/**
 * @module console/page/log — the live invocation log, fed by Server-Sent Events.
 *
 * An invocation is one card: function, user, duration, result code, its own log lines, and the
 * `/admin` (database, wx.openApi) and WeChat calls it made — matched by `invocationId`.
 * What happens outside any function (wx.login, a tap) gets a one-line row.
 */
import type { EmulatorEventMap } from '../../events'
import { bi, fill, h, time } from './dom'

type Start = EmulatorEventMap['invocation.start']
type End = EmulatorEventMap['invocation.end']
type Admin = EmulatorEventMap['admin.call']
type WeChat = EmulatorEventMap['wechat.call'] & { attributed?: 'openid' }

interface Invocation {
  id: string
  start?: Start
  end?: End
  calls: ({ kind: 'admin'; e: Admin } | { kind: 'wechat'; e: WeChat })[]
  el: HTMLElement
}

const MAX_ROWS = 300

export interface LogHooks {
  /** An invocation finished (the data browser refreshes). */
  onInvocationEnd(): void
}

function shortId(openid: string): string {
  return openid.length > 14 ? `${openid.slice(0, 8)}…${openid.slice(-4)}` : openid
}

function callLine(c: Invocation['calls'][number]): HTMLElement {
  if (c.kind === 'admin') {
    const e = c.e
    const kind = e.action.startsWith('database.') ? 'db' : e.action.startsWith('wx.') ? 'wx' : 'fn'
    return h(
      `li.call.${kind}${e.error ? '.bad' : ''}`,
      {},
      h('span.tag', {}, kind === 'db' ? 'DB' : kind === 'wx' ? 'OpenAPI' : 'FN'),
      h('span.what', {}, e.action.replace(/^database\./, ''), e.detail ? h('em', {}, ` ${e.detail}`) : null),
      h('span.right', {}, e.error ? h('b', {}, e.error) : null, ` ${e.durationMs} ms`),
    )
  }
  const e = c.e
  return h(
    `li.call.wechat${e.errcode !== 0 ? '.bad' : ''}`,
    { title: e.attributed ? '按用户归属 / attributed by user (plain HTTP call)' : '' },
    h('span.tag', {}, 'WeChat'),
    h('span.what', {}, e.api),
    h('span.right', {}, `errcode ${e.errcode}`),
  )
}

const LINE = /^[0-9a-f-]{36} (INFO|WARN|ERROR|DEBUG) (.*)$/

/** `<invocationId> INFO {"msg":"bound",…}` → a level badge, the message and its fields. */
function logLine(line: string): HTMLElement {
  const m = LINE.exec(line)
  if (!m) return h('div.line', {}, line)
  const [, level, text] = m as unknown as [string, string, string]
  let body: (Node | string)[] = [text]
  try {
    const obj = JSON.parse(text) as Record<string, unknown>
    if (obj && typeof obj === 'object' && typeof obj.msg === 'string') {
      const { msg, level: _l, scope, ...rest } = obj
      body = [
        scope ? h('span.scope', {}, `${String(scope)} `) : '',
        h('b', {}, msg),
        ...Object.entries(rest).map(([k, v]) => h('span.kv', {}, ` ${k}=`, h('i', {}, typeof v === 'string' ? v : JSON.stringify(v)))),
      ]
    }
  } catch {
    // not JSON: shown as printed
  }
  return h(`div.line.${level.toLowerCase()}`, {}, h('span.lvl', {}, level), ...body)
}

function renderInvocation(inv: Invocation): void {
  const s = inv.start
  const e = inv.end
  const name = s?.functionName ?? e?.functionName ?? '?'
  const code = e?.resultCode
  const status = !e ? h('span.pill.running', {}, '运行中 / running') : h(`span.pill${code === 'OK' ? '.ok' : '.bad'}`, { 'data-test': 'result-code' }, code)
  fill(
    inv.el,
    h(
      'div.inv-head',
      {},
      h('span.fn', {}, name),
      h('span.user.mono', { title: s?.openid ?? e?.openid ?? '' }, shortId(s?.openid ?? e?.openid ?? '')),
      h('span.grow'),
      e ? h('span.dur', {}, `${Math.round(e.durationMs)} ms`) : null,
      status,
      h('span.at', {}, time(s?.at ?? e?.at ?? Date.now())),
    ),
    inv.calls.length ? h('ul.calls', {}, ...inv.calls.map(callLine)) : null,
    e?.logs.length ? h('div.logs', {}, ...e.logs.map(logLine)) : null,
  )
}

export function mountLog(root: HTMLElement, hooks: LogHooks): { clear(): void } {
  const list = h('div.log-list', { 'data-test': 'log' })
  const empty = h('p.empty', {}, '还没有调用。点击手机上的按钮试试。', h('br'), h('small', {}, 'No calls yet — tap the button on the phone.'))
  const invocations = new Map<string, Invocation>()
  const clear = () => {
    invocations.clear()
    fill(list, empty)
  }
  fill(root, h('div.panel-head', {}, h('h2', {}, bi('调用日志', 'Invocation log')), h('button.btn.ghost', { onclick: clear }, '清空 / Clear')), list)
  clear()

  const prepend = (el: HTMLElement) => {
    empty.remove()
    list.prepend(el)
    while (list.childElementCount > MAX_ROWS) list.lastElementChild?.remove()
  }
  const invocation = (id: string): Invocation => {
    let inv = invocations.get(id)
    if (!inv) {
      inv = { id, calls: [], el: h('article.inv', { 'data-invocation': id }) }
      invocations.set(id, inv)
      prepend(inv.el)
    }
    return inv
  }
  const clientRow = (label: string, what: string, ok: boolean, at: number, openid?: string) =>
    prepend(h(`div.client-row${ok ? '' : '.bad'}`, {}, h('span.tag', {}, label), h('span.what', {}, what), openid ? h('span.user.mono', {}, shortId(openid)) : null, h('span.grow'), h('span.at', {}, time(at))))

  const source = new EventSource('/console/api/events')
  const conn = document.querySelector('#conn')
  source.onopen = () => conn?.classList.add('live')
  source.onerror = () => conn?.classList.remove('live')
  const on = <T>(type: string, fn: (payload: T) => void) => source.addEventListener(type, (m) => fn(JSON.parse((m as MessageEvent<string>).data) as T))

  on<Start>('invocation.start', (s) => {
    const inv = invocation(s.invocationId)
    inv.start = s
    renderInvocation(inv)
  })
  on<End>('invocation.end', (e) => {
    const inv = invocation(e.invocationId)
    inv.end = e
    renderInvocation(inv)
    hooks.onInvocationEnd()
  })
  on<Admin>('admin.call', (e) => {
    if (!e.invocationId) return clientRow('/admin', `${e.action} ${e.detail ?? ''}`, !e.error, e.at)
    const inv = invocation(e.invocationId)
    inv.calls.push({ kind: 'admin', e })
    renderInvocation(inv)
  })
  on<WeChat>('wechat.call', (e) => {
    if (!e.invocationId) return clientRow(e.api.startsWith('tap.') || e.api === 'wx.login' ? '客户端 Client' : 'WeChat', `${e.api} · errcode ${e.errcode}`, e.errcode === 0, e.at, e.openid)
    const inv = invocation(e.invocationId)
    inv.calls.push({ kind: 'wechat', e })
    renderInvocation(inv)
  })
  return { clear }
}
