/**
 * npm installs the end-to-end tests need but the repository's package.json must not hold (the
 * framework toolchains, wx-server-sdk versions), made once into a cache folder and reused by every
 * test file and every run. One way to install for all of them: in a scratch folder renamed into
 * place, so a parallel run never sees half of an install (the loser of the race removes its own).
 *
 *  - a framework fixture's own dependencies, keyed by the hash of its package-lock.json
 *    ({@link installedFixture}): uni-app (test/fixtures/uniapp-project: @dcloudio/*
 *    3.0.0-4080720251210001, vite 5.2.8, vue 3.4.21; `$PHONEBIND_UNIAPP_CACHE`, default
 *    `<tmp>/phonebind-uniapp-cache`; cold 20–25 s, 528 packages, npm's cache warm) and Taro
 *    (test/fixtures/taro-project: @tarojs/* 4.2.1, webpack 5.91.0, React 18; `$PHONEBIND_TARO_CACHE`,
 *    default `<tmp>/phonebind-taro-cache`; cold about a minute, 1,150 packages);
 *  - `wx-server-sdk` versions, keyed by the version range (test/dev/sdkCache.ts).
 * A warm lookup is a hash and a stat.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** npm's own settings are passed on; those of the `npm test` that started jest are not. */
export function npmEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|userconfig|globalconfig|proxy|https_proxy|noproxy|strict_ssl|cafile)$/i
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.test(k)))
}

export interface CachedInstall {
  /** The cache folder (made if missing). */
  cache: string
  /** The install's own folder in it; present once the install is complete. */
  dir: string
  /** A file, relative to `dir`, that exists only after a complete install. */
  marker: string
  /** Writes package.json (and a lock) into the scratch folder. */
  prepare(scratch: string): void
  /** npm's arguments (`ci …`, `install …`). */
  npmArgs: string[]
  /** For the error: what was being installed. */
  what: string
  timeout: number
}

/** Installs `spec` once; true when this call did the install. */
export async function installOnce(spec: CachedInstall): Promise<boolean> {
  if (existsSync(join(spec.dir, spec.marker))) return false
  mkdirSync(spec.cache, { recursive: true })
  const scratch = mkdtempSync(join(spec.cache, '.install-'))
  spec.prepare(scratch)
  await new Promise<void>((resolve, reject) =>
    execFile('npm', spec.npmArgs, { cwd: scratch, env: npmEnv(), timeout: spec.timeout, maxBuffer: 16 * 1024 * 1024 }, (err, _out, stderr) =>
      err ? reject(new Error(`${spec.what} failed (the test needs the npm registry or npm's cache): ${stderr || err.message}`)) : resolve()))
  try {
    renameSync(scratch, spec.dir)
  } catch {
    rmSync(scratch, { recursive: true, force: true }) // another run installed it first
  }
  return true
}

const FIXTURES = join(__dirname, '..', 'fixtures')
const QUIET = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']

/** The framework fixtures whose packages are cached, one row each. */
export const FRAMEWORK_FIXTURES = {
  uniapp: {
    fixture: join(FIXTURES, 'uniapp-project'),
    cache: process.env.PHONEBIND_UNIAPP_CACHE ?? join(tmpdir(), 'phonebind-uniapp-cache'),
    marker: 'node_modules/@dcloudio/vite-plugin-uni/package.json',
    npmArgs: ['ci', ...QUIET],
  },
  taro: {
    fixture: join(FIXTURES, 'taro-project'),
    cache: process.env.PHONEBIND_TARO_CACHE ?? join(tmpdir(), 'phonebind-taro-cache'),
    marker: 'node_modules/@tarojs/cli/package.json',
    // `npm install` over the lock, not `npm ci`: @tarojs/binding lists optional binaries for
    // platforms that 4.2.1 never published (e.g. @tarojs/binding-darwin-arm64), which npm leaves out
    // of the lock, and `npm ci` then refuses the lock as "not in sync". npm install keeps the
    // lock's versions all the same.
    npmArgs: ['install', ...QUIET],
  },
} as const

export type FrameworkFixture = keyof typeof FRAMEWORK_FIXTURES

/** The fixture's `node_modules` (installed on first use, keyed by its lock's hash) and whether this call installed it. */
export async function installedFixture(kind: FrameworkFixture): Promise<{ nodeModules: string; installed: boolean }> {
  const row = FRAMEWORK_FIXTURES[kind]
  const lock = readFileSync(join(row.fixture, 'package-lock.json'))
  const dir = join(row.cache, createHash('sha256').update(lock).digest('hex').slice(0, 16))
  const installed = await installOnce({
    cache: row.cache,
    dir,
    marker: row.marker,
    prepare: (scratch) => { for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(row.fixture, f), join(scratch, f)) },
    npmArgs: [...row.npmArgs],
    what: `npm ${row.npmArgs[0]} of the ${kind} fixture`,
    timeout: 480_000,
  })
  return { nodeModules: join(dir, 'node_modules'), installed }
}

/**
 * Gives a copy of a fixture the cached packages: a real node_modules folder whose entries link
 * into the cache, so packages the test adds (phonebind-weapp) land in the copy, not in the cache.
 */
export function linkCachedModules(project: string, nodeModules: string): void {
  const target = join(project, 'node_modules')
  mkdirSync(target, { recursive: true })
  for (const entry of readdirSync(nodeModules)) symlinkSync(join(nodeModules, entry), join(target, entry), 'dir')
}
