import { ServiceRegistry } from './registry'
import type { EmulatorService } from './types'

function recorder(log: string[], name: string, fail: { start?: boolean; stop?: boolean } = {}): EmulatorService {
  return {
    name,
    start: async () => {
      if (fail.start) throw new Error('boom')
      log.push(`start ${name}`)
    },
    stop: async () => {
      log.push(`stop ${name}`)
      if (fail.stop) throw new Error(`${name} would not stop`)
    },
    info: () => ({ name, address: `addr-${name}` }),
  }
}

describe('ServiceRegistry', () => {
  it('starts in order, stops in reverse, and refuses a second start', async () => {
    const log: string[] = []
    const reg = new ServiceRegistry([recorder(log, 'a'), recorder(log, 'b'), recorder(log, 'c')])
    await reg.startAll()
    await expect(reg.startAll()).rejects.toThrow(/already running/)
    await reg.stopAll()
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a'])
    await expect(reg.startAll()).rejects.toThrow(/already stopped/)
  })

  it('stops what started, in reverse, when a later service fails to start, and starts nothing after it', async () => {
    const log: string[] = []
    const reg = new ServiceRegistry([recorder(log, 'a'), recorder(log, 'b'), recorder(log, 'c', { start: true }), recorder(log, 'd')])
    await expect(reg.startAll()).rejects.toThrow(/"c" failed to start: boom/)
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a'])
    expect(reg.running).toBe(false)
  })

  it('reports each started service in start order, and none once stopped', async () => {
    const reg = new ServiceRegistry([recorder([], 'a'), recorder([], 'b')])
    expect(reg.info()).toEqual([])
    await reg.startAll()
    expect(reg.info()).toEqual([
      { name: 'a', address: 'addr-a' },
      { name: 'b', address: 'addr-b' },
    ])
    await reg.stopAll()
    expect(reg.info()).toEqual([])
  })

  it('stops every service even when one fails to stop, reports that failure, and shares one stop between callers', async () => {
    const log: string[] = []
    const reg = new ServiceRegistry([recorder(log, 'a'), recorder(log, 'b', { stop: true }), recorder(log, 'c')])
    await reg.startAll()
    const [first, second] = await Promise.allSettled([reg.stopAll(), reg.stopAll()])
    expect(first).toEqual({ status: 'rejected', reason: new Error('b would not stop') })
    expect(second).toEqual(first)
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a'])
  })
})
