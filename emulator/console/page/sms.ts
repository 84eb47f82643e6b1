/// <reference lib="dom" />
/**
 * @module console/page/sms — the SMS fallback in the console: as the chosen WeChat user, ask
 * `sendSmsCode` for a code and enter it into `verifySmsCode`; read every text the simulated
 * Tencent Cloud SMS delivered (the phones' inboxes: numbers masked unless revealed, codes shown,
 * as on the phone's screen); inject send failure, loss in delivery and the provider's rate limit.
 * Everything goes through the functions and the simulated client's `/client/sms/…` routes.
 */
import type { SendSmsCodeData, BindData, Result } from '../../../core/contracts'
import type { InboxMessage, SmsFaults } from '../../client'
import { client, messageOf } from './api'
import { bi, fill, h, time, toast } from './dom'
import { selectedUser } from './state'

const FAULTS: Array<[keyof SmsFaults, string, string]> = [
  ['sendFailure', '发送失败', 'send fails'],
  ['lostInDelivery', '短信丢失', 'text lost'],
  ['rateLimit', '频率限制', 'rate limited'],
]

/** A function's Result as one line: the data's gist, or the code with both messages. */
function outcome(r: Result<unknown>): string {
  return r.ok ? JSON.stringify(r.data) : `${r.error.code} ${r.error.message} / ${r.error.messageEn}`
}

export function mountSms(root: HTMLElement, opts: { afterCall: () => void }): { refresh(): void } {
  const phone = h('input', { type: 'tel', placeholder: '13800138000', 'data-test': 'sms-phone', 'aria-label': 'phone number' })
  const code = h('input', { type: 'text', inputmode: 'numeric', maxlength: 6, placeholder: '123456', 'data-test': 'sms-code', 'aria-label': 'SMS code' })
  const result = h('div.muted', { 'data-test': 'sms-result' })
  const inbox = h('ul.sms-inbox', { 'data-test': 'sms-inbox' })
  const reveal = h('input', { type: 'checkbox', onchange: () => refresh() })
  const boxes = new Map<keyof SmsFaults, HTMLInputElement>()
  // Bumped by every fault toggle: a refresh that started before it must not undo the click.
  let faultEpoch = 0

  const call = async <T,>(name: 'sendSmsCode' | 'verifySmsCode', data: Record<string, unknown>): Promise<void> => {
    const user = selectedUser()
    if (!user) return toast('先选择用户 / choose a user first', 'error')
    try {
      const reply = await client.callFunction<Result<T>>(user.openid, name, data)
      result.textContent = `${name}: ${outcome(reply.result)}`
      result.setAttribute('data-code', reply.result.ok ? 'OK' : reply.result.error.code)
    } catch (e) {
      result.textContent = `${name}: ${messageOf(e)}`
      result.setAttribute('data-code', 'CALL_FAILED')
    }
    opts.afterCall()
    refresh()
  }

  const render = (messages: InboxMessage[], faults: SmsFaults | undefined) => {
    if (faults) for (const [k, box] of boxes) box.checked = faults[k]
    fill(
      inbox,
      ...(messages.length
        ? messages.slice(0, 20).map((m) => h('li', { 'data-phone': m.phone }, h('span.mono', {}, m.phone), h('span.muted', {}, ` ${time(m.at)}`), h('div', {}, m.text)))
        : [h('li.muted', {}, '没有短信 / no texts')]),
    )
  }

  const refresh = () => {
    const epoch = faultEpoch
    Promise.all([client.smsMessages(reveal.checked), client.smsFaults()])
      .then(([messages, faults]) => render(messages, epoch === faultEpoch ? faults : undefined))
      .catch((e: unknown) => toast(messageOf(e), 'error'))
  }

  fill(
    root,
    h('h2', {}, bi('短信验证', 'SMS fallback')),
    h('div.ctl-row', {}, phone, h('button.btn', { 'data-test': 'sms-send', onclick: () => void call<SendSmsCodeData>('sendSmsCode', { phone: phone.value }) }, '获取验证码', h('small', {}, 'send code'))),
    h('div.ctl-row', {}, code, h('button.btn.primary', { 'data-test': 'sms-verify', onclick: () => void call<BindData>('verifySmsCode', { phone: phone.value, code: code.value }) }, '验证并绑定', h('small', {}, 'verify'))),
    result,
    h(
      'div.ctl-row',
      {},
      ...FAULTS.map(([key, zh, en]) => {
        const box = h('input', {
          type: 'checkbox',
          'data-test': `sms-fault-${key}`,
          onchange: () => {
            faultEpoch++
            client
              .setSmsFaults({ [key]: box.checked })
              .then(() => toast(`${en}: ${box.checked}`))
              .catch((e: unknown) => toast(messageOf(e), 'error'))
          },
        })
        boxes.set(key, box)
        return h('label', {}, box, ` ${zh} `, h('small', {}, en))
      }),
    ),
    h('div.ctl-row', {}, h('span.ctl-label', {}, '收件箱', h('small', {}, 'inboxes')), h('label', {}, reveal, ' 显示号码 ', h('small', {}, 'reveal numbers')), h('button.btn.ghost', { onclick: () => refresh() }, '刷新 / Refresh')),
    inbox,
  )
  refresh()
  return { refresh }
}
