/**
 * @module bench/lib/profile — a CPU profile of this process (the emulator, when it runs
 * in-process) via `node:inspector`, summarised as self time per area and per function.
 * Function workers are separate processes; their CPU is measured from /proc instead.
 */
import { Session } from 'node:inspector'
import { relative } from 'node:path'
import { round } from './stats'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

export interface ProfileSummary {
  /** Wall time profiled, ms. */
  wallMs: number
  /** Share of samples (%) by area: idle, gc, our emulator modules, node internals, deps. */
  byArea: Record<string, number>
  /** Top functions by self time (% of samples). */
  topFunctions: { fn: string; pct: number }[]
}

const ROOT = relative('/', process.cwd())

function area(url: string, fn: string): string {
  if (fn === '(idle)') return 'idle'
  if (fn === '(garbage collector)') return 'gc'
  if (fn === '(program)') return 'program (native/V8)'
  if (/phonebind-bench-[^/]+\/[A-Za-z]+\/index(\.deps-[^/]*)?\.js$/.test(url)) return 'function bundle (wx-server-sdk + ours)'
  const m = /\/emulator\/([a-z]+)\//.exec(url)
  if (m) return `emulator/${m[1]}`
  if (/\/emulator\/[a-z]+\.ts/.test(url)) return 'emulator'
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (dep) return dep[1]!
  if (url.startsWith('node:internal/http') || url.startsWith('node:_http') || url.startsWith('node:http')) return 'node http'
  if (url.startsWith('node:internal/child_process') || url.startsWith('node:child_process')) return 'node child_process (IPC)'
  if (url.startsWith('node:')) return 'node other'
  if (/\/bench\//.test(url)) return 'bench driver'
  if (/\/core\//.test(url)) return 'core'
  return url === '' ? 'native' : 'other'
}

export async function profile<T>(fn: () => Promise<T>): Promise<{ value: T; summary: ProfileSummary }> {
  const session = new Session()
  session.connect()
  const post = <R>(method: string, params?: object) =>
    new Promise<R>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as R))))
  await post('Profiler.enable')
  await post('Profiler.setSamplingInterval', { interval: 500 })
  await post('Profiler.start')
  let value: T
  let p: Profile
  try {
    value = await fn()
  } finally {
    p = (await post<{ profile: Profile }>('Profiler.stop')).profile
    session.disconnect()
  }
  const total = p.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1
  const areas: Record<string, number> = {}
  const fns: Record<string, number> = {}
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0
    if (!hits) continue
    const { functionName, url, lineNumber } = n.callFrame
    const a = area(url, functionName)
    areas[a] = (areas[a] ?? 0) + hits
    const where = url.startsWith('node:') ? url : url.replace(/^file:\/\//, '').replace(`/${ROOT}/`, '')
    const key = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim()
    fns[key] = (fns[key] ?? 0) + hits
  }
  const pct = (h: number) => round((h / total) * 100, 1)
  return {
    value,
    summary: {
      wallMs: round((p.endTime - p.startTime) / 1000),
      byArea: Object.fromEntries(Object.entries(areas).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, pct(v)])),
      topFunctions: Object.entries(fns)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15)
        .map(([fn, h]) => ({ fn, pct: pct(h) })),
    },
  }
}
