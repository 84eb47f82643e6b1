/**
 * @module scripts/buildFunctions — bundles every `cloudfunctions/<name>/index.ts` into
 * `cloudfunctions/<name>/index.js` (CommonJS, exports `main`), the file devtools'
 * 「上传并部署」 uploads next to the folder's own `package.json` and `config.json`.
 *
 * The target is the Node the functions need (`FUNCTION_RUNTIME`: 18, for the global `fetch`
 * jscode2session uses; see packages/phonebind/src/facts.ts). wx-server-sdk is
 * bundled IN by default: the bundle then runs with no node_modules next to it, and the
 * cloud's `npm install` of package.json is only a fallback (see `external`).
 */
import { build, type BuildOptions, type Plugin } from 'esbuild'
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { createLazySplit, SIDE_FILE } from './buildLazy'
import { FUNCTION_RUNTIME } from '../packages/phonebind/src/facts'

export interface BuildFunctionsOptions {
  /** Folder holding one sub-folder per function (default `<cwd>/cloudfunctions`). */
  root?: string
  /** Only these function folders (default: every folder with an index.ts). */
  functions?: string[]
  /**
   * Write bundles to `<outDir>/<name>/index.js` instead of next to the sources; the folder's
   * `config.json` and `package.json` are copied along (tests build fixtures into a temp dir).
   */
  outDir?: string
  /** Modules left to `require` at run time, e.g. `['wx-server-sdk']` (default: bundle all). */
  external?: string[]
  /**
   * Default `{ whitespace: true, syntax: true }`. Measured (bench/buildMeasure.ts): also
   * mangling identifiers makes the bundle smaller but its cold `require` SLOWER (≈ 100 vs
   * 60 ms for a wx-server-sdk function), and keeps stack traces readable.
   */
  minify?: boolean | { whitespace?: boolean; identifiers?: boolean; syntax?: boolean }
  /**
   * Defer the SDK's start-up-only-in-theory dependencies (AI, models, storage XML, JWT, axios)
   * until first use; see `buildLazy.ts`. Default true.
   */
  lazy?: boolean
  /** Write `index.js.map` beside the bundle (default false: devtools would upload it). */
  sourcemap?: boolean
  /**
   * File name of the bundle in each output folder (default `index.js`). The phonebind package
   * writes `phonebind.js` and a small loader as `index.js` that checks the Node version first.
   */
  bundleName?: string
  /** A first line for the bundle and its side files (the package marks its files as its own). */
  banner?: string
  /** Progress output, one line per function (default: silent). */
  log?: (line: string) => void
}

export interface FunctionBuildResult {
  name: string
  outFile: string
  /** Size of the bundle (`index.js` unless `bundleName`). */
  bytes: number
  /** Deferred dependencies written beside it (`index.deps-*.js`), loaded only when used. */
  sideFiles: { file: string; bytes: number }[]
  ms: number
}

export interface BuildReport {
  functions: FunctionBuildResult[]
  totalMs: number
}

/** Thrown when one or more functions fail to bundle; `message` lists each failure. */
export class BuildError extends Error {
  constructor(
    message: string,
    readonly failures: { name: string; error: string }[],
  ) {
    super(message)
    this.name = 'BuildError'
  }
}

/** Function folders under `root` that have an `index.ts`; `_x` and `.x` folders are ignored. */
export async function listFunctionSources(root: string): Promise<string[]> {
  if (!existsSync(root)) return []
  const entries = await readdir(root, { withFileTypes: true })
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.'))
    .filter((e) => existsSync(join(root, e.name, 'index.ts')))
    .map((e) => e.name)
    .sort()
}

/**
 * Optional dependencies of the SDK's HTTP stack that are never reached from a function:
 * resolve them to an empty module instead of failing the bundle.
 */
const optionalDeps: Plugin = {
  name: 'optional-deps',
  setup(b) {
    const names = /^(bufferutil|utf-8-validate|encoding|supports-color|debug)$/
    // Node's resolver through createRequire: the mini-program test program (tsconfig.test-dom.json) imports this
    // file with miniprogram-api-typings loaded, whose global `require` is the mini program's (no `.resolve`).
    const nodeRequire = createRequire(__filename)
    b.onResolve({ filter: names }, (args) => {
      try {
        nodeRequire.resolve(args.path, { paths: [args.resolveDir] })
        return undefined
      } catch {
        return { path: args.path, namespace: 'optional-empty' }
      }
    })
    b.onLoad({ filter: /.*/, namespace: 'optional-empty' }, () => ({ contents: 'module.exports = {}', loader: 'js' }))
  },
}

const DEFAULT_MINIFY = { whitespace: true, syntax: true }

