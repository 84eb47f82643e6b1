/// <reference lib="dom" />
/**
 * @module console/page/users — choose or create the simulated WeChat user, and the path.
 */
import { maskPhone } from '../../../core/phone'
import { compareVersion } from '../../../core/wechatCodes'
import type { EmulatorUser } from '../../client'
import { client, messageOf } from './api'
import { bi, fill, h, toast } from './dom'
import { PATH_MIN_VERSION, type BindPath } from './flow'
import { changed, onChange, refreshState, selectedUser, state } from './state'

export function maskedPhoneOf(u: EmulatorUser): string {
  if (!u.purePhoneNumber) return '无手机号 / no phone'
  return `+${u.countryCode ?? '86'} ${maskPhone(u.purePhoneNumber, u.countryCode ?? '86')}`
}

const PATHS: { path: BindPath; zh: string; en: string; fn: string }[] = [
  { path: 'code', zh: '动态令牌 code', en: 'code', fn: 'getPhoneNumber' },
  { path: 'cloudID', zh: 'cloudID', en: 'cloudID', fn: 'getOpenData' },
  { path: 'legacy', zh: '加密数据', en: 'encryptedData', fn: 'getOpenData' },
]

function createForm(): HTMLElement {
  const input = (name: string, placeholder: string, value = '') => h('input', { name, placeholder, value, autocomplete: 'off' })
  const openid = input('openid', '自动生成 / generated')
  const phone = input('purePhoneNumber', '13812345678')
  const cc = input('countryCode', '86', '86')
  const lib = input('baseLibrary', '3.4.2', '3.4.2')
  const form = h(
    'form.create',
    {
      onsubmit: async (e: Event) => {
        e.preventDefault()
        const val = (el: HTMLInputElement) => el.value.trim() || undefined
        try {
          const user = await client.createUser({ openid: val(openid), purePhoneNumber: val(phone), countryCode: val(cc), baseLibrary: val(lib) })
          state.openid = user.openid
          await refreshState()
          toast(`已创建 / created ${user.openid}`)
          ;(form.closest('details') as HTMLDetailsElement | null)?.removeAttribute('open')
        } catch (err) {
          toast(messageOf(err), 'error')
        }
      },
    },
    h('label', {}, bi('openid', 'optional'), openid),
    h('label', {}, bi('手机号', 'phone'), phone),
    h('div.row2', {}, h('label', {}, bi('国家码', 'country code'), cc), h('label', {}, bi('基础库', 'base library'), lib)),
    h('button.btn.primary', { type: 'submit', 'data-test': 'create-user' }, '创建 / Create'),
  )
  return h('details.new-user', {}, h('summary', {}, '＋ 新建测试用户 / New test user'), form)
}

export function mountUsers(root: HTMLElement): void {
  const select = h('select#user-select', {
    'aria-label': 'test user',
    onchange: () => {
      state.openid = select.value
      changed()
    },
  })
  const details = h('div.user-details')
  const paths = h('div.paths', { role: 'radiogroup' })
  fill(root, h('h2', {}, bi('模拟用户', 'Simulated user')), select, details, h('h3', {}, bi('获取方式', 'Path')), paths, createForm())

  const render = () => {
    fill(select, ...state.users.map((u) => h('option', { value: u.openid, selected: u.openid === state.openid }, `${u.nickname ?? u.openid} · ${maskedPhoneOf(u)}`)))
    const u = selectedUser()
    if (!u) return fill(details, h('p.muted', {}, '没有用户 / no users'))
    const privacy = h('input', {
      type: 'checkbox',
      checked: u.privacyAuthorized,
      onchange: async () => {
        await client.updateUser(u.openid, { privacyAuthorized: privacy.checked }).catch((e: unknown) => toast(messageOf(e), 'error'))
        await refreshState()
      },
    })
    fill(
      details,
      h('dl', {}, h('dt', {}, 'openid'), h('dd.mono', { 'data-test': 'openid' }, u.openid), h('dt', {}, bi('基础库', 'base library')), h('dd', {}, u.baseLibrary), h('dt', {}, bi('会话', 'session')), h('dd', {}, u.hasSession ? '有效 / valid' : '无 / none')),
      h('label.check', {}, privacy, bi('已同意隐私指引', 'privacy guide agreed')),
    )
    fill(
      paths,
      ...PATHS.map((p) => {
        const supported = compareVersion(u.baseLibrary, PATH_MIN_VERSION[p.path]) >= 0
        const radio = h('input', {
          type: 'radio',
          name: 'path',
          value: p.path,
          checked: state.path === p.path,
          onchange: () => {
            state.path = p.path
            changed()
          },
        })
        return h(
          `label.path${supported ? '' : '.unsupported'}`,
          {
            title: supported
              ? p.path === 'legacy'
                ? '先 wx.login + login 保存会话密钥 / logs in first so the server holds the session key'
                : ''
              : `需要基础库 ≥ ${PATH_MIN_VERSION[p.path]} / needs base library ≥ ${PATH_MIN_VERSION[p.path]}`,
          },
          radio,
          h('span.path-name', {}, p.zh, p.zh !== p.en ? h('small', {}, p.en) : null),
          h('span.path-fn', {}, p.fn),
        )
      }),
    )
  }
  onChange(render)
}
