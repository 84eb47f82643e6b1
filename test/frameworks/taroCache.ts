/**
 * The Taro fixture's own dependencies (test/fixtures/taro-project/package-lock.json: @tarojs/* 4.2.1,
 * webpack 5.91.0, React 18), installed once (npm install over the lock) into a folder keyed by the lock's hash
 * (`$PHONEBIND_TARO_CACHE`, default `<tmp>/phonebind-taro-cache`), never into the repository's own
 * package.json. As in test/dev/sdkCache.ts, an install is made in a scratch folder and renamed into
 * place, so a parallel run never sees half of one. A cold install takes about a minute (1,150
 * packages); a warm one is a hash and a stat.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const TARO_FIXTURE = join(__dirname, '..', 'fixtures', 'taro-project')
export const TARO_CACHE = process.env.PHONEBIND_TARO_CACHE ?? join(tmpdir(), 'phonebind-taro-cache')

/** npm's own settings are passed on; those of the `npm test` that started jest are not. */
export function npmEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|userconfig|globalconfig|proxy|https_proxy|noproxy|strict_ssl|cafile)$/i
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.test(k)))
}

/** The fixture's `node_modules` (installed on first use) and whether this call installed it. */
export async function installedTaro(): Promise<{ nodeModules: string; installed: boolean }> {
  const lock = readFileSync(join(TARO_FIXTURE, 'package-lock.json'))
  const dir = join(TARO_CACHE, createHash('sha256').update(lock).digest('hex').slice(0, 16))
  const nodeModules = join(dir, 'node_modules')
  if (existsSync(join(nodeModules, '@tarojs', 'cli', 'package.json'))) return { nodeModules, installed: false }
  mkdirSync(TARO_CACHE, { recursive: true })
  const scratch = mkdtempSync(join(TARO_CACHE, '.install-'))
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(TARO_FIXTURE, f), join(scratch, f))
  await new Promise<void>((resolve, reject) =>
    // `npm install` over the lock, not `npm ci`: @tarojs/binding lists optional binaries for
    // platforms that 4.2.1 never published (e.g. @tarojs/binding-darwin-arm64), which npm leaves out
    // of the lock, and `npm ci` then refuses the lock as "not in sync". npm install keeps the
    // lock's versions all the same.
    execFile('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: scratch, env: npmEnv(), timeout: 480_000, maxBuffer: 16 * 1024 * 1024 }, (err, _out, stderr) =>
      err ? reject(new Error(`npm install of the Taro fixture failed (the test needs the npm registry or npm's cache): ${stderr || err.message}`)) : resolve()))
  try {
    renameSync(scratch, dir)
  } catch {
    rmSync(scratch, { recursive: true, force: true }) // another run installed it first
  }
  return { nodeModules, installed: true }
}

/**
 * Gives a copy of the fixture the cached packages: a real node_modules folder whose entries link
 * into the cache, so packages the test adds (phonebind-weapp) land in the copy, not in the cache.
 */
export function linkTaroModules(project: string, nodeModules: string): void {
  const target = join(project, 'node_modules')
  mkdirSync(target, { recursive: true })
  for (const entry of readdirSync(nodeModules)) symlinkSync(join(nodeModules, entry), join(target, entry), 'dir')
}
