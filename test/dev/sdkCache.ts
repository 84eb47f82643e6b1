/**
 * `wx-server-sdk` versions from the registry, installed once into a folder shared by every
 * test and every run (`$PHONEBIND_SDK_CACHE`, default `<tmp>/phonebind-sdk-cache`), so a user's
 * function can pin the version it would pin in a real project. Installed the one way every cached
 * install is made (test/frameworks/fixtureCache.ts: a scratch folder renamed into place).
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { installOnce } from '../frameworks/fixtureCache'

export const SDK_CACHE = process.env.PHONEBIND_SDK_CACHE ?? join(tmpdir(), 'phonebind-sdk-cache')

/** The `node_modules` holding `wx-server-sdk@<spec>` (installed on first use). */
export async function installedSdk(spec: string): Promise<{ nodeModules: string; version: string }> {
  const dir = join(SDK_CACHE, `wx-server-sdk@${spec.replace(/[^\w.~^-]/g, '_')}`)
  const marker = 'node_modules/wx-server-sdk/package.json'
  await installOnce({
    cache: SDK_CACHE,
    dir,
    marker,
    prepare: (scratch) => writeFileSync(join(scratch, 'package.json'), '{"private":true}\n'),
    npmArgs: ['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', '--loglevel=error', `wx-server-sdk@${spec}`],
    what: `npm install wx-server-sdk@${spec}`,
    timeout: 240_000,
  })
  return { nodeModules: join(dir, 'node_modules'), version: (JSON.parse(readFileSync(join(dir, marker), 'utf8')) as { version: string }).version }
}

/** Gives a function folder the installed SDK as its own node_modules (a link to the cache). */
export function linkNodeModules(functionDir: string, nodeModules: string): void {
  symlinkSync(nodeModules, join(functionDir, 'node_modules'), 'dir')
}
