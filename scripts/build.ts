/**
 * @module scripts/build — `npm run build`, the repository's own build.
 *
 *   npm run build                      everything (below)
 *   tsx scripts/build.ts login getOpenData   bundles only these, into build/functions/<name>/
 *   … --external wx-server-sdk / --no-minify / --minify-all / --no-lazy   bundling variants
 *
 * The deployable folders in cloudfunctions/ are not written here: the repository is phonebind's
 * first user, so `npm run build` ends with `phonebind build`, which writes them exactly as
 * `phonebind init` / `build` write them into any project (a loader `index.js`, the bundle
 * `phonebind.js`, its side files). The TypeScript `index.ts` beside them is what `phonebind dev`
 * runs. Bundles from this script go to build/functions/, never over those folders.
 *
 * A full build builds the `phonebind-weapp` package (packages/weapp → miniprogram_dist/,
 * with core's runtime compiled in), runs 构建npm on the demo mini program with WeChat's own
 * `miniprogram-ci` (→ miniprogram/miniprogram_npm/, as devtools' 工具 → 构建npm would), and
 * compiles the emulator console.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { MARK } from '../packages/phonebind/src/owned'
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
  if (args.functions) {
    // A partial build is about bundling only (inspecting, measuring): kept out of cloudfunctions/.
    const outDir = join(__dirname, '..', 'build', 'functions')
    console.log(`Bundling ${args.functions.join(', ')} from ${args.root} into ${outDir} …`)
    const report = await buildFunctions({ ...args, outDir, log: (l) => console.log(l) })
    const total = report.functions.reduce((s, f) => s + f.bytes, 0)
    console.log(`Built ${report.functions.length} function(s), ${formatBytes(total)} in ${Math.round(report.totalMs)} ms`)
    return
  }
  removeOldBundles(args.root)

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

/**
 * Bundles that earlier versions of this script wrote straight into cloudfunctions/<fn>/ (git-ignored,
 * without phonebind's header): removed, so `phonebind build` can write the folders as its own.
 */
function removeOldBundles(root: string): void {
  for (const fn of existsSync(root) ? readdirSync(root) : []) {
    const dir = join(root, fn)
    const index = join(dir, 'index.js')
    if (!existsSync(join(dir, 'index.ts')) || !existsSync(index) || readFileSync(index, 'utf8').startsWith(MARK)) continue
    for (const f of readdirSync(dir)) if (/^index\.(js|js\.map|deps-[a-z]+\.js)$/.test(f)) rmSync(join(dir, f))
  }
}

run().catch((e: unknown) => {
  console.error(`Build failed: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
