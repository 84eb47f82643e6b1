/// <reference lib="dom" />
/**
 * @module console/page/phone — the simulated phone: a mini program page with the
 * 「手机号快捷登录」 button, WeChat's half-screen authorisation sheet, and the outcome.
 */
import type { ErrorInfo } from '../../../core/contracts'
import { consentIntercepted } from '../../../core/baseLibrary'
import { messageOf } from './api'
import { bi, fill, h } from './dom'
import { launch, tapAndBind, type FlowOutcome, type FlowStep } from './flow'
import { privacyStep } from './privacyPopup'
import { onChange, refreshState, selectedUser, state } from './state'
import { maskedPhoneOf } from './users'

const CHANGE_TEXT: Record<string, string> = { bound: '已绑定 / bound', unchanged: '未变化 / unchanged', rebound: '已换绑 / rebound', transferred: '已转移 / transferred' }

export interface PhoneHooks {
  /** Called after every binding attempt (the data browser refreshes). */
  afterFlow(): void
}

function errorCard(error: ErrorInfo, note?: string, denied = false): HTMLElement {
  return h(
    `div.result${denied ? '.denied' : '.failed'}`,
    { 'data-test': 'result', 'data-code': error.code },
    h('div.result-title', {}, denied ? '未授权 / Not shared' : '失败 / Failed'),
    h('div.code', {}, error.code, error.wechatCode !== undefined ? h('span.errcode', {}, ` errcode ${error.wechatCode}`) : null),
    h('p.zh', {}, error.message),
    h('p.en', {}, error.messageEn),
    note ? h('p.note', {}, note) : null,
  )
}

function outcomeCard(o: FlowOutcome): HTMLElement {
  if (o.kind !== 'bound') return errorCard(o.error, 'note' in o ? o.note : undefined, o.kind === 'denied')
  const p = o.data.phone
  return h(
    'div.result.bound',
    { 'data-test': 'result', 'data-code': 'OK' },
    h('div.result-title', {}, '✓ 手机号已绑定 / Phone bound'),
    h('div.masked', { 'data-test': 'masked' }, `+${p.countryCode} ${p.masked}`),
    h('p.en', {}, `${CHANGE_TEXT[o.data.change] ?? o.data.change} · ${p.source} · ${o.functionName}`),
  )
}

