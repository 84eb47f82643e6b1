/**
 * @module emulator/console/build — bundles the console page (plain TS + DOM + CSS) with esbuild.
 *
 * The emulator bundles in memory on the first request (about 50 ms), so `npm start` on a fresh
 * clone needs no build step. `buildConsole({ outDir })` also writes the files, which lets
 * `npm run build` check that the page compiles and ship a static copy.
 */
import { build } from 'esbuild'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const PAGE_DIR = join(__dirname, 'page')

/** The three files the console serves. */
export interface ConsoleBundle {
  html: string
  js: string
  css: string
}

export interface BuildConsoleOptions {
  /** Also write `index.html`, `app.js` and `app.css` here. */
  outDir?: string
  /** Default true; the emulator serves minified code. */
  minify?: boolean
}

export async function buildConsole(options: BuildConsoleOptions = {}): Promise<ConsoleBundle> {
  const result = await build({
    entryPoints: { app: join(PAGE_DIR, 'main.ts') },
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'iife',
    platform: 'browser',
    target: ['chrome90', 'safari14', 'firefox90'],
    minify: options.minify ?? true,
    legalComments: 'none',
    logLevel: 'silent',
  })
  const file = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? ''
  const bundle: ConsoleBundle = { html: await readFile(join(PAGE_DIR, 'index.html'), 'utf8'), js: file('.js'), css: file('.css') }
  if (options.outDir) {
    await mkdir(options.outDir, { recursive: true })
    await Promise.all([
      writeFile(join(options.outDir, 'index.html'), bundle.html),
      writeFile(join(options.outDir, 'app.js'), bundle.js),
      writeFile(join(options.outDir, 'app.css'), bundle.css),
    ])
  }
  return bundle
}

// By file name, not `require.main === module`: bundled into the phonebind CLI (one module for
// esbuild's output), that test would be true and this script would run inside `phonebind dev`.
if (/console[\\/]build\.[cm]?[jt]s$/.test(require.main?.filename ?? '')) {
  const outDir = process.argv[2] ?? join(__dirname, '..', '..', 'build', 'console')
  buildConsole({ outDir })
    .then((b) => console.log(`Built the console into ${outDir} (${Math.round((b.js.length + b.css.length) / 1024)} KB)`))
    .catch((e: unknown) => {
      console.error(`Console build failed: ${e instanceof Error ? e.message : String(e)}`)
      process.exit(1)
    })
}
