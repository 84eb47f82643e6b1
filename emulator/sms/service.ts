/**
 * @module emulator/sms/service — the simulated Tencent Cloud SMS's lifecycle: its account and
 * inboxes made on start (in memory), its routes mounted on the emulator's one server.
 */
import { requireStarted, type Clock, type EmulatorService, type RouteHandler, type ServiceInfo } from '../types'
import { createSmsApiRoute, SMS_API_PATH } from './api'
import { createSmsControlRoutes } from './control'
import { SmsState } from './state'

export class SmsService implements EmulatorService {
  readonly name = 'sms'
  private started?: SmsState

  constructor(private readonly opts: { clock: Clock; baseUrl: () => string }) {}

  get state(): SmsState {
    return requireStarted(this.started, this.name)
  }

  async start(): Promise<void> {
    this.started = new SmsState(this.opts.clock)
  }

  async stop(): Promise<void> {}

  /** The SendSms API and the inbox/fault routes. */
  routes(): RouteHandler[] {
    return [createSmsApiRoute(this.state), createSmsControlRoutes(this.state)]
  }

  /** The endpoint functions are given (`PHONEBIND_SMS_ENDPOINT`). */
  endpoint(): string {
    return `${this.opts.baseUrl()}${SMS_API_PATH.slice(0, -1)}`
  }

  info(): ServiceInfo {
    return { name: this.name, url: this.started ? this.endpoint() : undefined }
  }
}
