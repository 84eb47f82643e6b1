/**
 * Counts this process's live function workers from the operating system's own process table,
 * not from the runner's bookkeeping: a runner that loses track of a worker must still be caught.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'

/** Pids of live (not zombie) children of this process whose command line runs `worker.cjs`. */
export function liveWorkerPids(): number[] {
  return existsSync('/proc/self/stat') ? fromProc() : fromPs()
}

function fromProc(): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      // "pid (comm) S ppid …": the state and ppid follow the last ')', as comm may hold spaces.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(ppid) !== process.pid || state === 'Z') continue
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('worker.cjs')) out.push(Number(name))
    } catch {
      // It exited while we looked: not live.
    }
  }
  return out
}

function fromPs(): number[] {
  const text = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' })
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, ppid, stat, ...args]) => Number(ppid) === process.pid && !stat?.startsWith('Z') && args.join(' ').includes('worker.cjs'))
    .map(([pid]) => Number(pid))
}

/**
 * Samples `liveWorkerPids()` every few milliseconds until `stop()` is called, and returns the
 * highest count seen (a sampler, so a short excursion can be missed, never invented).
 */
export function sampleWorkerCount(everyMs = 10): { stop: () => number } {
  let max = liveWorkerPids().length
  const timer = setInterval(() => {
    max = Math.max(max, liveWorkerPids().length)
  }, everyMs)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(max, liveWorkerPids().length)
    },
  }
}

/** Rejects when `p` has not settled after `ms` (a generous bound, not a timing assertion). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}
