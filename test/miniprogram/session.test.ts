/**
 * Launch: `wx.cloud.init` once and guarded, `login` once, and `wx.login` only when the legacy
 * path needs a session key the server does not have — so a session key is never rotated needlessly.
 */
import * as path from 'path'
import { errorInfo } from '../../core/errors'
import { installCloud, NPM_DIR, rejection, removeCloud, resolved, ROOT, weapp } from './helpers'

const { callFunction, getSession, initCloud, parseResult, relogin, resetSession, startSession } = weapp

const wxAny = wx as unknown as Record<string, unknown>
const saved = { checkSession: wx.checkSession, login: wx.login }
afterEach(() => {
  Object.assign(wxAny, saved)
  removeCloud()
  resetSession()
  jest.restoreAllMocks()
})

const loginData = (legacyReady: boolean) => resolved({ ok: true, data: { openid: 'o-user-1', appid: 'wx1', phone: null, legacyReady, created: false } })
function wxSession(valid: boolean) {
  const checkSession = jest.fn((o: { success: () => void; fail: () => void }) => (valid ? o.success() : o.fail()))
  const login: jest.Mock = jest.fn((o: { success: (r: { code: string }) => void }) => o.success({ code: `JS-${login.mock.calls.length}` }))
  Object.assign(wxAny, { checkSession, login })
  return { checkSession, login }
}
const calls = (cloud: { callFunction: jest.Mock }) => cloud.callFunction.mock.calls.map((c) => c[0])

describe('startSession', () => {
  test('without the legacy path: one login call, no wx.login, no checkSession', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue(loginData(false)))
    const wxs = wxSession(true)
    const res = await startSession({ legacy: false })
    expect(res.ok).toBe(true)
    expect(calls(cloud)).toEqual([{ name: 'login', data: {} }])
    expect(wxs.login).not.toHaveBeenCalled()
    expect(wxs.checkSession).not.toHaveBeenCalled()
  })

  test('legacy, WeChat session valid and the server holds a key: no wx.login (the key is not rotated)', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue(loginData(true)))
    const wxs = wxSession(true)
    await startSession({ legacy: true })
    expect(calls(cloud)).toEqual([{ name: 'login', data: {} }])
    expect(wxs.login).not.toHaveBeenCalled()
  })

  test('legacy, session valid but the server has no key yet: one wx.login, its code sent once', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValueOnce(loginData(false)).mockResolvedValueOnce(loginData(true)))
    const wxs = wxSession(true)
    const res = await startSession({ legacy: true })
    expect(calls(cloud)).toEqual([{ name: 'login', data: {} }, { name: 'login', data: { code: 'JS-1' } }])
    expect(wxs.login).toHaveBeenCalledTimes(1)
    expect(res.ok && res.data.legacyReady).toBe(true)
  })

  test('legacy, session expired: wx.login straight away', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue(loginData(true)))
    wxSession(false)
    await startSession({ legacy: true })
    expect(calls(cloud)).toEqual([{ name: 'login', data: { code: 'JS-1' } }])
  })

  test('runs once however many pages ask', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue(loginData(false)))
    await Promise.all([startSession({ legacy: false }), startSession({ legacy: false }), getSession()])
    expect(cloud.callFunction).toHaveBeenCalledTimes(1)
  })

  test('a failed launch does not stick: the next page tries again', async () => {
    const cloud = installCloud(jest.fn().mockRejectedValueOnce(rejection(-1, 'request:fail')).mockResolvedValueOnce(loginData(false)))
    const first = await startSession({ legacy: false })
    expect(first).toEqual({ ok: false, error: errorInfo('NETWORK_ERROR', { wechatCode: -1 }) })
    const second = await getSession()
    expect(second.ok).toBe(true)
    expect(cloud.callFunction).toHaveBeenCalledTimes(2)
  })

  test('relogin always gets a fresh code; a failed wx.login is LOGIN_REQUIRED', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue(loginData(true)))
    wxSession(true)
    await relogin()
    expect(calls(cloud)).toEqual([{ name: 'login', data: { code: 'JS-1' } }])
    wxAny.login = jest.fn((o: { fail: () => void }) => o.fail())
    expect(await relogin()).toEqual({ ok: false, error: errorInfo('LOGIN_REQUIRED') })
  })
})

describe('initCloud and App', () => {
  test('initialises with the env and traceUser', () => {
    const cloud = installCloud()
    expect(initCloud('prod-1a2b')).toBe(true)
    expect(cloud.init).toHaveBeenCalledWith({ env: 'prod-1a2b', traceUser: true })
  })

  test('is guarded where wx.cloud does not exist', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    removeCloud()
    expect(initCloud('prod-1a2b')).toBe(false)
    expect(warn).toHaveBeenCalled()
  })

  test('app.ts initialises cloud and starts the session at launch', async () => {
    const cloud = installCloud(jest.fn().mockResolvedValue(loginData(false)))
    let options: { onLaunch: () => void } | undefined
    ;(globalThis as unknown as { App: unknown }).App = (o: { onLaunch: () => void }) => { options = o }
    jest.isolateModules(() => { require(path.join(ROOT, 'app')) })
    options!.onLaunch()
    await new Promise((r) => setTimeout(r, 0))
    expect(cloud.init).toHaveBeenCalledWith({ traceUser: true })
    expect(calls(cloud)).toEqual([{ name: 'login', data: {} }])
  })
})

describe('callFunction', () => {
  test('validates the result shape', () => {
    expect(parseResult({ ok: true, data: { released: true } })).toEqual({ ok: true, data: { released: true } })
    expect(parseResult('text')).toEqual({ ok: false, error: errorInfo('CLOUD_FUNCTION_FAILED') })
    expect(parseResult({ ok: false, error: { code: 'NOT_A_CODE' } })).toEqual({ ok: false, error: errorInfo('CLOUD_FUNCTION_FAILED') })
    expect(parseResult({ ok: false, error: { code: 'INVALID_INPUT', field: 'code', message: 'x', messageEn: 'x', retryable: false } }))
      .toEqual({ ok: false, error: errorInfo('INVALID_INPUT', { field: 'code' }) })
  })

  test('without wx.cloud it answers instead of throwing', async () => {
    removeCloud()
    expect(await callFunction('unbindPhone', {})).toEqual({ ok: false, error: errorInfo('CLOUD_NOT_INITIALIZED') })
  })

  test('maps the -404011 wrapper by the code inside errMsg', async () => {
    installCloud(jest.fn().mockRejectedValue(rejection(-404011, 'cloud.callFunction:fail requestID 9, cloud function service error code -501000, error message FunctionName parameter could not be found.')))
    const res = await callFunction('login', {})
    expect(res).toMatchObject({ ok: false, error: { code: 'CLOUD_FUNCTION_NOT_FOUND', wechatCode: -501000 } })
  })
})

describe('one package instance', () => {
  test('the app, the pages and phone-auth share one session module (one file per module, not a bundle per entry)', () => {
    // What app.ts and the page import, as WeChat resolves it: miniprogram_npm/phonebind-weapp/index.js.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('phonebind-weapp')).toBe(weapp)
    // What phone-auth/index.js reaches through ../services/phoneBinding → ./session.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const componentSide = require(path.join(NPM_DIR, 'phonebind-weapp/services/session'))
    expect(componentSide.getSession).toBe(weapp.getSession)
    expect(componentSide.relogin).toBe(weapp.relogin)
  })
})
