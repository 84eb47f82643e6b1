/**
 * @module phonebind/functions — the prebuilt function folders the package ships
 * (dist/functions/<name>/, made by scripts/build.ts) and writing them into a project's
 * `cloudfunctionRoot`. Each folder is self-contained: `index.js` (a loader that checks the Node
 * version), `phonebind.js` (the esbuild bundle, wx-server-sdk inside), `index.deps-*.js`
 * (SDK parts loaded on first use), `package.json` (no dependencies: nothing to install in the
 * cloud) and `config.json` (timeout, openapi permissions).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PHONEBIND_FUNCTIONS } from './facts'
import { markedVersion, removeStaleOwn, writeOwned, type FileResult } from './owned'

export type PhonebindFunction = (typeof PHONEBIND_FUNCTIONS)[number]

/** The bundle's file name beside the loader. */
export const BUNDLE_FILE = 'phonebind.js'
/** Side files of the bundle (scripts/buildLazy.ts writes them under this name). */
export const SIDE_FILE = /^index\.deps-[a-z]+\.js$/

/**
 * Where the shipped folders are: beside the bundled CLI (dist/cli.js → dist/functions), or,
 * run from the sources with tsx, in the package's dist/ after `npm run build`.
 */
export function shippedFunctionsDir(): string {
  const candidates = [join(__dirname, 'functions'), join(__dirname, '..', 'dist', 'functions')]
  const found = candidates.find((d) => existsSync(join(d, 'login', 'index.js')))
  if (!found) {
    throw new Error(`找不到 phonebind 预构建的云函数（先运行 npm run build）/ the prebuilt functions are missing (run npm run build first): ${candidates.join(', ')}`)
  }
  return found
}

/** The files of one shipped function folder: name → content. */
export function shippedFiles(name: PhonebindFunction, dir: string = shippedFunctionsDir()): Map<string, string> {
  const files = new Map<string, string>()
  for (const f of readdirSync(join(dir, name)).sort()) files.set(f, readFileSync(join(dir, name, f), 'utf8'))
  return files
}

/** The phonebind version that generated the shipped loader (its header). */
export function shippedVersion(dir: string = shippedFunctionsDir()): string {
  return markedVersion(readFileSync(join(dir, 'login', 'index.js'), 'utf8')) ?? 'unknown'
}

/**
 * Writes one function folder. `replaceOwn`: replace own files that differ (build, --force);
 * JSON files are only ever created, never replaced (see owned.ts).
 */
export function writeFunction(target: string, name: PhonebindFunction, replaceOwn: boolean, dir?: string): FileResult[] {
  const files = shippedFiles(name, dir)
  const results: FileResult[] = []
  for (const [file, content] of files) results.push(writeOwned(join(target, name, file), content, replaceOwn))
  if (replaceOwn) results.push(...removeStaleOwn(join(target, name), SIDE_FILE, new Set(files.keys())))
  return results
}
