/**
 * A child process for the crash test: starts the emulator on a data directory and prints
 * `URL <url>` once it listens. SIGTERM stops it cleanly; the test uses SIGKILL to crash it.
 *
 *   node --import tsx emulatorProcess.ts <dataDir> <functionsDir>
 */
import { startEmulator } from '../../../emulator'

async function main(): Promise<void> {
  const [dataDir, functionsDir] = process.argv.slice(2)
  if (!dataDir || !functionsDir) throw new Error('usage: emulatorProcess.ts <dataDir> <functionsDir>')
  const emu = await startEmulator({ port: 0, dataDir, functionsDir, quiet: true, seed: 'crash-test', poolSize: 4 })
  process.stdout.write(`URL ${emu.url}\n`)
  process.once('SIGTERM', () => {
    void emu.stop().then(() => process.exit(0))
  })
}

main().catch((e: unknown) => {
  process.stderr.write(`emulator process failed: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
