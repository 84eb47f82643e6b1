/**
 * @module emulator/console/feed — the emulator's events, kept and re-broadcast for the page.
 *
 * A bounded ring buffer lets a page opened late (or reconnecting with `Last-Event-ID`) see what
 * already happened. Payloads are already secret-free (see `../events.ts`); log lines get a last
 * scrub of mainland mobile numbers anyway, because the page is a screen others look at.
 */
import type { EmulatorEventMap, EmulatorEventName, EmulatorEvents } from '../events'
import { scrubPhones } from './sanitize'

/** One event as the page receives it. */
export type FeedEvent = {
  [K in EmulatorEventName]: { seq: number; type: K; payload: EmulatorEventMap[K] & { attributed?: 'openid' } }
}[EmulatorEventName]

export interface EventFeedOptions {
  /** How many events to keep for late subscribers (default 500). */
  capacity?: number
}

const TYPES: EmulatorEventName[] = ['invocation.start', 'invocation.end', 'admin.call', 'wechat.call']

export class EventFeed {
  private readonly buffer: FeedEvent[] = []
  private readonly listeners = new Set<(e: FeedEvent) => void>()
  private readonly open = new Map<string, string>() // invocationId → openid
  private readonly offs: (() => void)[]
  private readonly capacity: number
  private seq = 0

  constructor(events: EmulatorEvents, options: EventFeedOptions = {}) {
    this.capacity = options.capacity ?? 500
    this.offs = TYPES.map((type) => events.on(type, (payload) => this.push(type, payload)))
  }

  private push<K extends EmulatorEventName>(type: K, payload: EmulatorEventMap[K]): void {
    let p = payload as EmulatorEventMap[EmulatorEventName] & { attributed?: 'openid' }
    if (type === 'invocation.start') {
      const s = payload as EmulatorEventMap['invocation.start']
      this.open.set(s.invocationId, s.openid)
    } else if (type === 'invocation.end') {
      const e = payload as EmulatorEventMap['invocation.end']
      this.open.delete(e.invocationId)
      p = { ...e, logs: e.logs.map(scrubPhones) }
    } else if (type === 'wechat.call') {
      p = this.attribute(payload as EmulatorEventMap['wechat.call'])
    }
    const event = { seq: ++this.seq, type, payload: p } as FeedEvent
    this.buffer.push(event)
    if (this.buffer.length > this.capacity) this.buffer.shift()
    for (const l of this.listeners) l(event)
  }

  /**
   * `jscode2session` is a plain HTTP GET from the function, so WeChat cannot tell which
   * invocation made it. When exactly one invocation of that user is running, it is that one.
   */
  private attribute(call: EmulatorEventMap['wechat.call']): EmulatorEventMap['wechat.call'] & { attributed?: 'openid' } {
    if (call.invocationId || !call.openid || call.api.startsWith('tap.') || call.api === 'wx.login') return call
    const running = [...this.open].filter(([, openid]) => openid === call.openid)
    return running.length === 1 ? { ...call, invocationId: running[0]![0], attributed: 'openid' } : call
  }

  /** Buffered events after `afterSeq` (all of them by default). */
  recent(afterSeq = 0): FeedEvent[] {
    return this.buffer.filter((e) => e.seq > afterSeq)
  }

  subscribe(listener: (e: FeedEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Stops listening to the emulator (pages still connected get nothing more). */
  close(): void {
    for (const off of this.offs) off()
    this.listeners.clear()
  }
}
