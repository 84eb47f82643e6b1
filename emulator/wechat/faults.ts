/**
 * @module emulator/wechat/faults — injected failures, deterministic under a seed.
 *
 * A fault hits the n-th call of an API since the fault was set when either n ≤ `next`, or
 * `hash(seed, api, epoch, n) < rate`. The decision depends only on the seed and the call index
 * of that API, so a test (or a bug report) with the same seed replays the same failures.
 */
import { hashUnit } from './random'

export const FAULT_APIS = ['jscode2session', 'getPhoneNumber', 'getOpenData'] as const
export type FaultApi = (typeof FAULT_APIS)[number]

/** `-1` system busy or `45011` rate limit — what WeChat returns under load. */
export type FaultErrcode = -1 | 45011

export interface FaultSpec {
  /** The errcode a hit returns; omit for latency only. */
  errcode?: FaultErrcode
  /** Probability in [0, 1] that a call is hit. */
  rate?: number
  /** The next N calls are hit (before `rate` applies). */
  next?: number
  /** Milliseconds added to every call of this API (hit or not). */
  latencyMs?: number
}

export interface FaultDecision {
  errcode?: FaultErrcode
  latencyMs: number
}

interface ActiveFault {
  spec: FaultSpec
  calls: number
  epoch: number
}

export function isFaultApi(value: unknown): value is FaultApi {
  return typeof value === 'string' && (FAULT_APIS as readonly string[]).includes(value)
}

/** Throws a TypeError naming the bad field; used by the control routes. */
export function validateFaultSpec(spec: unknown): FaultSpec {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('fault spec must be an object')
  const s = spec as Record<string, unknown>
  if (s.errcode !== undefined && s.errcode !== -1 && s.errcode !== 45011) throw new TypeError('errcode must be -1 or 45011')
  if (s.rate !== undefined && !(typeof s.rate === 'number' && s.rate >= 0 && s.rate <= 1)) throw new TypeError('rate must be in [0, 1]')
  if (s.next !== undefined && !(Number.isInteger(s.next) && (s.next as number) >= 0)) throw new TypeError('next must be a non-negative integer')
  if (s.latencyMs !== undefined && !(typeof s.latencyMs === 'number' && s.latencyMs >= 0 && s.latencyMs <= 60_000)) {
    throw new TypeError('latencyMs must be in [0, 60000]')
  }
  if ((s.rate !== undefined || s.next !== undefined) && s.errcode === undefined) throw new TypeError('rate/next need an errcode')
  return { errcode: s.errcode as FaultErrcode | undefined, rate: s.rate as number | undefined, next: s.next as number | undefined, latencyMs: s.latencyMs as number | undefined }
}

export class FaultInjector {
  private readonly active = new Map<FaultApi, ActiveFault>()
  private epoch = 0

  constructor(private readonly seed: string) {}

  /** Sets (or with `null` clears) the fault of one API; the call index restarts at 1. */
  set(api: FaultApi, spec: FaultSpec | null): void {
    this.epoch += 1
    if (spec === null) this.active.delete(api)
    else this.active.set(api, { spec: { ...spec }, calls: 0, epoch: this.epoch })
  }

  clear(): void {
    this.active.clear()
  }

  list(): Partial<Record<FaultApi, FaultSpec>> {
    const out: Partial<Record<FaultApi, FaultSpec>> = {}
    for (const [api, f] of this.active) out[api] = { ...f.spec }
    return out
  }

  /** Decides the fate of one call; counts it. */
  decide(api: FaultApi): FaultDecision {
    const f = this.active.get(api)
    if (!f) return { latencyMs: 0 }
    f.calls += 1
    const { errcode, rate = 0, next = 0, latencyMs = 0 } = f.spec
    if (errcode === undefined) return { latencyMs }
    const hit = f.calls <= next || (rate > 0 && hashUnit(this.seed, 'fault', api, f.epoch, f.calls - next) < rate)
    return hit ? { errcode, latencyMs } : { latencyMs }
  }
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}
