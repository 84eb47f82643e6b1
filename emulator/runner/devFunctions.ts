/**
 * @module emulator/runner/devFunctions — `phonebind dev`'s functions: found in the project's
 * `cloudfunctionRoot` (./sources.ts), TypeScript ones bundled with esbuild (dependencies left to
 * the function's own node_modules), and reloaded when their files change.
 *
 * Reload: every function's folder and the folders of its own files (esbuild's inputs for
 * TypeScript, the modules its workers loaded for JavaScript; never node_modules) are watched
 * with `fs.watch`. Changes are debounced; then a TypeScript function is rebuilt, and the
 * function's workers are retired: idle ones at once, busy ones when their call ends. Calls made
 * after that get the new code. A TypeScript function that no longer builds fails its calls with
 * the build error until a good edit; a JavaScript one with a syntax error fails to load in its
 * worker, as it would in the cloud, and the reload event already names the file and line.
 */
import { mkdirSync, readFileSync, renameSync, statSync, watch, writeFileSync, type FSWatcher } from 'node:fs'
import { compileFunction } from 'node:vm'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { BuildContext } from 'esbuild'
import { findFunction, listFunctionFolders, type FunctionSource } from './sources'
import type { LoadSpec } from './workerProcess'

export interface DevRunnerOptions {
  /** Where TypeScript functions are bundled, one folder per function (e.g. `<project>/.phonebind/build`). */
  buildDir: string
  /** Watch the functions' files and reload on change (default true). */
  watch?: boolean
  /** Quiet time after the last change before reloading (default 100 ms): an editor's save is several events. */
  debounceMs?: number
  /** Paths in messages are relative to this folder (default: the parent of the functions folder). */
  cwd?: string
}

/** One reload, reported as the `function.reload` event. */
export interface ReloadReport {
  functionName: string
  /** False when the new code does not build (TypeScript) or does not parse (JavaScript). */
  ok: boolean
  /** The changed files that caused it, relative to `cwd`. */
  files: string[]
  /** `<file>:<line>:<col> <message>` of the first problem. */
  error?: string
}

export type Prepared =
  | { ok: true; source: FunctionSource; spec: LoadSpec }
  /** `error`: `<file>:<line>:<col> <text>`; `errorName`: what a runtime would call it. */
  | { ok: false; source: FunctionSource; error: string; errorName: 'SyntaxError' | 'Error' }

interface DevFunction {
  name: string
  source: FunctionSource
  /** The function's own files (absolute), not node_modules. */
  files: Set<string>
  /** The current code; replaced by a reload. Awaited by every call. */
  current: Promise<Prepared>
  /** The last code that loads; what a new worker starts from. */
  spec?: LoadSpec
  ctx?: BuildContext
  timer?: NodeJS.Timeout
  changed: Set<string>
  /** Each changed file's size, mtime and inode when last seen: a repeated event for the same write is not a change. */
  stamps: Map<string, string>
}

export interface DevHooks {
  /** Retire the function's workers (the pool kills idle ones, busy ones after their call). */
  retire(name: string): void
  report(r: ReloadReport): void
}

export class DevFunctions {
  private readonly fns = new Map<string, DevFunction>()
  private readonly watchers = new Map<string, { watcher: FSWatcher; names: Set<string> }>()
  private readonly cwd: string
  private stopped = false

  constructor(
    private readonly root: string,
    private readonly opts: DevRunnerOptions,
    private readonly hooks: DevHooks,
  ) {
    this.cwd = opts.cwd ?? dirname(root)
  }

  /** Function names, as found on disk now. */
  list(): string[] {
    return listFunctionFolders(this.root).map((f) => f.name)
  }

  /** The function's current code, built on first use; undefined if there is no such function. */
  get(name: string): Promise<Prepared> | undefined {
    let fn = this.fns.get(name)
    if (!fn) {
      const source = findFunction(this.root, name)
      if (!source || this.stopped) return undefined
      fn = { name, source, files: new Set(), current: Promise.resolve(undefined as never), changed: new Set(), stamps: new Map() }
      this.fns.set(name, fn)
      fn.current = this.prepare(fn)
      this.watchDir(fn, source.dir)
    }
    return fn.current
  }

