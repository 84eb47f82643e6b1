/**
 * Demo page, written with Component() so miniprogram-simulate can test it (Page() cannot be
 * loaded there). Lifecycle handlers live in `methods`, as WeChat allows for Component pages.
 */
import { callFunction, getSession } from 'phonebind-weapp'
import type { PhoneAuthBoundDetail, PhoneAuthDeniedDetail, PhoneAuthFailedDetail, PhoneView } from 'phonebind-weapp'
import { DEVELOPER_HINTS, LEGACY_PATH } from '../../config'

/** The last 4 characters are enough to tell accounts apart in a demo, and reveal nothing. */
const openidTail = (openid: string): string => (openid.length > 4 ? `…${openid.slice(-4)}` : openid)

/** `wx.showModal` reduced to "did the user confirm". */
function confirm(title: string, content: string): Promise<boolean> {
  return new Promise((resolve) => {
    wx.showModal({ title, content, success: (res) => resolve(!!res.confirm), fail: () => resolve(false) })
  })
}

Component({
  data: {
    loading: true,
    loggedIn: false,
    openidTail: '',
    loginErrorZh: '',
    loginErrorEn: '',
    phone: null as PhoneView | null,
    changing: false,
    unbinding: false,
    noticeZh: '',
    noticeEn: '',
    /** Passed to phone-auth: accept the legacy encryptedData path. */
    legacy: LEGACY_PATH,
    /** Passed to phone-auth: show configuration hints in the UI. */
    debug: DEVELOPER_HINTS,
  },
  methods: {
    async onLoad() {
      this.setData({ loading: true, loginErrorZh: '', loginErrorEn: '' })
      const res = await getSession()
      if (res.ok) {
        this.setData({ loading: false, loggedIn: true, openidTail: openidTail(res.data.openid), phone: res.data.phone })
      } else {
        this.setData({ loading: false, loggedIn: false, loginErrorZh: res.error.message, loginErrorEn: res.error.messageEn })
      }
    },

    onRetryLogin() {
      return this.onLoad()
    },

    onBound(e: { detail: PhoneAuthBoundDetail }) {
      this.setData({ phone: e.detail.phone, changing: false, noticeZh: '', noticeEn: '' })
    },

    onFailed(e: { detail: PhoneAuthFailedDetail }) {
      // The component already shows the reason; the page only offers its own alternative route.
      if (e.detail.error.code === 'PHONE_ALREADY_BOUND') {
        this.setData({ noticeZh: '该号码属于另一个账号，请使用其他号码', noticeEn: 'That number belongs to another account: use another number' })
      }
    },

    onDenied(e: { detail: PhoneAuthDeniedDetail }) {
      if (e.detail.source === 'phone-button') {
        this.setData({ noticeZh: '你也可以稍后在“我的”中绑定手机号', noticeEn: 'You can bind a number later from your profile' })
      }
    },

    onChange() {
      this.setData({ changing: true, noticeZh: '', noticeEn: '' })
    },

    onCancelChange() {
      this.setData({ changing: false })
    },

    async onUnbind() {
      if (this.data.unbinding) return
      const sure = await confirm('解绑手机号 / Unbind', '解绑后需重新验证才能再次绑定。Unbinding means verifying again to bind.')
      if (!sure) return
      this.setData({ unbinding: true })
      const res = await callFunction('unbindPhone', {})
      if (res.ok) {
        this.setData({ unbinding: false, phone: null, changing: false, noticeZh: '已解绑手机号', noticeEn: 'The number was unbound' })
      } else {
        this.setData({ unbinding: false, noticeZh: res.error.message, noticeEn: res.error.messageEn })
      }
    },
  },
})
