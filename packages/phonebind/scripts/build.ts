/**
 * @module phonebind/scripts/build — builds the `phonebind` package into dist/: the CLI
 * (dist/cli.js, the `bin`), the library entry (dist/index.js) and the prebuilt cloud functions
 * (dist/functions/<name>/) that `phonebind init` / `build` write into a user's project.
 * Run by the package's `prepack` and by the root's `npm run build`.
 *
 * Sources stay at the repository root this session (core/, server/, emulator/): esbuild
 * bundles them in, so the published package has no dependency on the repository's layout.
 */
import { build, type BuildOptions } from 'esbuild'
import { chmodSync, copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const PKG = join(__dirname, '..')
const REPO = join(PKG, '..', '..')
export const DIST = join(PKG, 'dist')

/**
 * Left to `require` at run time, i.e. the package's `dependencies`: esbuild is a native binary
 * (dev bundles a user's TS functions with it), so it cannot be inlined.
 */
export const RUNTIME_EXTERNALS = ['esbuild']

export async function buildPackage(log: (line: string) => void = () => undefined): Promise<void> {
  const started = performance.now()
  rmSync(DIST, { recursive: true, force: true })
  mkdirSync(DIST, { recursive: true })
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    // The CLI runs on the developer's machine: the package's engines (Node 20).
    target: 'node20',
    format: 'cjs',
    external: RUNTIME_EXTERNALS,
    // The sources import from the repository's node_modules.
    nodePaths: [join(REPO, 'node_modules')],
    legalComments: 'none',
    logLevel: 'warning',
    loader: { '.json': 'json' },
  }
  await Promise.all([
    build({ ...common, entryPoints: [join(PKG, 'src', 'cli.ts')], outfile: join(DIST, 'cli.js') }),
    build({ ...common, entryPoints: [join(PKG, 'src', 'index.ts')], outfile: join(DIST, 'index.js') }),
  ])
  chmodSync(join(DIST, 'cli.js'), 0o755)
  // The runner starts function workers from this file beside the bundle (`__dirname`).
  copyFileSync(join(REPO, 'emulator', 'runner', 'worker.cjs'), join(DIST, 'worker.cjs'))
  log(`phonebind package built in ${Math.round(performance.now() - started)} ms → ${DIST}`)
}

if (require.main === module) {
  buildPackage((l) => console.log(l)).catch((e: unknown) => {
    console.error(`phonebind package build failed: ${e instanceof Error ? e.message : String(e)}`)
    process.exit(1)
  })
}
