/**
 * @module emulator/runner/sources — the function folders of a project's `cloudfunctionRoot`, as
 * `phonebind dev` runs them: each from its own folder, with its own `node_modules`.
 *
 * A folder is a function when its name is a valid function name (not `_x` or `.x`) and it has an
 * entry: `index.ts` (TypeScript, bundled by the dev runner with esbuild; an `index.js` beside it
 * is taken for its compiled output and not run), else `package.json`'s `main`, else `index.js`
 * (JavaScript, run as it is, as the cloud runs it).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'

/** Function names the platform accepts (and nothing that could leave the folder); the runner runs nothing else. */
export const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,60}$/

export interface FunctionSource {
  name: string
  /** The function's folder. */
  dir: string
  kind: 'js' | 'ts'
  /** The source file: `index.ts`, or the JavaScript entry. */
  entry: string
  /** `dependencies` of its package.json (names). */
  dependencies: string[]
}

/** The function folder `name` under `root`, or undefined if there is none. */
export function findFunction(root: string, name: string): FunctionSource | undefined {
  if (!FUNCTION_NAME.test(name) || name.startsWith('_')) return undefined
  const dir = join(root, name)
  if (!isDir(dir)) return undefined
  const pkg = readPackage(dir)
  const deps = pkg?.dependencies
  const dependencies = deps && typeof deps === 'object' && !Array.isArray(deps) ? Object.keys(deps) : []
  if (isFile(join(dir, 'index.ts'))) return { name, dir, kind: 'ts', entry: join(dir, 'index.ts'), dependencies }
  const main = typeof pkg?.main === 'string' && pkg.main ? resolve(dir, pkg.main) : undefined
  // A `main` outside the folder would not be uploaded with it: ignored, as the cloud would fail.
  for (const candidate of [main, join(dir, 'index.js')]) {
    if (candidate && isInside(dir, candidate)) {
      const file = isFile(candidate) ? candidate : isFile(`${candidate}.js`) ? `${candidate}.js` : undefined
      if (file) return { name, dir, kind: 'js', entry: file, dependencies }
    }
  }
  return undefined
}

/** Every function under `root`, sorted by name. */
export function listFunctionFolders(root: string): FunctionSource[] {
  if (!isDir(root)) return []
  return readdirSync(root)
    .filter((n) => !n.startsWith('.') && !n.startsWith('_'))
    .sort()
    .map((n) => findFunction(root, n))
    .filter((f): f is FunctionSource => f !== undefined)
}

/**
 * Dependencies of the function's package.json that its own `node_modules` lacks. The cloud
 * installs them from package.json into the function's folder; locally the developer must.
 */
export function missingDependencies(fn: FunctionSource): string[] {
  return fn.dependencies.filter((d) => !existsSync(join(fn.dir, 'node_modules', ...d.split('/'), 'package.json')))
}

/** `cd cloudfunctions/<fn> && npm install`, with the folder relative to `cwd`. */
export function installCommand(fn: FunctionSource, cwd: string): string {
  const rel = relative(cwd, fn.dir) || '.'
  return `cd ${rel.split(sep).join('/')} && npm install`
}

/** The bilingual message of a function whose dependencies are not installed. */
export function missingDependenciesMessage(fn: FunctionSource, missing: string[], cwd: string): string {
  const cmd = installCommand(fn, cwd)
  return (
    `云函数 ${fn.name} 的依赖未安装（${missing.join(', ')}）：运行 ${cmd}，或用 phonebind dev --install 启动 / ` +
    `the dependencies of function ${fn.name} are not installed (${missing.join(', ')}): run ${cmd}, or start with phonebind dev --install`
  )
}

interface PackageJson {
  main?: unknown
  dependencies?: unknown
}

function readPackage(dir: string): PackageJson | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as unknown
    return pkg && typeof pkg === 'object' ? (pkg as PackageJson) : undefined
  } catch {
    return undefined
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile()
  } catch {
    return false
  }
}

function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file)
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep)
}
