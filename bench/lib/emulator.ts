/**
 * @module bench/lib/emulator — build the real cloud functions into a private folder and start an
 * emulator on them (port 0, fresh state). Each caller gets its own build so a parallel test
 * never swaps a bundle under another one's warm workers.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from '../../emulator'
import { smsFunctionEnv, wechatFunctionEnv } from '../../emulator/config'
import { buildFunctions, type FunctionBuildResult } from '../../scripts/buildFunctions'
import { PHONEBIND_FUNCTIONS } from '../../packages/phonebind/src/facts'

export const FUNCTIONS = PHONEBIND_FUNCTIONS
export const PROJECT_ROOT = join(__dirname, '..', '..')

export interface BuiltFunctions {
  dir: string
  functions: FunctionBuildResult[]
  cleanup(): void
}

/** Bundles `cloudfunctions/*` with the build's defaults (what `npm run build` ships). */
export async function buildIntoTemp(prefix = 'phonebind-bench-'): Promise<BuiltFunctions> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const report = await buildFunctions({ root: join(PROJECT_ROOT, 'cloudfunctions'), outDir: dir, functions: [...FUNCTIONS] })
  return { dir, functions: report.functions, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export function startBenchEmulator(functionsDir: string, options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, fresh: true, quiet: true, seed: 'bench', functionsDir, ...options })
}

/**
 * The extra environment the emulator's runner gives every function (WeChat app secret and API
 * base, the SMS account and endpoint), for a function run outside the runner, as the cold-load
 * probes are: built from the same helpers the emulator uses (emulator/index.ts).
 */
export function emulatorFunctionEnv(emu: RunningEmulator): Record<string, string> {
  const app = emu.wechat.getApp()
  const smsEndpoint = emu.services.find((s) => s.name === 'sms')?.url
  if (!app || !smsEndpoint) throw new Error('bench: the emulator has no default app or no SMS service')
  return { ...wechatFunctionEnv({ appSecret: app.secret, apiBase: emu.url, appid: app.appid }), ...smsFunctionEnv(emu.sms.account, smsEndpoint) }
}
