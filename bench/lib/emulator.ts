/**
 * @module bench/lib/emulator — build the real cloud functions into a private folder and start an
 * emulator on them (port 0, fresh state). Each caller gets its own build so a parallel test
 * never swaps a bundle under another one's warm workers.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from '../../emulator'
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
