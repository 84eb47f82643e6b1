/**
 * @module emulator/registry — starts the emulator's services in order and stops them in reverse.
 *
 * Only the registry starts or stops services (firebase-tools' `EmulatorRegistry`). A second
 * start is refused, and a failed start stops whatever already started, so a half-started
 * emulator never leaks workers or sockets. The order is the array given: a service comes after
 * those it reads at start (the runner after the server, whose URL its functions get).
 */
import type { EmulatorService, ServiceInfo } from './types'

export class ServiceRegistry {
  private readonly started: EmulatorService[] = []
  private state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle'
  private stopping?: Promise<void>

  constructor(private readonly services: EmulatorService[]) {}

  async startAll(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`emulator services already ${this.state}; create a new emulator instead`)
    this.state = 'starting'
    for (const service of this.services) {
      try {
        await service.start()
      } catch (e) {
        await this.stopAll()
        throw new Error(`emulator service "${service.name}" failed to start: ${e instanceof Error ? e.message : String(e)}`)
      }
      this.started.push(service)
    }
    this.state = 'running'
  }

  /** Stops in reverse start order; keeps going past a failing service and reports the first error. */
  stopAll(): Promise<void> {
    // Ctrl-C twice, or a test's afterAll racing a signal: everyone waits for the same stop.
    this.stopping ??= this.stopInOrder()
    return this.stopping
  }

  private async stopInOrder(): Promise<void> {
    this.state = 'stopping'
    let first: unknown
    for (const service of [...this.started].reverse()) {
      try {
        await service.stop()
      } catch (e) {
        first ??= e
      }
    }
    this.started.length = 0
    this.state = 'stopped'
    if (first) throw first
  }

  /** Each started service's address, in start order (empty before start and after stop). */
  info(): ServiceInfo[] {
    return this.started.map((service) => service.info())
  }

  get running(): boolean {
    return this.state === 'running'
  }
}
