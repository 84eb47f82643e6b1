/**
 * @module scripts/build — `npm run build`: bundles every cloud function for upload.
 *
 *   npm run build                      all of cloudfunctions/*
 *   npm run build -- login getOpenData only these
 *   npm run build -- --external wx-server-sdk   leave the SDK to the cloud's npm install
 *   npm run build -- --no-minify      readable output
 *   npm run build -- --minify-all     also mangle names (smaller, but slower to load)
 *   npm run build -- --no-lazy        one self-contained index.js, no index.deps-*.js
 *
 * A full build also refreshes the mini program's copies of the shared core files
 * (`miniprogram/shared/`, committed so devtools opens a fresh clone) and compiles the emulator
 * console. Under CI it does not rewrite the copies: there the sharedSync test must see what was
 * committed, so a stale copy fails CI instead of being fixed in a throwaway clone.
 */
import { join } from 'node:path'
import { buildConsole } from '../emulator/console/build'
import { buildFunctions, formatBytes } from './buildFunctions'
import { syncShared } from './syncMiniprogramShared'

function parseArgs(argv: string[]): { functions?: string[]; external?: string[]; minify?: boolean; lazy?: boolean; root: string } {
  const functions: string[] = []
  const external: string[] = []
  let minify: boolean | undefined
  let lazy: boolean | undefined
  let root = join(__dirname, '..', 'cloudfunctions')
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--external') external.push(argv[++i] ?? '')
    else if (a === '--no-minify') minify = false
    else if (a === '--minify-all') minify = true
    else if (a === '--no-lazy') lazy = false
    else if (a === '--root') root = argv[++i] ?? root
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`)
    else functions.push(a)
  }
  return { functions: functions.length ? functions : undefined, external: external.length ? external : undefined, minify, lazy, root }
}

async function run(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  console.log(`Building cloud functions in ${args.root} …`)
  const report = await buildFunctions({ ...args, log: (l) => console.log(l) })
  const total = report.functions.reduce((s, f) => s + f.bytes, 0)
  if (report.functions.length === 0) console.log('  (no function folder with an index.ts)')
  console.log(`Built ${report.functions.length} function(s), ${formatBytes(total)} in ${Math.round(report.totalMs)} ms`)
  if (args.functions) return // a partial build is about functions only

  if (!process.env.CI) {
    const changed = syncShared()
    console.log(changed.length ? `Mini program shared code updated: ${changed.join(', ')} (commit these)` : 'Mini program shared code is up to date')
  }
  const consoleBundle = await buildConsole({ outDir: join(__dirname, '..', 'build', 'console') })
  console.log(`Built the emulator console (${formatBytes(consoleBundle.js.length)} of script)`)
}

run().catch((e: unknown) => {
  console.error(`Build failed: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