export function mountPhone(root: HTMLElement, hooks: PhoneHooks): void {
  const screen = h('div.screen')
  const sheetHost = h('div.sheet-host')
  const trace = h('ol.trace', { 'data-test': 'trace' })
  const result = h('div.result-host')
  let busy = false

  const button = h('button.wx-phone-btn', { 'data-test': 'phone-button', onclick: () => void onTap() }, '手机号快捷登录', h('small', {}, 'Get phone number'))
  const profile = h('div.profile')
  fill(
    root,
    h('div.phone-frame', {}, h('div.statusbar', {}, h('span', {}, '9:41'), h('span.notch'), h('span', {}, '5G ▮▮▮')), h('div.navbar', {}, h('span.nav-title', {}, 'phonebind 演示'), h('span.capsule', {}, h('i', {}, '•••'), h('i.ring'))), screen, sheetHost),
  )
  fill(screen, profile, button, h('p.hint', {}, '登录即表示同意《用户协议》与《隐私保护指引》'), result, trace)
  // The button's phone-number-no-quota-toast (base library ≥ 3.0.1, getPhoneNumber.html): whether
  // WeChat shows its own notice when the quota is spent; the callback gets errno 1400001 either way.
  const toastOption = h('input', {
    type: 'checkbox',
    'data-test': 'no-quota-toast-option',
    checked: state.noQuotaToast,
    onchange: () => {
      state.noQuotaToast = toastOption.checked
    },
  }) as HTMLInputElement
  root.append(h('label.check.button-attr', {}, toastOption, h('code', {}, 'phone-number-no-quota-toast'), bi('额度用完时微信提示', "WeChat's notice when the quota is spent")))

  /** WeChat's own notice for a spent quota (the text getPhoneNumber.html quotes), over the page. */
  const showNoQuotaNotice = () =>
    fill(
      sheetHost,
      h('div.backdrop', { onclick: closeSheet }),
      h(
        'div.sheet.no-quota',
        { role: 'dialog', 'data-test': 'no-quota-toast' },
        h('div.sheet-title', {}, '该功能使用次数已达当前小程序上限，暂时无法使用', h('small', {}, "This feature has reached the mini program's limit for now")),
        h('div.sheet-actions', {}, h('button.btn.allow', { onclick: closeSheet }, '知道了', h('small', {}, 'OK'))),
      ),
    )

  const addStep = (s: FlowStep) => trace.append(h(`li${s.ok ? '.ok' : '.bad'}`, {}, h('div', {}, h('div.step-label', {}, s.label), h('div.step-result', {}, s.result))))

  const renderProfile = () => {
    const u = selectedUser()
    fill(
      profile,
      h('div.avatar', {}, (u?.nickname ?? u?.openid ?? '?').slice(0, 1)),
      h('div', {}, h('div.nick', {}, u?.nickname ?? u?.openid ?? '—'), h('div.muted', {}, u ? `基础库 / base library ${u.baseLibrary}` : '')),
    )
    button.disabled = !u || busy
  }
  onChange(renderProfile)

  const closeSheet = () => fill(sheetHost)

  /** WeChat's half-screen sheet; resolves with the user's choice. */
  const askUser = (): Promise<'allow' | 'deny'> =>
    new Promise((resolve) => {
      const u = selectedUser()!
      const choose = (c: 'allow' | 'deny') => () => {
        closeSheet()
        resolve(c)
      }
      fill(
        sheetHost,
        h('div.backdrop', { onclick: choose('deny') }),
        h(
          'div.sheet',
          { role: 'dialog', 'aria-label': 'authorisation' },
          h('div.sheet-app', {}, h('span.app-icon', {}, 'P'), h('span', {}, `${state.app?.name || 'phonebind'} 申请`)),
          h('div.sheet-title', {}, '获取你的手机号', h('small', {}, 'requests your phone number')),
          h('div.sheet-number', {}, h('div', {}, h('div.num', {}, maskedPhoneOf(u)), h('div.muted', {}, '微信绑定号码 / WeChat number')), h('span.tick', {}, '✓')),
          h('div.sheet-other', {}, '使用其它号码 / Use another number'),
          h('div.sheet-actions', {}, h('button.btn.deny', { 'data-test': 'sheet-deny', onclick: choose('deny') }, '不允许', h('small', {}, 'Deny')), h('button.btn.allow', { 'data-test': 'sheet-allow', onclick: choose('allow') }, '允许', h('small', {}, 'Allow'))),
        ),
      )
    })

  const onTap = async () => {
    const u = selectedUser()
    if (!u || busy) return
    busy = true
    button.disabled = true
    fill(trace)
    fill(result)
    try {
      let outcome: FlowOutcome | undefined
      // The mini program logs in at launch; only the legacy path needs that session key.
      if (state.path === 'legacy') outcome = await launch(u.openid, addStep)
      if (!outcome) {
        // The privacy step first (official popup: the console's app registers no listener), then
        // WeChat checks the app and the user before it draws the sheet; then the tap just fails.
        const app = state.app
        const privacy = await privacyStep(u.openid, app?.name || 'phonebind', false, sheetHost, addStep)
        // Below base library 2.32.3 nothing asks and nothing is intercepted (core/baseLibrary.ts).
        const consented = !consentIntercepted(u) || privacy.agreed
        const blocked = privacy.refused || !app || !app.phonePermission || !app.privacyDeclared || !consented || app.quota <= 0
        const choice = blocked ? 'allow' : await askUser()
        fill(result, h('div.pending', {}, '处理中… / working…'))
        outcome = await tapAndBind(u.openid, state.path, choice, u.baseLibrary, addStep, { phoneNumberNoQuotaToast: state.noQuotaToast })
        if (outcome.kind === 'failed' && outcome.error.wechatCode === 1400001 && state.noQuotaToast) showNoQuotaNotice()
        if (privacy.note && outcome.kind !== 'bound') outcome = { ...outcome, note: privacy.note }
      }
      fill(result, outcomeCard(outcome))
    } catch (e) {
      fill(result, h('div.result.failed', { 'data-test': 'result', 'data-code': 'EMULATOR' }, h('div.result-title', {}, '模拟器错误 / Emulator error'), h('p.en', {}, messageOf(e))))
    } finally {
      busy = false
      button.disabled = false
      hooks.afterFlow()
      void refreshState().catch(() => {})
    }
  }
}
