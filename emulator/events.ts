/**
 * @module emulator/events — what the emulator reports as it works, for logs and the console.
 *
 * Services emit; the console and tests listen. Payloads carry masked phone numbers only and
 * never a session key, code or secret.
 */
import { EventEmitter } from 'node:events'

export interface EmulatorEventMap {
  /** A function invocation began. */
  'invocation.start': { invocationId: string; functionName: string; openid: string; at: number }
  /** A function invocation ended; `resultCode` is the `error.code` of an `{ok:false}` result, or 'OK'. */
  'invocation.end': {
    invocationId: string
    functionName: string
    openid: string
    at: number
    durationMs: number
    resultCode: string
    logs: string[]
  }
  /** One `/admin` action, attributed to its invocation when known. */
  'admin.call': { invocationId?: string; action: string; detail?: string; durationMs: number; error?: string; at: number }
  /** `phonebind dev`: a function's files changed; calls from now on get the new code (`ok: false`: it does not build or parse). */
  'function.reload': { functionName: string; ok: boolean; files: string[]; error?: string; at: number }
  /** One simulated WeChat event (code issued, code exchanged, tap, fault injected, …). */
  'wechat.call': { invocationId?: string; api: string; openid?: string; errcode: number; at: number }
}

export type EmulatorEventName = keyof EmulatorEventMap

export class EmulatorEvents {
  private readonly emitter = new EventEmitter()

  constructor() {
    // The console may attach many listeners (one per open page).
    this.emitter.setMaxListeners(0)
  }

  emit<K extends EmulatorEventName>(name: K, payload: EmulatorEventMap[K]): void {
    this.emitter.emit(name, payload)
  }

  on<K extends EmulatorEventName>(name: K, listener: (payload: EmulatorEventMap[K]) => void): () => void {
    this.emitter.on(name, listener)
    return () => this.emitter.off(name, listener)
  }
}
