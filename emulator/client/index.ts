/**
 * @module emulator/client — a typed client for the emulator's simulated-client routes.
 *
 * What a mini program can do as a test user (`login`, `checkSession`, `tapPhoneButton`,
 * `callFunction`), plus the control knobs and a database view for assertions. Uses only the
 * global `fetch`, so tests, scripts and the mini program's end-to-end test can share it.
 *
 * @example
 * const client = new EmulatorClient('http://127.0.0.1:9090')
 * const [user] = await client.users()
 * const detail = await client.tapPhoneButton(user.openid)
 * const res = await client.callFunction(user.openid, 'getPhoneNumber', { code: detail.code })
 */
import type { PhoneButtonDetail } from '../../core/wechatCodes'
import type { CreateUserInput, PublicUser } from '../wechat/accounts'
import type { CallFunctionReply, CallFunctionSuccess } from '../wechat/call-function'
import type { CapturedWebhook } from '../wechat/charge-routes'
import type { MeterView, ResourcePackage } from '../wechat/meter'
import type { FaultApi, FaultSpec } from '../wechat/faults'
import type { InboxMessage, SmsFaults } from '../sms/state'
import type { TapOptions, TapOutcome } from '../wechat/phone'
import type { TestUser, WeChatApp } from '../wechat/state'

// The types this client speaks are the emulator's own, imported as types only: nothing of the
// emulator is loaded at run time, so the client still runs anywhere `fetch` does.

/** A test user as the emulator shows it (never with a session key); `hasSession` only in listings. */
export type EmulatorUser = TestUser & Partial<Pick<PublicUser, 'hasSession'>>

/** A mini program as clients see it: without its AppSecret. */
export type EmulatorApp = Omit<WeChatApp, 'secret'>

/** What `POST /client/users` accepts. */
export type CreateUserOptions = CreateUserInput

// `PhoneButtonDetail` is `e.detail` of the phone button: the type the mini program's code classifies.
export type { CallFunctionReply, CallFunctionSuccess, CapturedWebhook, FaultApi, FaultSpec, MeterView, PhoneButtonDetail, ResourcePackage, TapOptions, TapOutcome }
export type { InboxMessage, SmsFaults }

/** A rejected `callFunction`, shaped like `wx.cloud.callFunction`'s rejection. */
export class CloudCallError extends Error {
  constructor(
    readonly errCode: number,
    readonly errMsg: string,
  ) {
    super(errMsg)
    this.name = 'CloudCallError'
  }
}

/** A non-200 answer from the emulator (bad input, unknown user, …). */
export class EmulatorHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'EmulatorHttpError'
  }
}

/** Marks a value as `wx.cloud.CloudID(id)` for `callFunction` data: resolved at the top level, a plain id string when nested (as on WeChat). */
export function cloudID(id: string): { $cloudID: string } {
  return { $cloudID: id }
}

