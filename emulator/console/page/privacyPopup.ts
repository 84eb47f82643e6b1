/// <reference lib="dom" />
/**
 * @module console/page/privacyPopup — the privacy step of a tap on the simulated phone. The console's
 * mini program registers no `wx.onNeedPrivacyAuthorization` listener, so WeChat shows its OFFICIAL
 * popup when the user has not agreed yet; a refusal fails the tap (errno 104) and locks further
 * calls out for about 10 s without a popup. The flow itself is emulator/client/privacy.ts (shared
 * with the end-to-end tests); this draws the popup and keeps one simulated base library per user.
 */
import { emulatorPrivacyHost, PHONE_REFERRER, SimulatedPrivacy, type PrivacyChoice, type PrivacyStep } from '../../client/privacy'
import { client } from './api'
import { fill, h } from './dom'
import type { FlowStep } from './flow'

const perUser = new Map<string, SimulatedPrivacy>()

/** WeChat's official privacy popup, drawn where the phone sheet goes; resolves with the user's choice. */
function officialPopup(host: HTMLElement, appName: string): Promise<PrivacyChoice> {
  return new Promise((resolve) => {
    const choose = (c: PrivacyChoice) => () => {
      fill(host)
      resolve(c)
    }
    fill(
      host,
      h('div.backdrop'),
      h(
        'div.sheet.privacy-popup',
        { role: 'dialog', 'aria-label': '用户隐私保护提示 / Privacy notice', 'data-test': 'privacy-popup' },
        h('div.sheet-title', {}, '用户隐私保护提示', h('small', {}, 'Privacy notice (WeChat official popup)')),
        h('p.privacy-popup-text', {}, `在你使用「${appName}」服务之前，请仔细阅读《${appName}隐私保护指引》。如你同意该指引，请点击“同意”开始使用。`),
        h('p.privacy-popup-text.en', {}, `Before using ${appName}, read its privacy guide. Tap “Agree” to accept it.`),
        h(
          'div.sheet-actions',
          {},
          h('button.btn.deny', { 'data-test': 'privacy-disagree', onclick: choose('disagree') }, '拒绝', h('small', {}, 'Decline')),
          h('button.btn.allow', { 'data-test': 'privacy-agree', onclick: choose('agree') }, '同意', h('small', {}, 'Agree')),
        ),
      ),
    )
  })
}

/** One trace line per privacy step (there is nothing secret in them). */
function traceLine(step: PrivacyStep): FlowStep | null {
  switch (step.kind) {
    case 'official-popup':
      return { label: 'wx.onNeedPrivacyAuthorization', result: `无监听 → 官方隐私弹窗 / no listener → official popup (${step.referrer})`, ok: true }
    case 'agree':
      return { label: '隐私授权 / privacy consent', result: '同意 / agreed (recorded by WeChat)', ok: true }
    case 'disagree':
      return { label: '隐私授权 / privacy consent', result: `拒绝 → ${step.lockedForMs / 1000} 秒内直接失败 / declined: locked out for ${step.lockedForMs / 1000} s`, ok: false }
    case 'locked':
      return { label: '隐私授权 / privacy consent', result: `锁定中，不弹窗 / locked out, no popup (${Math.ceil(step.remainingMs / 1000)} s left)`, ok: false }
    default:
      return null
  }
}

export interface PrivacyGateResult {
  /** The user agreed just now (WeChat recorded consent). */
  agreed: boolean
  /** The tap must fail with errno 104 (refused now, or still locked out). */
  refused: boolean
  /** Said under the result when the refusal came from the lock-out. */
  note?: string
}

/** Runs the privacy step for `openid`'s tap on the phone button; draws the popup into `host` when needed. */
export async function privacyStep(openid: string, appName: string, realtime: boolean, host: HTMLElement, onStep: (s: FlowStep) => void): Promise<PrivacyGateResult> {
  let privacy = perUser.get(openid)
  if (!privacy) {
    privacy = new SimulatedPrivacy(emulatorPrivacyHost(client, openid, () => officialPopup(host, appName)))
    perUser.set(openid, privacy)
  }
  const from = privacy.steps.length
  const api = realtime ? 'getRealtimePhoneNumber' : 'getPhoneNumber'
  const refusal = await privacy.authorize(api, PHONE_REFERRER[api])
  const steps = privacy.steps.slice(from)
  for (const s of steps) {
    const line = traceLine(s)
    if (line) onStep(line)
  }
  const locked = steps.some((s) => s.kind === 'locked')
  return {
    agreed: steps.some((s) => s.kind === 'agree'),
    refused: refusal !== null,
    note: locked ? '拒绝官方隐私弹窗后约 10 秒内，隐私接口直接失败且不再弹窗 / Within about 10 s of declining the official popup, privacy calls fail without a popup' : undefined,
  }
}
