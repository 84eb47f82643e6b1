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
 * A full build also builds the `phonebind-weapp` package (packages/weapp → miniprogram_dist/,
 * with core's runtime compiled in), runs 构建npm on the demo mini program with WeChat's own
 * `miniprogram-ci` (→ miniprogram/miniprogram_npm/, as devtools' 工具 → 构建npm would), and
 * compiles the emulator console.
 */
import { join } from 'node:path'
import { buildConsole } from '../emulator/console/build'
import { buildFunctions, formatBytes } from './buildFunctions'
import { buildWeapp } from '../packages/weapp/scripts/build'
import { hasMiniprogramCi, packMiniprogramNpm } from './packMiniprogramNpm'

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

  const weapp = await buildWeapp()
  console.log(`Built phonebind-weapp: ${weapp.js.length} modules, ${formatBytes(weapp.bytes)} in packages/weapp/miniprogram_dist`)
  if (!hasMiniprogramCi() && !process.env.CI) {
    // A checkout whose node_modules predates miniprogram-ci: the functions still build; only the
    // mini program's suites need 构建npm, and they say so. CI installs from the lock and is strict.
    console.warn('构建npm skipped: miniprogram-ci is not installed (run npm install); the mini program tests need miniprogram/miniprogram_npm')
  } else {
    const npm = await packMiniprogramNpm()
    for (const note of npm.notes) console.log(`  note: ${note}`)
    for (const warning of npm.warnings) console.warn(`  warning: ${warning}`)
    if (npm.miniprogramPackages === 0) throw new Error('构建npm packed no mini-program package: is phonebind-weapp in package.json dependencies?')
    console.log(`构建npm (miniprogram-ci packNpm): ${npm.miniprogramPackages} mini-program package(s) → ${npm.outputs.join(', ')}`)
  }
  const consoleBundle = await buildConsole({ outDir: join(__dirname, '..', 'build', 'console') })
  console.log(`Built the emulator console (${formatBytes(consoleBundle.js.length)} of script)`)
}

run().catch((e: unknown) => {
  console.error(`Build failed: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
