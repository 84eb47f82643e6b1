/**
 * @module packages/weapp/scripts/build — builds `phonebind-weapp`: `miniprogram_dist/` (what 构建npm
 * copies into a mini program's `miniprogram_npm/phonebind-weapp/`) and `types/` (for TS users).
 *
 *   npx tsx packages/weapp/scripts/build.ts    (also run by the root `npm run build` and by `prepack`)
 *
 * One JS file per source file, not one bundle per entry: the app's `startSession` (from the
 * package's `index.js`) and the component's re-login (from `phone-auth/index.js`) must share ONE
 * session module, and a bundle per entry would give each its own copy. esbuild transpiles each
 * file to ES2015 CommonJS — what devtools accepts with or without "ES6 转 ES5" and what 构建npm
 * copies verbatim — and rewrites its imports; core's files (`errors`, `wechatCodes`,
 * `baseLibrary`) are compiled into `miniprogram_dist/core/`, so the package carries its runtime
 * and no copy of core is committed anywhere. Only files reachable at run time are emitted
 * (type-only imports vanish). Declarations come from the TypeScript compiler, with the same
 * path mapping.
 */
import { build, type Plugin } from 'esbuild'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as ts from 'typescript'

export const PACKAGE_DIR = path.resolve(__dirname, '..')
const REPO = path.resolve(PACKAGE_DIR, '..', '..')
const SRC = path.join(PACKAGE_DIR, 'src')
const CORE = path.join(REPO, 'core')
export const DIST_DIR = path.join(PACKAGE_DIR, 'miniprogram_dist')
export const TYPES_DIR = path.join(PACKAGE_DIR, 'types')

/** The JS entries: the package's `index` (for `require('phonebind-weapp')`) and each component. */
const ENTRIES = ['index.ts', 'phone-auth/index.ts', 'sms-verify/index.ts']
/** Component and page assets copied as they are. */
const ASSET_EXT = new Set(['.json', '.wxml', '.wxss', '.wxs', '.png', '.svg'])

/** Where a source file lands inside the package, without extension ('phone-auth/index', 'core/errors'). */
export function outputPathOf(source: string): string {
  const noExt = source.replace(/\.(d\.ts|ts|js)$/, '')
  const inSrc = path.relative(SRC, noExt)
  if (!inSrc.startsWith('..') && !path.isAbsolute(inSrc)) return inSrc.split(path.sep).join('/')
  const inCore = path.relative(CORE, noExt)
  if (!inCore.startsWith('..') && !path.isAbsolute(inCore) && !inCore.includes(path.sep)) return `core/${inCore}`
  throw new Error(`${path.relative(REPO, source)} is neither in packages/weapp/src nor a core/ module: the package cannot contain it`)
}

/** The specifier `from` (an output path) must use to reach `to` (an output path). */
function specifierBetween(from: string, to: string): string {
  const rel = path.posix.relative(path.posix.dirname(from), to)
  return rel.startsWith('.') ? rel : `./${rel}`
}

function resolveSource(dir: string, spec: string): string {
  const base = path.resolve(dir, spec)
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate
  throw new Error(`cannot resolve '${spec}' from ${path.relative(REPO, dir)}`)
}

/** Marks every import external, rewritten to where its target lands; collects the targets. */
function rewriteImports(fromOut: string, found: Set<string>): Plugin {
  return {
    name: 'phonebind-weapp-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined
        if (!args.path.startsWith('.')) {
          return { errors: [{ text: `'${args.path}': phonebind-weapp has no dependencies; a mini-program package must carry its runtime` }] }
        }
        const target = resolveSource(args.resolveDir, args.path)
        found.add(target)
        return { path: specifierBetween(fromOut, outputPathOf(target)), external: true }
      })
    },
  }
}

async function compileJs(): Promise<string[]> {
  const queue = ENTRIES.map((e) => path.join(SRC, e))
  const done = new Set<string>()
  while (queue.length) {
    const source = queue.shift()!
    if (done.has(source)) continue
    done.add(source)
    const out = outputPathOf(source)
    const found = new Set<string>()
    const result = await build({
      entryPoints: [source],
      bundle: true, // only so imports pass through the plugin: every one of them is external
      write: false,
      format: 'cjs',
      platform: 'neutral',
      // ES2015: async/await becomes generators, ?. and ?? are lowered; devtools' own ES6→ES5 step
      // (project setting es6) can take it further for very old clients.
      target: 'es2015',
      charset: 'utf8',
      legalComments: 'none',
      logLevel: 'silent',
      absWorkingDir: REPO, // the path comment in each file is repository-relative, whatever the cwd (npm pack runs here)
      plugins: [rewriteImports(out, found)],
    })
    const file = path.join(DIST_DIR, `${out}.js`)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, result.outputFiles[0].text)
    queue.push(...found)
  }
  return [...done].map(outputPathOf)
}

function copyAssets(dir: string = SRC): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name)
    if (entry.isDirectory()) copyAssets(from)
    else if (ASSET_EXT.has(path.extname(entry.name))) {
      const to = path.join(DIST_DIR, path.relative(SRC, from))
      fs.mkdirSync(path.dirname(to), { recursive: true })
      fs.copyFileSync(from, to)
    }
  }
}

const DTS_IMPORT_RE = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.[^'"]*)\2/g

/** Declarations for every package source and the core modules they reach, in the package's layout. */
function emitTypes(): string[] {
  const program = ts.createProgram(ENTRIES.map((e) => path.join(SRC, e)), {
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: REPO,
    outDir: path.join(REPO, '.weapp-types'), // virtual: every file is caught by writeFile below
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2020.d.ts'],
    types: ['miniprogram-api-typings'],
    typeRoots: [path.join(REPO, 'node_modules', '@types'), path.join(REPO, 'node_modules')],
    strict: true,
    skipLibCheck: true,
    noCheck: true, // `npm run typecheck` checks these files; here only declarations are wanted
  } as ts.CompilerOptions)
  const written: string[] = []
  const result = program.emit(undefined, (fileName, text) => {
    const virtualSource = path.join(REPO, path.relative(path.join(REPO, '.weapp-types'), fileName))
    const out = outputPathOf(virtualSource)
    const body = text.replace(DTS_IMPORT_RE, (_w, lead: string, q: string, spec: string) => {
      const target = resolveSource(path.dirname(virtualSource), spec)
      return `${lead}${q}${specifierBetween(out, outputPathOf(target))}${q}`
    })
    const file = path.join(TYPES_DIR, `${out}.d.ts`)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, body)
    written.push(out)
  })
  if (result.emitSkipped) throw new Error('declaration emit failed')
  return written
}

export interface WeappBuild {
  js: string[]
  types: string[]
  bytes: number
}

function sizeOf(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? sizeOf(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0)
}

/** Builds the package from scratch (stale files of a renamed source must not linger). */
export async function buildWeapp(): Promise<WeappBuild> {
  fs.rmSync(DIST_DIR, { recursive: true, force: true })
  fs.rmSync(TYPES_DIR, { recursive: true, force: true })
  const js = await compileJs()
  copyAssets()
  const types = emitTypes()
  return { js, types, bytes: sizeOf(DIST_DIR) }
}

if (require.main === module) {
  buildWeapp().then(
    (r) => console.log(`phonebind-weapp: ${r.js.length} modules, ${(r.bytes / 1024).toFixed(1)} KB in miniprogram_dist, ${r.types.length} declaration files`),
    (e: unknown) => {
      console.error(`phonebind-weapp build failed: ${e instanceof Error ? e.message : String(e)}`)
      process.exit(1)
    },
  )
}