function minifyOptions(m: NonNullable<BuildFunctionsOptions['minify']>): BuildOptions {
  if (typeof m === 'boolean') return { minify: m }
  return { minifyWhitespace: m.whitespace ?? false, minifyIdentifiers: m.identifiers ?? false, minifySyntax: m.syntax ?? false }
}

/** esbuild options for one function (without the deferral plugin). */
export function esbuildOptions(entry: string, outFile: string, opts: BuildFunctionsOptions): BuildOptions {
  return {
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    target: FUNCTION_RUNTIME.esbuildTarget,
    format: 'cjs',
    ...minifyOptions(opts.minify ?? DEFAULT_MINIFY),
    keepNames: false,
    sourcemap: opts.sourcemap ? 'external' : false,
    legalComments: 'none',
    ...(opts.banner ? { banner: { js: opts.banner } } : {}),
    external: opts.external ?? [],
    // Function folders have no node_modules of their own: resolve from the project's.
    nodePaths: [join(__dirname, '..', 'node_modules')],
    plugins: [optionalDeps],
    logLevel: 'silent',
    // The SDKs read their own package.json for version headers: inline it.
    loader: { '.json': 'json' },
  }
}

async function buildOne(root: string, name: string, opts: BuildFunctionsOptions): Promise<FunctionBuildResult> {
  const started = performance.now()
  const srcDir = join(root, name)
  const outDir = opts.outDir ? join(resolve(opts.outDir), name) : srcDir
  await mkdir(outDir, { recursive: true })
  const outFile = join(outDir, opts.bundleName ?? 'index.js')
  const base = esbuildOptions(join(srcDir, 'index.ts'), outFile, opts)
  const lazy = opts.lazy === false ? undefined : createLazySplit()
  await build(lazy ? { ...base, plugins: [...(base.plugins ?? []), lazy.plugin] } : base)
  // Always rewrite (or remove stale) side files so they match this index.js.
  const sideFiles = lazy ? await lazy.buildSideFiles(outDir, base) : removeSideFiles(outDir)
  if (opts.outDir) {
    // Never overwrite the sources' own files; only copy them when building elsewhere.
    for (const f of ['config.json', 'package.json']) {
      if (existsSync(join(srcDir, f))) await copyFile(join(srcDir, f), join(outDir, f))
    }
  }
  const bytes = (await stat(outFile)).size
  return { name, outFile, bytes, sideFiles, ms: performance.now() - started }
}

function removeSideFiles(dir: string): never[] {
  for (const f of readdirSync(dir)) if (SIDE_FILE.test(f)) rmSync(join(dir, f))
  return []
}

function errorText(e: unknown): string {
  const errors = (e as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors
  if (Array.isArray(errors) && errors.length > 0) {
    return errors
      .slice(0, 5)
      .map((m) => (m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text))
      .join('\n    ')
  }
  return e instanceof Error ? e.message : String(e)
}

/** Bundles the functions in parallel. Rejects with a {@link BuildError} if any fails. */
export async function buildFunctions(opts: BuildFunctionsOptions = {}): Promise<BuildReport> {
  const started = performance.now()
  const root = resolve(opts.root ?? join(process.cwd(), 'cloudfunctions'))
  const available = await listFunctionSources(root)
  const names = opts.functions ?? available
  const missing = names.filter((n) => !available.includes(n))
  if (missing.length > 0) {
    throw new BuildError(`no index.ts for: ${missing.join(', ')} (under ${root})`, missing.map((name) => ({ name, error: 'no index.ts' })))
  }
  const log = opts.log ?? (() => undefined)
  const settled = await Promise.allSettled(
    names.map(async (name) => {
      const r = await buildOne(root, name, opts)
      const side = r.sideFiles.reduce((n, f) => n + f.bytes, 0)
      log(`  ✓ ${name.padEnd(18)} ${formatBytes(r.bytes).padStart(9)}${side ? ` (+${formatBytes(side)} deferred)` : ''}  ${Math.round(r.ms)} ms`)
      return r
    }),
  )
  const failures: { name: string; error: string }[] = []
  const functions: FunctionBuildResult[] = []
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') functions.push(s.value)
    else {
      failures.push({ name: names[i], error: errorText(s.reason) })
      log(`  ✗ ${names[i]}: ${errorText(s.reason)}`)
    }
  })
  if (failures.length > 0) {
    throw new BuildError(`failed to build ${failures.map((f) => f.name).join(', ')}:\n${failures.map((f) => `  ${f.name}: ${f.error}`).join('\n')}`, failures)
  }
  return { functions, totalMs: performance.now() - started }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(2)} MB`
}
