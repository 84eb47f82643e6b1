/**
 * @module emulator/wechat/accounts — operations on apps and test users, each over a `WeChatState`.
 */
import { FREE_TRIAL_CALLS, newMeter, setQuotaLeft } from './meter'
import type { TestUser, WeChatApp, WeChatState } from './state'

/** A new app's quota: WeChat's free trial of 1,000 calls (./meter.ts). */
export const DEFAULT_QUOTA = FREE_TRIAL_CALLS
/** The newest base library we model; new users run it unless told otherwise. */
export const LATEST_BASE_LIBRARY = '3.4.2'
/** `__proto__`, `constructor`, `hasOwnProperty`, …: refused as custom openids. */
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype))

export interface CreateUserInput {
  appid?: string
  openid?: string
  /** `true` (default) makes one up; `false` gives the user none. */
  unionid?: string | boolean
  purePhoneNumber?: string
  countryCode?: string
  baseLibrary?: string
  privacyAuthorized?: boolean
  nickname?: string
}

/** A user as shown to clients: no session key, ever. */
export type PublicUser = TestUser & { hasSession: boolean }

export type AppPatch = Partial<Pick<WeChatApp, 'quota' | 'privacyDeclared' | 'phonePermission' | 'name'>>
export type UserPatch = Partial<Pick<TestUser, 'baseLibrary' | 'privacyAuthorized' | 'purePhoneNumber' | 'countryCode' | 'nickname'>>

// ---- apps ------------------------------------------------------------------------------

export function createApp(state: WeChatState, input: { name?: string; quota?: number } = {}): WeChatApp {
  const app: WeChatApp = {
    appid: state.ids.appid(),
    secret: state.ids.appSecret(),
    name: input.name ?? 'test app',
    quota: input.quota ?? DEFAULT_QUOTA,
    privacyDeclared: true,
    phonePermission: true,
  }
  state.snapshot.apps[app.appid] = app
  state.snapshot.meters[app.appid] = newMeter(state, app.appid, app.quota)
  state.save()
  return app
}

/** Apps without their secrets, for client listings. */
export function listApps(state: WeChatState): Omit<WeChatApp, 'secret'>[] {
  return Object.values(state.snapshot.apps).map(({ secret: _secret, ...rest }) => rest)
}

export function updateApp(state: WeChatState, appid: string, patch: AppPatch): WeChatApp {
  const app = state.requireApp(appid)
  if (patch.quota !== undefined && !(Number.isInteger(patch.quota) && patch.quota >= 0)) throw new TypeError('quota must be a non-negative integer')
  const { quota, ...rest } = patch
  Object.assign(app, rest)
  // "Set the quota left" is a meter operation: it keeps app.quota in step with the meter.
  if (quota !== undefined) setQuotaLeft(state, appid, quota)
  state.save()
  return app
}

// ---- users -----------------------------------------------------------------------------

export function createUser(state: WeChatState, input: CreateUserInput = {}): TestUser {
  const appid = input.appid ?? state.defaultAppid
  state.requireApp(appid)
  const openid = input.openid ?? state.ids.openid()
  if (!/^[A-Za-z0-9_-]{6,64}$/.test(openid) || /^-?\d+$/.test(openid)) throw new TypeError('openid must be 6-64 of [A-Za-z0-9_-] and not all digits')
  // WeChat never issues these, and the ids travel on into functions and the database.
  if (PROTOTYPE_NAMES.has(openid)) throw new TypeError(`openid must not be a JavaScript prototype name (${openid})`)
  if (state.snapshot.users[openid]) throw new TypeError(`openid ${openid} already exists`)
  const countryCode = input.countryCode ?? '86'
  if (!/^\d{1,4}$/.test(countryCode)) throw new TypeError('countryCode must be 1-4 digits')
  const purePhoneNumber = input.purePhoneNumber ?? (countryCode === '86' ? '13' + state.ids.digits(9) : state.ids.digits(8))
  if (!/^\d{4,15}$/.test(purePhoneNumber)) throw new TypeError('purePhoneNumber must be 4-15 digits')
  const baseLibrary = input.baseLibrary ?? LATEST_BASE_LIBRARY
  if (!/^\d+\.\d+\.\d+$/.test(baseLibrary)) throw new TypeError('baseLibrary must look like 2.21.2')
  const unionid = input.unionid === false ? undefined : typeof input.unionid === 'string' ? input.unionid : state.ids.unionid()
  const user: TestUser = {
    openid,
    appid,
    ...(unionid ? { unionid } : {}),
    purePhoneNumber,
    countryCode,
    baseLibrary,
    privacyAuthorized: input.privacyAuthorized ?? true,
    ...(input.nickname ? { nickname: input.nickname } : {}),
    createdAt: state.clock.now(),
  }
  state.snapshot.users[openid] = user
  state.save()
  return user
}

export function updateUser(state: WeChatState, openid: string, patch: UserPatch): TestUser {
  const user = state.requireUser(openid)
  Object.assign(user, patch)
  state.save()
  return user
}

export function listUsers(state: WeChatState, appid?: string): PublicUser[] {
  return Object.values(state.snapshot.users)
    .filter((u) => !appid || u.appid === appid)
    .map((u) => ({ ...u, hasSession: state.checkSession(u.openid) }))
}