  /** The code a new worker of `name` loads. */
  spec(name: string): LoadSpec {
    const spec = this.fns.get(name)?.spec
    if (!spec) throw new Error(`function ${name} has not been prepared`)
    return spec
  }

  /** A worker reports the function's own modules it loaded: watch them. */
  noteLoaded(name: string, files: string[]): void {
    const fn = this.fns.get(name)
    if (!fn) return
    for (const f of files) this.addFile(fn, f)
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const { watcher } of this.watchers.values()) watcher.close()
    this.watchers.clear()
    for (const fn of this.fns.values()) clearTimeout(fn.timer)
    await Promise.all([...this.fns.values()].map((fn) => fn.ctx?.dispose()))
  }

  private async prepare(fn: DevFunction): Promise<Prepared> {
    const source = fn.source
    if (source.kind === 'js') {
      fn.spec = { file: source.entry }
      this.addFile(fn, source.entry)
      return { ok: true, source, spec: fn.spec }
    }
    try {
      const out = await this.bundle(fn)
      fn.spec = { file: out, as: source.entry }
      return { ok: true, source, spec: fn.spec }
    } catch (e) {
      const error = buildErrorText(e, source.dir, this.cwd)
      // esbuild's parse errors read "Expected …", "Unexpected …", "Unterminated …".
      const syntax = /^\S+:\d+:\d+ (Expected|Unexpected|Unterminated|Invalid|Syntax)/.test(error)
      return { ok: false, source, error, errorName: syntax ? 'SyntaxError' : 'Error' }
    }
  }

  /** Bundles a TypeScript function; its packages stay `require`s, resolved from its folder. */
  private async bundle(fn: DevFunction): Promise<string> {
    const source = fn.source
    if (!fn.ctx) {
      // Loaded only when a TypeScript function exists (a require: jest's vm cannot import()).
      const esbuild = require('esbuild') as typeof import('esbuild')
      fn.ctx = await esbuild.context({
        entryPoints: [source.entry],
        // Named inside the function's folder so the source map's paths resolve from there
        // (the worker compiles the code as `index.ts`); never written there (`write: false`).
        outfile: join(source.dir, '__phonebind_dev__.js'),
        absWorkingDir: source.dir,
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'cjs',
        target: `node${process.versions.node.split('.')[0]}`,
        sourcemap: 'inline',
        write: false,
        metafile: true,
        logLevel: 'silent',
      })
    }
    const result = await fn.ctx.rebuild()
    for (const input of Object.keys(result.metafile?.inputs ?? {})) this.addFile(fn, resolve(source.dir, input))
    const out = join(this.opts.buildDir, fn.name, 'index.js')
    mkdirSync(dirname(out), { recursive: true })
    // Through a rename: a worker starting now reads the old bundle or the new one, never half.
    const tmp = `${out}.${process.pid}.tmp`
    writeFileSync(tmp, result.outputFiles![0]!.text)
    renameSync(tmp, out)
    return out
  }

  private addFile(fn: DevFunction, file: string): void {
    if (file.split(sep).includes('node_modules') || fn.files.has(file)) return
    fn.files.add(file)
    this.watchDir(fn, dirname(file))
  }

  private watchDir(fn: DevFunction, dir: string): void {
    if (this.opts.watch === false || this.stopped) return
    let entry = this.watchers.get(dir)
    if (!entry) {
      let watcher: FSWatcher
      try {
        watcher = watch(dir, { persistent: false }, (_event, filename) => this.changed(dir, filename ? String(filename) : undefined))
      } catch {
        return // a folder that vanished or cannot be watched (ENOSPC): no reload from it
      }
      watcher.on('error', () => undefined)
      entry = { watcher, names: new Set() }
      this.watchers.set(dir, entry)
    }
    entry.names.add(fn.name)
  }

  private changed(dir: string, filename: string | undefined): void {
    const names = this.watchers.get(dir)?.names ?? new Set<string>()
    const file = filename === undefined ? undefined : join(dir, filename)
    for (const name of names) {
      const fn = this.fns.get(name)
      if (!fn) continue
      // The function's folder: any change (a new file, package.json, config.json). Elsewhere
      // (shared code): only the files this function is made of.
      if (dir !== fn.source.dir && file !== undefined && !fn.files.has(file)) continue
      if (file) {
        const stamp = stampOf(file)
        if (fn.stamps.get(file) === stamp) continue
        fn.stamps.set(file, stamp)
        fn.changed.add(file)
      }
      clearTimeout(fn.timer)
      fn.timer = setTimeout(() => this.reload(fn), this.opts.debounceMs ?? 100)
    }
  }

  private reload(fn: DevFunction): void {
    if (this.stopped) return
    const changed = [...fn.changed]
    fn.changed.clear()
    const source = findFunction(this.root, fn.name)
    if (!source) {
      // The folder is gone (or has no entry any more): calls now get "not found".
      this.fns.delete(fn.name)
      void fn.ctx?.dispose()
      this.hooks.retire(fn.name)
      this.hooks.report({ functionName: fn.name, ok: false, files: this.rel(changed), error: 'function removed / 云函数已删除' })
      return
    }
    if (source.kind !== fn.source.kind || source.entry !== fn.source.entry) {
      void fn.ctx?.dispose()
      fn.ctx = undefined
    }
    fn.source = source
    const next = this.prepare(fn).then((p) => {
      // Retired once the new code is in place, before any call waiting on it goes on.
      this.hooks.retire(fn.name)
      return p
    })
    fn.current = next
    void next.then((p) => {
      const error = p.ok ? syntaxError(changed, this.cwd) : p.error
      this.hooks.report({ functionName: fn.name, ok: error === undefined, files: this.rel(changed), ...(error ? { error } : {}) })
    })
  }

  private rel(files: string[]): string[] {
    return files.map((f) => relative(this.cwd, f).split(sep).join('/'))
  }
}