export class EmulatorClient {
  readonly baseUrl: string

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    let json: (T & { error?: string }) | undefined
    try {
      json = JSON.parse(text) as T & { error?: string }
    } catch {
      throw new EmulatorHttpError(res.status, `not JSON from ${method} ${path}: ${text.slice(0, 120)}`)
    }
    if (!res.ok) throw new EmulatorHttpError(res.status, json.error ?? `HTTP ${res.status}`)
    return json
  }

  // ---- users and apps ----

  async users(appid?: string): Promise<EmulatorUser[]> {
    const q = appid ? `?appid=${encodeURIComponent(appid)}` : ''
    return (await this.request<{ users: EmulatorUser[] }>('GET', `/client/users${q}`)).users
  }

  async apps(): Promise<{ apps: EmulatorApp[]; defaultAppid: string }> {
    return this.request('GET', '/client/apps')
  }

  /** A second mini program (its AppSecret stays inside the emulator). */
  async createApp(options: { name?: string; quota?: number } = {}): Promise<EmulatorApp> {
    return (await this.request<{ app: EmulatorApp }>('POST', '/client/apps', options)).app
  }

  async createUser(options: CreateUserOptions = {}): Promise<EmulatorUser> {
    return (await this.request<{ user: EmulatorUser }>('POST', '/client/users', options)).user
  }

  async updateUser(openid: string, patch: Partial<Pick<EmulatorUser, 'baseLibrary' | 'privacyAuthorized' | 'purePhoneNumber' | 'countryCode' | 'nickname'>>): Promise<EmulatorUser> {
    return (await this.request<{ user: EmulatorUser }>('POST', '/client/users/update', { openid, ...patch })).user
  }

  // ---- what the mini program does ----

  /** `wx.login()` → a single-use js code. */
  async login(openid: string): Promise<{ code: string }> {
    return this.request('POST', '/client/login', { openid })
  }

  /** `wx.checkSession()`: whether the user's session key is still the current one. */
  async checkSession(openid: string): Promise<boolean> {
    return (await this.request<{ ok: boolean }>('POST', '/client/checkSession', { openid })).ok
  }

  /** The user taps the phone button; resolves with the `detail` WeChat delivers. */
  async tapPhoneButton(openid: string, options: TapOptions = {}): Promise<PhoneButtonDetail> {
    return this.request('POST', '/client/tapPhoneButton', { openid, ...options })
  }

  /** `wx.cloud.callFunction`: resolves on success, rejects with a `CloudCallError` otherwise. */
  async callFunction<T = unknown>(openid: string, name: string, data?: Record<string, unknown>): Promise<CallFunctionSuccess<T>> {
    const reply = await this.callFunctionRaw<T>(openid, name, data)
    if ('errCode' in reply) throw new CloudCallError(reply.errCode, reply.errMsg)
    return reply
  }

  /** Like `callFunction`, but a failure is returned rather than thrown. */
  async callFunctionRaw<T = unknown>(openid: string, name: string, data?: Record<string, unknown>): Promise<CallFunctionReply<T>> {
    return this.request('POST', '/client/callFunction', { openid, name, data })
  }

  // ---- control ----

  async setFaults(api: FaultApi, fault: FaultSpec | null): Promise<Partial<Record<FaultApi, FaultSpec>>> {
    return (await this.request<{ faults: Partial<Record<FaultApi, FaultSpec>> }>('POST', '/client/control/faults', { api, fault })).faults
  }

  async faults(): Promise<Partial<Record<FaultApi, FaultSpec>>> {
    return (await this.request<{ faults: Partial<Record<FaultApi, FaultSpec>> }>('GET', '/client/control/faults')).faults
  }

  async setQuota(quota: number, appid?: string): Promise<EmulatorApp> {
    return this.updateApp({ quota, appid })
  }

  async updateApp(patch: { appid?: string; quota?: number; privacyDeclared?: boolean; phonePermission?: boolean }): Promise<EmulatorApp> {
    return (await this.request<{ app: EmulatorApp }>('POST', '/client/control/app', patch)).app
  }

  /** Every outstanding js code, phone code and cloudID becomes expired. */
  async expireCodes(): Promise<void> {
    await this.request('POST', '/client/control/expireCodes', {})
  }

  /** WeChat drops the user's session key (`checkSession` fails until the next login). */
  async expireSession(openid: string): Promise<void> {
    await this.request('POST', '/client/control/expireSession', { openid })
  }

  async setCountryCodeAsNumber(value: boolean): Promise<void> {
    await this.request('POST', '/client/control/countryCodeAsNumber', { value })
  }

  /** Back to the first-start state: demo users, full quota, no faults. */
  async reset(): Promise<EmulatorUser[]> {
    return (await this.request<{ users: EmulatorUser[] }>('POST', '/client/control/reset', {})).users
  }

  // ---- inspection ----

  /**
   * The documents of one collection (read-only view over the store, for assertions), with phone
   * numbers as stored (`reveal=1`). Session keys and other secrets are always hidden: a test
   * that needs one reads the store in process (`emulator.store.find('sessions', …)`).
   */
  async db<T = Record<string, unknown>>(collection: string, limit?: number): Promise<T[]> {
    const q = limit ? `?reveal=1&limit=${limit}` : '?reveal=1'
    return (await this.request<{ documents: T[] }>('GET', `/client/db/${encodeURIComponent(collection)}${q}`)).documents
  }

  async collections(): Promise<string[]> {
    return (await this.request<{ collections: string[] }>('GET', '/client/db')).collections
  }

  /** Creates a collection, as the CloudBase console does; fails (409) if it exists. */
  async createCollection(name: string): Promise<void> {
    await this.request('POST', '/client/db', { name })
  }

  // ---- cost guard (emulator/wechat/charge-routes.ts) ----

  /** The phone-quota meter: calls used, money spent, quota left, packages. */
  async quota(appid?: string): Promise<MeterView> {
    return this.request<MeterView>('GET', `/client/quota${appid ? `?appid=${encodeURIComponent(appid)}` : ''}`)
  }

  /** Buys (adds) a resource package of `calls`, in effect for `days` (default 365). */
  async addQuotaPackage(input: { calls: number; days?: number; startsInDays?: number; appid?: string }): Promise<{ package: ResourcePackage; meter: MeterView }> {
    return this.request('POST', '/client/quota/packages', input)
  }

  /** Ends a resource package now. */
  async expireQuotaPackage(pkgId: string, appid?: string): Promise<MeterView> {
    return (await this.request<{ meter: MeterView }>('POST', '/client/quota/expirePackage', { pkgId, appid })).meter
  }

  /** The webhook POSTs the emulator received on `/cgi-bin/webhook/send` (oldest first). */
  async webhooks(): Promise<CapturedWebhook[]> {
    return (await this.request<{ webhooks: CapturedWebhook[] }>('GET', '/client/webhooks')).webhooks
  }

  /**
   * Fires a timer trigger of function `name` now (no WeChat user): `triggerName`, or the first one
   * its config.json declares; a function with none is refused (HTTP 409). Its result.
   */
  async fireTimer<T = unknown>(name: string, triggerName?: string): Promise<{ ok: true; result: T; invocationId: string } | { ok: false; errCode: number; errMsg: string }> {
    return this.request('POST', '/client/timer', { name, triggerName })
  }

  /** The texts the simulated Tencent Cloud SMS delivered to `phone`, newest first (with their codes). */
  async smsInbox(phone: string): Promise<InboxMessage[]> {
    return (await this.request<{ messages: InboxMessage[] }>('GET', `/client/sms/inbox?phone=${encodeURIComponent(phone)}`)).messages
  }

  /** Every text, newest first; numbers masked unless `reveal`. */
  async smsMessages(reveal = false): Promise<InboxMessage[]> {
    return (await this.request<{ messages: InboxMessage[] }>('GET', `/client/sms/inbox${reveal ? '?reveal=1' : ''}`)).messages
  }

  /** Sets SMS faults (send failure, lost in delivery, rate limit) until switched off; answers all of them. */
  async setSmsFaults(faults: Partial<SmsFaults>): Promise<SmsFaults> {
    return this.request<SmsFaults>('POST', '/client/sms/faults', faults)
  }

  async smsFaults(): Promise<SmsFaults> {
    return this.request<SmsFaults>('GET', '/client/sms/faults')
  }
}
