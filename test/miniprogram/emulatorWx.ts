/**
 * The mini program's `wx`, routed to the emulator exactly where the platform would route it:
 * `wx.login`, `wx.checkSession` and `wx.cloud` (init, CloudID, callFunction) as the user `openid()`
 * names at call time. One definition for every suite that runs a mini program against the
 * emulator: the demo's e2e harness, the foreign project, the built uni-app and Taro apps.
 */
import { cloudID, type EmulatorClient } from '../../emulator/client'

const wxAny = wx as unknown as Record<string, unknown>

/**
 * Installs the routing. The user is read on every call, so a framework runtime that keeps the
 * `wx.cloud` object it first saw (uni-app's does) still calls as the current test user.
 */
export function routeWxToEmulator(client: () => EmulatorClient, openid: () => string): void {
  wxAny.login = (o: { success: (r: { code: string; errMsg: string }) => void; fail: (e: { errMsg: string }) => void }) => {
    client().login(openid()).then((r) => o.success({ code: r.code, errMsg: 'login:ok' }), () => o.fail({ errMsg: 'login:fail' }))
  }
  wxAny.checkSession = (o: { success: () => void; fail: () => void }) => {
    client().checkSession(openid()).then((ok) => (ok ? o.success() : o.fail()), () => o.fail())
  }
  wxAny.cloud = {
    init: () => undefined,
    CloudID: (value: string) => cloudID(value), // JSON form of wx.cloud.CloudID, resolved by the emulator
    callFunction: async ({ name, data }: { name: string; data: Record<string, unknown> }) => {
      const reply = await client().callFunctionRaw(openid(), name, data)
      if ('errCode' in reply) throw Object.assign(new Error(reply.errMsg), reply)
      return reply
    },
  }
}