function stampOf(file: string): string {
  try {
    const st = statSync(file)
    return `${st.size}:${st.mtimeMs}:${st.ino}`
  } catch {
    return 'gone'
  }
}

/**
 * The first syntax error among changed JavaScript files, for the reload message. Only a report:
 * the worker loading the file is what fails the call, exactly as the runtime would.
 */
function syntaxError(files: string[], cwd: string): string | undefined {
  for (const file of files) {
    if (!/\.c?js$/.test(file)) continue
    let code: string
    try {
      code = readFileSync(file, 'utf8')
    } catch {
      continue // removed or replaced mid-save; the next event covers it
    }
    try {
      // CommonJS's own wrapper parameters, so `return` at top level and `require` are fine.
      compileFunction(code.replace(/^#!.*/, ''), ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file })
    } catch (e) {
      // By name: the error may come from another realm (jest's sandbox) than this module's SyntaxError.
      const err = e as Error
      if (err?.name !== 'SyntaxError') continue
      const where = /^(.*):(\d+)$/m.exec(err.stack ?? '')
      const loc = where ? `${relative(cwd, where[1]!).split(sep).join('/')}:${where[2]}` : relative(cwd, file)
      return `${loc} SyntaxError: ${err.message}`
    }
  }
  return undefined
}

/** esbuild's first errors as `<file>:<line>:<col> <text>`, paths relative to `cwd`. */
function buildErrorText(e: unknown, dir: string, cwd: string): string {
  const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors
  if (Array.isArray(errors) && errors.length > 0) {
    return errors
      .slice(0, 3)
      .map((m) => (m.location ? `${relative(cwd, resolve(dir, m.location.file)).split(sep).join('/')}:${m.location.line}:${m.location.column + 1} ${m.text}` : m.text))
      .join('\n')
  }
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e)
}
