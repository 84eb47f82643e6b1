/**
 * Runs the emulator with the real built functions in a plain Node process for the mini program's
 * end-to-end test. It is a separate process because the test itself runs under jsdom (the
 * component needs a DOM), which lacks the Node globals the emulator uses (TextEncoder, fetch, …).
 *
 * Prints one JSON line `{ url, appid }` when ready; stops everything when stdin closes (the test
 * ends, or dies) or on SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator } from '../../emulator'
import { buildFunctions } from '../../scripts/buildFunctions'
import { PHONEBIND_FUNCTIONS } from '../../packages/phonebind/src/facts'

async function main(): Promise<void> {
  const outDir = await mkdtemp(join(tmpdir(), 'phonebind-mp-e2e-'))
  await buildFunctions({ root: join(__dirname, '..', '..', 'cloudfunctions'), outDir, functions: [...PHONEBIND_FUNCTIONS] })
  const emu = await startEmulator({ port: 0, fresh: true, functionsDir: outDir, quiet: true, seed: 'mp-e2e', poolSize: 1 })
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await emu.stop()
    await rm(outDir, { recursive: true, force: true })
    process.exit(0)
  }
  process.stdin.on('end', () => void stop())
  process.stdin.on('close', () => void stop())
  process.on('SIGTERM', () => void stop())
  process.stdin.resume()
  process.stdout.write(`${JSON.stringify({ url: emu.url, appid: emu.appid })}\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`e2e emulator failed to start: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
