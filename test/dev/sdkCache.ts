/**
 * `wx-server-sdk` versions from the registry, installed once into a folder shared by every
 * test and every run (`$PHONEBIND_SDK_CACHE`, default `<tmp>/phonebind-sdk-cache`), so a user's
 * function can pin the version it would pin in a real project. An install is made in a scratch
 * folder and renamed into place, so parallel test files never see half of one.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const SDK_CACHE = process.env.PHONEBIND_SDK_CACHE ?? join(tmpdir(), 'phonebind-sdk-cache')

/** npm's own settings are passed on; those of the `npm test` that started jest are not. */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|userconfig|globalconfig|proxy|https_proxy|noproxy|strict_ssl|cafile)$/i
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.test(k)))
}

/** The `node_modules` holding `wx-server-sdk@<spec>` (installed on first use). */
export async function installedSdk(spec: string): Promise<{ nodeModules: string; version: string }> {
  const dir = join(SDK_CACHE, `wx-server-sdk@${spec.replace(/[^\w.~^-]/g, '_')}`)
  const pkg = join(dir, 'node_modules', 'wx-server-sdk', 'package.json')
  if (!existsSync(pkg)) {
    mkdirSync(SDK_CACHE, { recursive: true })
    const scratch = mkdtempSync(join(SDK_CACHE, '.install-'))
    writeFileSync(join(scratch, 'package.json'), '{"private":true}\n')
    await new Promise<void>((resolve, reject) =>
      execFile(
        'npm',
        ['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', '--loglevel=error', `wx-server-sdk@${spec}`],
        { cwd: scratch, env: npmEnv(), timeout: 240_000 },
        (err, _out, stderr) => (err ? reject(new Error(`npm install wx-server-sdk@${spec} failed (the test needs the npm registry): ${stderr || err.message}`)) : resolve()),
      ),
    )
    try {
      renameSync(scratch, dir)
    } catch {
      rmSync(scratch, { recursive: true, force: true }) // another test file installed it first
    }
  }
  return { nodeModules: join(dir, 'node_modules'), version: (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version }
}

/** Gives a function folder the installed SDK as its own node_modules (a link to the cache). */
export function linkNodeModules(functionDir: string, nodeModules: string): void {
  symlinkSync(nodeModules, join(functionDir, 'node_modules'), 'dir')
}
