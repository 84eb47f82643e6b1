/**
 * @module bench/functionProfile — where a function worker's CPU goes during a bind.
 *
 * Workers are plain `node` processes without an inspector, so this loads the same built
 * `getPhoneNumber` bundle into the bench process with the SCF environment and an invocation
 * token registered exactly as the runner does, and profiles sequential binds. The emulator runs
 * in this process too; the profile separates the bundle's own code (wx-server-sdk and ours,
 * bundled) from the emulator's and from node's HTTP stack, which both sides use.
 */
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import type { RunningEmulator } from '../emulator'
import { scfEnvironment } from '../emulator/runner/runner'
import { readFunctionConfig } from '../emulator/runner/functionConfig'
import { profile, type ProfileSummary } from './lib/profile'
import { round } from './lib/stats'
import { uniqueNumber } from './lib/workload'

export interface FunctionProfileResult {
  binds: number
  /** Wall ms per sequential bind, in-process (no IPC, no worker). */
  msPerBind: number
  summary: ProfileSummary
}

export async function profileFunction(emu: RunningEmulator, bundlePath: string, opts: { binds: number; firstNumber: number }): Promise<FunctionProfileResult> {
  const saved = { ...process.env }
  // The function logs (JSON lines) to the console; the bench's stdout carries only its JSON.
  const quiet = silenceConsole()
  Object.assign(process.env, scfEnvironment({ env: emu.env, adminUrl: emu.adminUrl }))
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(bundlePath) as { main: (event: unknown, ctx: unknown) => Promise<{ ok: boolean }> }
  const permissions = readFunctionConfig(dirname(bundlePath)).openapiPermissions
  const users = Array.from({ length: opts.binds }, (_, i) => emu.wechat.createUser({ purePhoneNumber: uniqueNumber(opts.firstNumber + i) }))
  const bindOnce = async (i: number) => {
    const user = users[i]!
    const code = emu.wechat.tapPhoneButton(user.openid).code
    const token = `emu-bench-${randomUUID()}`
    emu.invocations.register({ token, invocationId: randomUUID(), functionName: 'getPhoneNumber', openid: user.openid, appid: user.appid, openapiPermissions: permissions })
    Object.assign(process.env, { WX_OPENID: user.openid, WX_APPID: user.appid, WX_API_TOKEN: token })
    try {
      const r = await mod.main({ code }, {})
      if (!r.ok) throw new Error(`profiled bind failed: ${JSON.stringify(r)}`)
    } finally {
      emu.invocations.unregister(token)
    }
  }
  try {
    await bindOnce(0) // first call: lazy modules, sockets
    const t0 = performance.now()
    const { summary } = await profile(async () => {
      for (let i = 1; i < opts.binds; i++) await bindOnce(i)
    })
    return { binds: opts.binds - 1, msPerBind: round((performance.now() - t0) / (opts.binds - 1), 2), summary }
  } finally {
    quiet.restore()
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k]
    Object.assign(process.env, saved)
  }
}

/** The bundle path of a built function in `dir`. */
export const bundleOf = (dir: string, name: string) => join(dir, name, 'index.js')

function silenceConsole(): { restore(): void } {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const
  const saved = methods.map((m) => console[m])
  const write = process.stdout.write
  for (const m of methods) console[m] = () => {}
  process.stdout.write = (() => true) as typeof process.stdout.write
  return {
    restore() {
      methods.forEach((m, i) => (console[m] = saved[i]!))
      process.stdout.write = write
    },
  }
}
