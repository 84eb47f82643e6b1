/**
 * @module emulator/types — the seams between the emulator's services.
 *
 * store/    document store (mingo evaluates, append-only file persists)
 * tcb/      the CloudBase `/admin` endpoint the real SDK talks to: a dispatch table of actions
 * wechat/   simulated WeChat: users, codes, session keys, cloudIDs, quota, faults; the
 *           `wx.openApi` action handlers; jscode2session over HTTP; the simulated client
 * runner/   runs built function bundles in worker processes with the SCF environment
 * console/  the web page
 *
 * Services never import each other's internals: they meet through these types, wired together
 * by `emulator/index.ts`; each one's lifecycle (`EmulatorService`) is its `service.ts`, started
 * and stopped only by `emulator/registry.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Who is calling `/admin`: resolved from the `wxCloudApiToken` the SDK echoes on every request. */
export interface Invocation {
  /** The `WX_API_TOKEN` minted for this invocation. */
  token: string
  /** Unique per invocation; also the request id shown in logs. */
  invocationId: string
  functionName: string
  openid: string
  appid: string
  unionid?: string
  /** Its `getWXContext().SOURCE` chain, when not the default `wx_client` (see runner `CallerIdentity.source`). */
  source?: string
  /** `permissions.openapi` from the function's `config.json`, e.g. `phonenumber.getPhoneNumber`. */
  openapiPermissions: string[]
}

/** Token → invocation. The runner registers a token before `main()` and drops it after. */
export interface InvocationRegistry {
  register(invocation: Invocation): void
  unregister(token: string): void
  resolve(token: string | undefined): Invocation | undefined
}

/** Context every `/admin` action handler receives. */
export interface AdminContext {
  /** The `requestId` echoed in the response envelope. */
  requestId: string
  /** `envName` from the body (or `env` from the query string). */
  env: string
  /** The calling invocation, when the token is known (always, for functions run by our runner). */
  invocation?: Invocation
}

/** A parsed `/admin` request: JSON body fields, or multipart fields (binary parts stay Buffers). */
export type AdminBody = Record<string, unknown>

/**
 * What a handler returns. `json` is sent as `{...json, requestId}` with
 * `application/json; charset=utf-8`; `binary` is sent raw (protobuf for `wx.openApi`).
 */
export type AdminReply = { json: Record<string, unknown> } | { binary: Uint8Array; contentType: string }

export type ActionHandler = (body: AdminBody, ctx: AdminContext) => Promise<AdminReply>

/** One entry per `action` name, e.g. `database.getDocument`, `wx.openApi`, `functions.invokeFunction`. */
export type ActionTable = Record<string, ActionHandler>

/**
 * A CloudBase error in the wire envelope `{code, message}` (HTTP 200). The SDK maps `code`
 * through its TCB_ERR_CODE table; unknown names become -501001 (see reference §7).
 */
export class TcbError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'TcbError'
  }
}

/** An HTTP route a service mounts on the emulator's single server. Return false if not handled. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean

/** Where a started service can be reached: `url` for HTTP, `address` otherwise (a folder, "memory"). */
export interface ServiceInfo {
  name: string
  url?: string
  address?: string
}

/**
 * Lifecycle every service implements (firebase-tools' `EmulatorInstance`). Only the registry
 * calls `start` and `stop`; a service gets the others it needs in its constructor and reads
 * them once started.
 */
export interface EmulatorService {
  readonly name: string
  start(): Promise<void>
  stop(): Promise<void>
  /** Its address, once started. */
  info(): ServiceInfo
}

/** A started service's value, or a plain error naming the service that was used too early. */
export function requireStarted<T>(value: T | undefined, service: string): T {
  if (value === undefined) throw new Error(`emulator service "${service}" is not started`)
  return value
}

/** Injected time source, so lifetimes (5-minute codes) are testable without sleeping. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }
