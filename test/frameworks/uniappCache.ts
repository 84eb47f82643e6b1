/**
 * The uni-app fixture's own dependencies (test/fixtures/uniapp-project/package-lock.json:
 * @dcloudio/* 3.0.0-4080720251210001, vite 5.2.8, vue 3.4.21), installed once with `npm ci` into
 * a folder keyed by the lock's hash (`$PHONEBIND_UNIAPP_CACHE`, default `<tmp>/phonebind-uniapp-cache`),
 * never into the repository's package.json. As in test/dev/sdkCache.ts, an install is made in a
 * scratch folder and renamed into place, so a parallel run never sees half of one. A cold install
 * took 20–25 s here (528 packages, npm's cache warm); a warm one is a hash and a stat.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const UNIAPP_FIXTURE = join(__dirname, '..', 'fixtures', 'uniapp-project')
export const UNIAPP_CACHE = process.env.PHONEBIND_UNIAPP_CACHE ?? join(tmpdir(), 'phonebind-uniapp-cache')

/** npm's own settings are passed on; those of the `npm test` that started jest are not. */
export function npmEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|userconfig|globalconfig|proxy|https_proxy|noproxy|strict_ssl|cafile)$/i
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.test(k)))
}

/** The fixture's `node_modules` (installed on first use) and whether this call installed it. */
export async function installedUniApp(): Promise<{ nodeModules: string; installed: boolean }> {
  const lock = readFileSync(join(UNIAPP_FIXTURE, 'package-lock.json'))
  const dir = join(UNIAPP_CACHE, createHash('sha256').update(lock).digest('hex').slice(0, 16))
  const nodeModules = join(dir, 'node_modules')
  if (existsSync(join(nodeModules, '@dcloudio', 'vite-plugin-uni', 'package.json'))) return { nodeModules, installed: false }
  mkdirSync(UNIAPP_CACHE, { recursive: true })
  const scratch = mkdtempSync(join(UNIAPP_CACHE, '.install-'))
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(UNIAPP_FIXTURE, f), join(scratch, f))
  await new Promise<void>((resolve, reject) =>
    execFile('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: scratch, env: npmEnv(), timeout: 480_000, maxBuffer: 16 * 1024 * 1024 }, (err, _out, stderr) =>
      err ? reject(new Error(`npm ci of the uni-app fixture failed (the test needs the npm registry or npm's cache): ${stderr || err.message}`)) : resolve()))
  try {
    renameSync(scratch, dir)
  } catch {
    rmSync(scratch, { recursive: true, force: true }) // another run installed it first
  }
  return { nodeModules, installed: true }
}
