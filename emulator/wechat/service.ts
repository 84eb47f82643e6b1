/**
 * @module emulator/wechat/service — the simulated WeChat's lifecycle: loaded (or created and
 * seeded with the demo users) on start, flushed to `wechat.json` on stop.
 */
import { requireStarted, type Clock, type EmulatorService, type ServiceInfo } from '../types'
import type { EmulatorEvents } from '../events'
import { seedDemoUsers } from './demo-users'
import type { TestUser } from './state'
import { SimulatedWeChat } from './wechat'

export interface WeChatServiceOptions {
  dataDir?: string
  fresh?: boolean
  /** `--new-wechat`: a new WeChat beside the kept database. */
  newWeChat?: boolean
  seed?: string
  clock: Clock
  events: EmulatorEvents
  /**
   * What else in the data dir refers to WeChat's users (e.g. "the database holds 3 documents"),
   * read at start: a missing `wechat.json` next to it is refused.
   */
  dependents?: () => string | undefined
  /** The base URL WeChat's routes are served from (known once the server listens). */
  baseUrl: () => string
}

export class WeChatService implements EmulatorService {
  readonly name = 'wechat'
  private started?: SimulatedWeChat
  /** The demo users seeded on a fresh start (empty when the WeChat was loaded). */
  seededUsers: TestUser[] = []

  constructor(private readonly opts: WeChatServiceOptions) {}

  get wechat(): SimulatedWeChat {
    return requireStarted(this.started, this.name)
  }

  async start(): Promise<void> {
    this.started = new SimulatedWeChat({
      dataDir: this.opts.dataDir,
      fresh: this.opts.fresh,
      newWorld: this.opts.newWeChat,
      dependents: this.opts.dependents?.(),
      seed: this.opts.seed,
      clock: this.opts.clock,
      events: this.opts.events,
      onFreshState: (wx) => {
        this.seededUsers = seedDemoUsers(wx)
      },
    })
  }

  async stop(): Promise<void> {
    await this.started?.flush()
  }

  info(): ServiceInfo {
    return { name: this.name, url: this.opts.baseUrl() }
  }
}
