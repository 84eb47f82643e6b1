/**
 * @module bench/lib/driver — what a load run does to the emulator, two ways.
 *
 * - `inProcessDriver(emu)`: the same path as the `/client` routes (`tapPhoneButton`, then
 *   `callFunctionAsClient` → runner → worker → real wx-server-sdk → `/admin`), minus the
 *   simulated client's own HTTP hop. The functions still reach CloudBase over HTTP.
 * - `httpDriver(client)`: everything through `EmulatorClient` (what the crash test must use:
 *   the emulator lives in another process).
 */
import type { RunningEmulator } from '../../emulator'
import type { EmulatorClient, FaultApi, FaultSpec, PhoneButtonDetail } from '../../emulator/client'
import { callFunctionAsClient } from '../../emulator/wechat/call-function'

/** What one `wx.cloud.callFunction` came back with. */
export type CallOutcome =
  /** The function returned (its `{ok,…}` result is in `result`). */
  | { kind: 'result'; result: unknown }
  /** `wx.cloud.callFunction` failed: -504002 (threw), -504003 (timeout), -404011 wrapper, … */
  | { kind: 'callError'; errCode: number; errMsg: string }
  /** No answer at all (connection refused / reset: the emulator died). */
  | { kind: 'transport'; message: string }

export type DbSnapshot = Record<string, Record<string, unknown>[]>

export interface Driver {
  readonly kind: 'in-process' | 'http'
  createUser(opts: { purePhoneNumber: string; countryCode?: string; baseLibrary?: string }): Promise<{ openid: string }>
  /** The user changes the number on their WeChat account (the next tap delivers it). */
  setWeChatPhone(openid: string, purePhoneNumber: string): Promise<void>
  /** `wx.login()` → a js code. */
  login(openid: string): Promise<string>
  tap(openid: string): Promise<PhoneButtonDetail>
  call(openid: string, name: string, data: Record<string, unknown>): Promise<CallOutcome>
  /** Every document of the named collections (default: all). */
  snapshot(collections?: string[]): Promise<DbSnapshot>
  setFault(api: FaultApi, fault: FaultSpec | null): Promise<void>
  setQuota(quota: number): Promise<void>
}

const ALL = 1_000_000

export function inProcessDriver(emu: RunningEmulator): Driver {
  const { wechat, store, runner } = emu
  return {
    kind: 'in-process',
    async createUser(opts) {
      return { openid: wechat.createUser(opts).openid }
    },
    async setWeChatPhone(openid, purePhoneNumber) {
      wechat.updateUser(openid, { purePhoneNumber })
    },
    async login(openid) {
      return wechat.login(openid).code
    },
    async tap(openid) {
      return wechat.tapPhoneButton(openid)
    },
    async call(openid, name, data) {
      try {
        const reply = await callFunctionAsClient({ wechat, functions: runner }, wechat.requireUser(openid), name, data)
        return 'errCode' in reply ? { kind: 'callError', errCode: reply.errCode, errMsg: reply.errMsg } : { kind: 'result', result: reply.result }
      } catch (e) {
        return { kind: 'transport', message: e instanceof Error ? e.message : String(e) }
      }
    },
    async snapshot(collections) {
      const out: DbSnapshot = {}
      for (const c of collections ?? store.listCollections()) out[c] = store.hasCollection(c) ? (store.find(c, {}) as Record<string, unknown>[]) : []
      return out
    },
    async setFault(api, fault) {
      wechat.setFault(api, fault)
    },
    async setQuota(quota) {
      wechat.setQuota(quota)
    },
  }
}

export function httpDriver(client: EmulatorClient): Driver {
  return {
    kind: 'http',
    async createUser(opts) {
      return { openid: (await client.createUser(opts)).openid }
    },
    async setWeChatPhone(openid, purePhoneNumber) {
      await client.updateUser(openid, { purePhoneNumber })
    },
    async login(openid) {
      return (await client.login(openid)).code
    },
    async tap(openid) {
      return client.tapPhoneButton(openid)
    },
    async call(openid, name, data) {
      try {
        const reply = await client.callFunctionRaw(openid, name, data)
        return 'errCode' in reply ? { kind: 'callError', errCode: reply.errCode, errMsg: reply.errMsg } : { kind: 'result', result: reply.result }
      } catch (e) {
        return { kind: 'transport', message: e instanceof Error ? e.message : String(e) }
      }
    },
    async snapshot(collections) {
      const out: DbSnapshot = {}
      for (const c of collections ?? (await client.collections())) out[c] = await client.db(c, ALL)
      return out
    },
    async setFault(api, fault) {
      await client.setFaults(api, fault)
    },
    async setQuota(quota) {
      await client.setQuota(quota)
    },
  }
}
