/**
 * @module phonebind/verify — what can be checked offline about a function folder before it is
 * deployed: phonebind's loader is in place, every script parses (`node --check`, which only
 * parses), the bundle's syntax stays within the Node the runtime gives (`FUNCTION_RUNTIME`), and
 * config.json carries the openapi permission the function needs.
 * Not checkable offline: the runtime a function was created with in the cloud, the permission
 * as the cloud applied it, and whether the env's collections exist.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { OPENAPI_PERMISSIONS } from './facts'
import { BUNDLE_FILE, type PhonebindFunction } from './functions'
import { markedVersion } from './owned'

export interface Problem {
  file: string
  problem: string
}

/** The openapi permissions missing from a function's config.json (or why it can't be read). */
export function missingPermissions(dir: string, name: PhonebindFunction): string[] | 'unreadable' {
  const need = OPENAPI_PERMISSIONS[name]
  const file = join(dir, 'config.json')
  if (!existsSync(file)) return need.length ? [...need] : []
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as { permissions?: { openapi?: unknown } }
    const have = Array.isArray(c.permissions?.openapi) ? (c.permissions!.openapi as unknown[]) : []
    return need.filter((p) => !have.includes(p))
  } catch {
    return 'unreadable'
  }
}

export function verifyFunction(dir: string, name: PhonebindFunction): Problem[] {
  const problems: Problem[] = []
  const index = join(dir, 'index.js')
  if (!existsSync(index)) return [{ file: index, problem: '缺少 / missing' }]
  if (markedVersion(readFileSync(index, 'utf8')) === undefined) problems.push({ file: index, problem: '不是 phonebind 的加载器 / not phonebind\'s loader' })
  if (!existsSync(join(dir, BUNDLE_FILE))) problems.push({ file: join(dir, BUNDLE_FILE), problem: '缺少 / missing' })
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const r = spawnSync(process.execPath, ['--check', join(dir, f)], { encoding: 'utf8' })
    if (r.status !== 0) problems.push({ file: join(dir, f), problem: `语法错误 / does not parse: ${(r.stderr || '').split('\n').find((l) => /Error/.test(l)) ?? r.status}` })
  }
  const missing = missingPermissions(dir, name)
  if (missing === 'unreadable') problems.push({ file: join(dir, 'config.json'), problem: '无法解析 / cannot be parsed' })
  else if (missing.length) problems.push({ file: join(dir, 'config.json'), problem: `缺少 permissions.openapi / lacks permissions.openapi: ${missing.join(', ')}` })
  return problems
}
