/**
 * @module emulator/runner/service — the function runner's lifecycle: created on start (it needs
 * the server's URL for the functions' environment, so the registry starts it after `http`),
 * every worker killed on stop.
 *
 * It is also the functions port the routes call (`invoke`): the routes are mounted before the
 * runner exists, and a call reaching it before start (or after stop) fails plainly.
 */
import { requireStarted, type EmulatorService, type ServiceInfo } from '../types'
import { createRunner, type Runner, type RunnerOptions } from './runner'

export interface RunnerServiceOptions extends Omit<RunnerOptions, 'adminUrl' | 'defaultFunctionEnv'> {
  /** Read at start: the server listens by then. */
  adminUrl: () => string
  /** Read at start, e.g. the WeChat app's secret and API base. */
  defaultFunctionEnv?: () => Record<string, string>
}

export class RunnerService implements EmulatorService {
  readonly name = 'runner'
  private started?: Runner

  constructor(private readonly opts: RunnerServiceOptions) {}

  get runner(): Runner {
    return requireStarted(this.started, this.name)
  }

  readonly invoke: Runner['invoke'] = (...args) => this.runner.invoke(...args)

  async start(): Promise<void> {
    this.started = createRunner({ ...this.opts, adminUrl: this.opts.adminUrl(), defaultFunctionEnv: this.opts.defaultFunctionEnv?.() })
  }

  async stop(): Promise<void> {
    await this.started?.stop()
  }

  info(): ServiceInfo {
    return { name: this.name, address: this.opts.functionsDir }
  }
}
