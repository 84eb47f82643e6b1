/**
 * @module server/cloud — the slice of wx-server-sdk phonebind uses, typed structurally.
 *
 * wx-server-sdk's own typings (index.d.ts) type most of this as `any` and predate
 * `runTransaction`'s real shapes, so we state what we rely on. Everything here is satisfied by
 * the real SDK at run time; tests never substitute it (they run it against the emulator).
 */

/** `cloud.getWXContext()`. All-digit values arrive as numbers (the SDK converts them). */
export interface WxContext {
  OPENID?: string | number
  APPID?: string | number
  UNIONID?: string | number
  /** The calling app's user and appid in a cross-account (环境共享) call (getWXContext docs). */
  FROM_OPENID?: string | number
  FROM_APPID?: string | number
  ENV?: string
  SOURCE?: string
}

export interface DocRef {
  get(): Promise<{ data: Record<string, unknown> | null }>
  set(options: { data: Record<string, unknown> }): Promise<unknown>
  update(options: { data: Record<string, unknown> }): Promise<{ stats?: { updated?: number } }>
  remove(): Promise<{ stats?: { removed?: number } }>
}

export interface CollectionRef {
  doc(id: string): DocRef
  add(options: { data: Record<string, unknown> }): Promise<{ _id?: string }>
}

/** Inside a transaction only doc-level operations (and add) carry the transaction id (wire §9). */
export interface TransactionRef {
  collection(name: string): CollectionRef
}

export interface Database {
  collection(name: string): CollectionRef
  /** `times` is the SDK's own conflict retry; it never fires through wx-server-sdk, we pass 0. */
  runTransaction<T>(fn: (tx: TransactionRef) => Promise<T>, times?: number): Promise<T>
  createCollection(name: string): Promise<unknown>
}

/** `phone_info` as the cloud call returns it (camelCased by the SDK). */
export interface PhoneInfo {
  phoneNumber?: unknown
  purePhoneNumber?: unknown
  countryCode?: unknown
  watermark?: { appid?: unknown; timestamp?: unknown }
}

export interface CloudSdk {
  init(options: Record<string, unknown>): void
  getWXContext(): WxContext
  database(options?: Record<string, unknown>): Database
  getOpenData(options: { list: string[] }): Promise<{ list: unknown[] }>
  openapi: { phonenumber: { getPhoneNumber(options: { code: string; openid?: string }): Promise<{ phoneInfo?: PhoneInfo }> } }
  DYNAMIC_CURRENT_ENV: symbol
}

let cached: CloudSdk | undefined

/**
 * The initialised SDK, once per process (a warm container reuses it). `require` rather than
 * `import` so a unit test of a pure server module never loads the SDK.
 */
export function getCloud(): CloudSdk {
  if (!cached) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require('wx-server-sdk') as CloudSdk
    sdk.init({ env: sdk.DYNAMIC_CURRENT_ENV })
    cached = sdk
  }
  return cached
}

const databases = new WeakMap<CloudSdk, Database>()

/**
 * The database with `doc().get()` answering `data: null` for a missing document instead of
 * throwing. One instance per SDK, reused by every invocation of a warm container: it holds
 * only configuration (the env is resolved per request by the SDK), and building it anew per
 * call was pure overhead on the bind path.
 */
export function getDatabase(cloud: CloudSdk): Database {
  let db = databases.get(cloud)
  if (!db) {
    db = cloud.database({ throwOnNotFound: false })
    databases.set(cloud, db)
  }
  return db
}
