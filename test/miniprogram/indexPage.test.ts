/**
 * The demo page (a Component() page): login state, binding through the real phone-auth child,
 * changing and unbinding the number. Page lifecycles are not run by simulate, so tests call onLoad.
 */
import simulate from 'miniprogram-simulate'
import { errorInfo } from '../../core/errors'
import { bindOk, FULL_NUMBER, installCloud, loadPage, overrideButton, phoneView, rejection, removeCloud, resolved, settle, weapp } from './helpers'

let id: string
beforeAll(() => {
  overrideButton()
  id = loadPage('pages/index/index')
})

const wxAny = wx as unknown as Record<string, unknown>
const savedModal = wx.showModal
afterEach(() => {
  wxAny.showModal = savedModal
  removeCloud()
  weapp.resetSession()
})

const login = (phone: unknown = null) => resolved({ ok: true, data: { openid: 'oUser-abcd1234', appid: 'wx1', phone, legacyReady: false, created: false } })
/** Routes fake cloud calls by function name. */
function route(handlers: Record<string, jest.Mock>) {
  return installCloud(jest.fn(({ name }: { name: string }) => {
    const h = handlers[name]
    return h ? h() : Promise.reject(rejection(-404011, `error code -501000 ${name}`))
  }))
}

async function open() {
  const page = simulate.render(id)
  page.attach(document.createElement('parent-wrapper'))
  await page.instance.onLoad({})
  await settle()
  const text = () => page.dom!.textContent ?? ''
  const phoneAuth = () => page.querySelector('.phone-auth')
  const tapPhone = async (detail: Record<string, unknown>) => {
    phoneAuth()!.querySelector('.phone-btn')!.dispatchEvent('getphonenumber', { detail })
    await settle()
  }
  const tap = async (selector: string) => {
    page.querySelector(selector)!.dispatchEvent('tap')
    await settle()
  }
  return { page, text, phoneAuth, tapPhone, tap }
}

test('shows the login state and offers binding when no number is bound', async () => {
  route({ login: jest.fn().mockResolvedValue(login()) })
  const { text, phoneAuth } = await open()
  expect(text()).toContain('已登录 / Signed in')
  expect(text()).toContain('…1234')
  expect(text()).not.toContain('oUser-abcd1234')
  expect(phoneAuth()).toBeDefined()
})

test('binds through the phone component and shows the masked number', async () => {
  const cloud = route({ login: jest.fn().mockResolvedValue(login()), getPhoneNumber: jest.fn().mockResolvedValue(bindOk()) })
  const { text, phoneAuth, tapPhone } = await open()
  await tapPhone({ errMsg: 'getPhoneNumber:ok', code: 'C1' })
  expect(cloud.callFunction).toHaveBeenCalledWith({ name: 'getPhoneNumber', data: { code: 'C1' } })
  expect(text()).toContain('138****8000')
  expect(text()).not.toContain(FULL_NUMBER)
  expect(phoneAuth()).toBeUndefined() // bound: change / unbind instead of the button
})

test('a number bound earlier shows at once, with change and unbind', async () => {
  route({ login: jest.fn().mockResolvedValue(login(phoneView())) })
  const { page, text, phoneAuth } = await open()
  expect(text()).toContain('138****8000')
  expect(phoneAuth()).toBeUndefined()
  expect(page.querySelector('.change')).toBeDefined()
  expect(page.querySelector('.unbind')).toBeDefined()
})

test('changing the number shows the button again, binds the new one, or can be cancelled', async () => {
  const newer = { ...phoneView(), masked: '139****0001' }
  route({
    login: jest.fn().mockResolvedValue(login(phoneView())),
    getPhoneNumber: jest.fn().mockResolvedValue(resolved({ ok: true, data: { phone: newer, change: 'rebound' } })),
  })
  const { text, phoneAuth, tap, tapPhone } = await open()
  await tap('.change')
  expect(phoneAuth()).toBeDefined()
  await tap('.cancel-change')
  expect(phoneAuth()).toBeUndefined()
  await tap('.change')
  await tapPhone({ errMsg: 'getPhoneNumber:ok', code: 'C2' })
  expect(text()).toContain('139****0001')
  expect(phoneAuth()).toBeUndefined()
})

test('unbinding asks first, then calls unbindPhone and offers binding again', async () => {
  const unbindPhone = jest.fn().mockResolvedValue(resolved({ ok: true, data: { released: true } }))
  const cloud = route({ login: jest.fn().mockResolvedValue(login(phoneView())), unbindPhone })
  wxAny.showModal = jest.fn((o: { success: (r: { confirm: boolean }) => void }) => o.success({ confirm: false }))
  const { text, phoneAuth, tap } = await open()
  await tap('.unbind')
  expect(unbindPhone).not.toHaveBeenCalled()
  wxAny.showModal = jest.fn((o: { success: (r: { confirm: boolean }) => void }) => o.success({ confirm: true }))
  await tap('.unbind')
  expect(cloud.callFunction).toHaveBeenCalledWith({ name: 'unbindPhone', data: {} })
  expect(text()).toContain('已解绑手机号')
  expect(phoneAuth()).toBeDefined()
})

test('a failed unbind keeps the number and says why', async () => {
  route({ login: jest.fn().mockResolvedValue(login(phoneView())), unbindPhone: jest.fn().mockResolvedValue(resolved({ ok: false, error: errorInfo('DATABASE_ERROR') })) })
  wxAny.showModal = jest.fn((o: { success: (r: { confirm: boolean }) => void }) => o.success({ confirm: true }))
  const { text, tap } = await open()
  await tap('.unbind')
  expect(text()).toContain('138****8000')
  expect(text()).toContain(errorInfo('DATABASE_ERROR').message)
})

test('a number owned by another account: the page suggests using another number', async () => {
  route({ login: jest.fn().mockResolvedValue(login()), getPhoneNumber: jest.fn().mockResolvedValue(resolved({ ok: false, error: errorInfo('PHONE_ALREADY_BOUND') })) })
  const { text, tapPhone } = await open()
  await tapPhone({ errMsg: 'getPhoneNumber:ok', code: 'C3' })
  expect(text()).toContain('该号码属于另一个账号')
})

test('a denial leaves binding for later', async () => {
  const cloud = route({ login: jest.fn().mockResolvedValue(login()) })
  const { text, tapPhone } = await open()
  await tapPhone({ errMsg: 'getPhoneNumber:fail user deny' })
  expect(text()).toContain('稍后')
  expect(cloud.callFunction).toHaveBeenCalledTimes(1) // login only
})

test('a failed login is shown with a retry that works', async () => {
  route({ login: jest.fn().mockRejectedValueOnce(rejection(-1, 'request:fail timeout')).mockResolvedValueOnce(login()) })
  const { text, tap, phoneAuth } = await open()
  expect(text()).toContain(errorInfo('NETWORK_ERROR').message)
  expect(phoneAuth()).toBeUndefined()
  await tap('.retry-login')
  expect(text()).toContain('已登录 / Signed in')
  expect(phoneAuth()).toBeDefined()
})
