/// <reference lib="dom" />
/**
 * @module console/page/quota — the phone-verification quota meter (emulator/wechat/meter.ts):
 * calls used, money spent, quota left, resource packages (buy one, let one expire), the webhook
 * messages the emulator captured, and a button that fires `phoneQuota`'s timer trigger now.
 * Everything goes through the simulated client's `/client/quota…`, `/client/webhooks` and
 * `/client/timer` routes (emulator/wechat/charge-routes.ts).
 */
import type { CapturedWebhook, MeterView } from '../../client'
import { PACKAGE_SOURCE, PACKAGE_STATUS, TRIAL_END } from '../../wechat/meter'
import { client, messageOf } from './api'
import { bi, fill, h, time, toast } from './dom'
import { action, onChange } from './state'

/** The function whose timer trigger the button fires (phonebind's cost guard). */
const GUARD_FUNCTION = 'phoneQuota'
const STATUS: Record<number, [string, string]> = { [PACKAGE_STATUS.active]: ['生效中', 'active'], [PACKAGE_STATUS.notYet]: ['未生效', 'not yet'], [PACKAGE_STATUS.expired]: ['已失效', 'expired'] }

const day = (sec: number) => (sec >= TRIAL_END ? '—' : new Date(sec * 1000).toISOString().slice(0, 10))

export function mountQuota(root: HTMLElement): { refresh(): void } {
  const left = h('b', { 'data-test': 'quota-left' }, '—')
  const used = h('b', { 'data-test': 'quota-calls' }, '—')
  const spent = h('b', { 'data-test': 'quota-spent' }, '—')
  const spentBadge = h('div', { 'data-test': 'quota-empty', hidden: true, class: 'quota-empty' }, bi('额度已用完：点击手机号按钮将返回 1400001', 'quota spent: the phone button answers errno 1400001'))
  const packages = h('tbody', { 'data-test': 'quota-packages' })
  const hooks = h('ul', { 'data-test': 'webhooks', class: 'hooks' })
  const calls = h('input', { type: 'number', min: 1, value: 1000, 'aria-label': 'package calls' })
  const days = h('input', { type: 'number', min: 1, value: 365, 'aria-label': 'package days' })


  const render = (m: MeterView, received: CapturedWebhook[]) => {
    left.textContent = String(m.quotaLeft)
    used.textContent = `${m.calls.total}（快速 ${m.calls.quick} / 实时 ${m.calls.realtime}）`
    spent.textContent = `¥${m.spentYuan}`
    spentBadge.hidden = m.quotaLeft > 0
    fill(
      packages,
      ...m.packages.map((p) =>
        h(
          'tr',
          {},
          h('td.mono', { title: p.pkgId }, p.source === PACKAGE_SOURCE.trial ? '免费试用 / trial' : `…${p.pkgId.slice(-6)}`),
          h('td', {}, `${p.used} / ${p.all}`),
          h('td', {}, bi(...(STATUS[p.status] ?? ['?', '?']))),
          h('td', {}, day(p.endTime)),
          h('td', {}, p.status === PACKAGE_STATUS.active ? h('button.btn.ghost', { onclick: action('资源包已失效 / package expired', () => client.expireQuotaPackage(p.pkgId)) }, '使失效', h('small', {}, 'expire')) : null),
        ),
      ),
    )
    fill(
      hooks,
      ...(received.length
        ? received
            .slice(-5)
            .reverse()
            .map((w) => h('li', {}, h('span.muted', {}, `${time(w.at)} key …${w.keyHint} `), String((w.body.text as { content?: unknown } | undefined)?.content ?? JSON.stringify(w.body))))
        : [h('li.muted', {}, '尚未收到 / none yet')]),
    )
  }

  const refresh = () => {
    Promise.all([client.quota(), client.webhooks()])
      .then(([m, w]) => render(m, w))
      .catch((e: unknown) => toast(messageOf(e), 'error'))
  }

  fill(
    root,
    h('h2', {}, bi('手机号验证额度', 'Phone quota')),
    h('div.ctl-row', {}, h('span.ctl-label', {}, '剩余额度', h('small', {}, 'quota left')), left),
    h('div.ctl-row', {}, h('span.ctl-label', {}, '已用次数', h('small', {}, 'calls used')), used),
    h('div.ctl-row', {}, h('span.ctl-label', {}, '已花费', h('small', {}, 'money spent')), spent),
    spentBadge,
    h('table.quota-packages', {}, h('thead', {}, h('tr', {}, h('th', {}, '资源包'), h('th', {}, '已用/总量'), h('th', {}, '状态'), h('th', {}, '到期'), h('th', {}))), packages),
    h(
      'div.ctl-row',
      {},
      calls,
      h('span.muted', {}, '次 /'),
      days,
      h('span.muted', {}, '天'),
      h('button.btn', { 'data-test': 'buy-package', onclick: action('已购买资源包 / package added', () => client.addQuotaPackage({ calls: Math.max(1, Math.floor(Number(calls.value) || 1)), days: Math.max(1, Number(days.value) || 365) })) }, '购买资源包', h('small', {}, 'buy')),
    ),
    h(
      'div.ctl-row',
      {},
      h(
        'button.btn',
        {
          'data-test': 'fire-timer',
          title: `运行 ${GUARD_FUNCTION} 的定时触发器 / run ${GUARD_FUNCTION}'s timer trigger now`,
          onclick: action('定时检查已运行 / timer fired', async () => {
            const out = await client.fireTimer(GUARD_FUNCTION)
            if (!out.ok) throw new Error(out.errMsg)
          }),
        },
        '立即运行定时检查',
        h('small', {}, 'fire timer'),
      ),
    ),
    h('div.ctl-label', {}, bi('收到的告警 webhook', 'webhooks received')),
    hooks,
  )
  onChange(refresh)
  return { refresh }
}
