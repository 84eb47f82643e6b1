// Child process for the kill -9 tests: the emulator on a data directory (no functions), printing
// `URL <url>` once it listens.   node --import tsx emulatorChild.ts <dataDir> <functionsDir>
import { startEmulator } from '../../../emulator'

const [dataDir, functionsDir] = process.argv.slice(2)
startEmulator({ port: 0, dataDir, functionsDir, quiet: true, seed: 'kill-test' }).then(
  (emu) => process.stdout.write(`URL ${emu.url}\n`),
  (e: unknown) => {
    process.stderr.write(`emulator failed: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  },
)
