/// <reference lib="dom" />
/**
 * @module console/page/controls — the knobs: quota, injected faults, code expiry, reset.
 * All of them are the simulated client's existing `/client/control/*` routes.
 */
import type { FaultApi, FaultSpec } from '../../client'
import { client } from './api'
import { bi, fill, h } from './dom'
import { action, onChange, state } from './state'

const APIS: FaultApi[] = ['getPhoneNumber', 'getOpenData', 'jscode2session']

function describe(spec: FaultSpec): string {
  const parts: string[] = []
  if (spec.errcode !== undefined) parts.push(`errcode ${spec.errcode}${spec.next ? ` × ${spec.next}` : ''}${spec.rate ? ` @ ${spec.rate * 100}%` : ''}`)
  if (spec.latencyMs) parts.push(`+${spec.latencyMs} ms`)
  return parts.join(', ')
}

export function mountControls(root: HTMLElement, hooks: { afterReset(): void }): void {
  const quotaLeft = h('b', { 'data-test': 'quota' }, '—')
  const quotaInput = h('input', { type: 'number', min: 0, value: 1000, 'aria-label': 'quota' })
  const apiSelect = h('select', { 'aria-label': 'fault api' }, ...APIS.map((a) => h('option', { value: a }, a)))
  const latency = h('input', { type: 'number', min: 0, max: 60000, value: 800, 'aria-label': 'latency ms' })
  const active = h('div.chips')
  const setFault = (spec: FaultSpec | null, label: string) => action(label, () => client.setFaults(apiSelect.value as FaultApi, spec))
  const appFlags = h('div.flags')

  fill(
    root,
    h('h2', {}, bi('控制', 'Controls')),
    h(
      'div.ctl-row',
      {},
      h('span.ctl-label', {}, '剩余额度', h('small', {}, 'quota left')),
      quotaLeft,
      h('span.grow'),
      quotaInput,
      h('button.btn', { onclick: action('额度已设置 / quota set', () => client.setQuota(Math.max(0, Math.floor(Number(quotaInput.value) || 0)))) }, '设置 / Set'),
    ),
    h('div.ctl-row', {}, h('span.ctl-label', {}, '注入故障', h('small', {}, 'inject fault')), apiSelect),
    h(
      'div.fault-grid',
      {},
      h('button.btn', { 'data-test': 'fault-busy', title: '下一次调用返回 -1 / the next call fails with -1', onclick: setFault({ errcode: -1, next: 1 }, '下一次调用返回 -1 / next call fails with -1') }, '-1 系统繁忙', h('small', {}, 'busy')),
      h('button.btn', { title: '下一次调用返回 45011 / the next call is rate-limited', onclick: setFault({ errcode: 45011, next: 1 }, '下一次调用返回 45011 / next call rate-limited') }, '45011 限流', h('small', {}, 'rate limit')),
      h('span.latency', {}, latency, h('button.btn', { onclick: () => void setFault({ latencyMs: Math.max(0, Number(latency.value) || 0) }, '已加延迟 / latency set')() }, '延迟', h('small', {}, 'ms'))),
      h('button.btn.ghost', { onclick: setFault(null, '已清除 / cleared') }, '清除', h('small', {}, 'clear')),
    ),
    active,
    appFlags,
    h(
      'div.fault-grid',
      {},
      h('button.btn', { 'data-test': 'expire-codes', onclick: action('所有 code 已过期 / all codes expired', () => client.expireCodes()) }, 'code 全部过期', h('small', {}, 'expire codes')),
      h(
        'button.btn.danger',
        {
          'data-test': 'reset',
          onclick: action('数据已重置 / data reset', async () => {
            await client.reset()
            hooks.afterReset()
          }),
        },
        '重置数据',
        h('small', {}, 'reset'),
      ),
    ),
  )

  const flag = (key: 'privacyDeclared' | 'phonePermission', zh: string, en: string) => {
    const box = h('input', { type: 'checkbox', checked: state.app?.[key] ?? true, onchange: () => void action(`${en}: ${box.checked}`, () => client.updateApp({ [key]: box.checked }))() })
    return h('label.check', {}, box, bi(zh, en))
  }
  onChange(() => {
    quotaLeft.textContent = state.app ? String(state.app.quota) : '—'
    const entries = Object.entries(state.faults) as [FaultApi, FaultSpec][]
    fill(active, ...(entries.length ? entries.map(([api, spec]) => h('span.chip', {}, h('b', {}, api), ` ${describe(spec)}`)) : [h('span.muted', {}, '未注入故障 / no faults')]))
    fill(appFlags, flag('privacyDeclared', '已声明手机号用途', 'privacy declared'), flag('phonePermission', '有手机号能力', 'button allowed'))
  })
}
