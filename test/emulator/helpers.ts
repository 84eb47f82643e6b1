/**
 * Test helpers: build the probe fixtures once per suite into a temp dir, and start an emulator
 * on a free port with fresh state.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFunctions } from '../../scripts/buildFunctions'
import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from '../../emulator'

export async function buildFixtures(): Promise<{ dir: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'phonebind-fixtures-'))
  await buildFunctions({ root: join(__dirname, 'fixtures'), outDir: dir, minify: false })
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export function startTestEmulator(functionsDir: string, options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ functionsDir, quiet: true, seed: 'test', poolSize: 2, ...options })
}

/** True while a process with this pid runs (a zombie awaiting its reaper counts as dead). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …" — the state letter follows the closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}
