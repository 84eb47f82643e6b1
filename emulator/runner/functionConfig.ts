/**
 * @module emulator/runner/functionConfig — a function folder's `config.json` as the platform
 * reads it on deploy: `permissions.openapi` (what `cloud.openapi.*` may call) and `timeout`.
 */
import { readFileSync, existsSync, statSync } from 'node:fs'
import { join } from 'node:path'

export interface FunctionConfig {
  /** e.g. `['phonenumber.getPhoneNumber']`. */
  openapiPermissions: string[]
  /** Seconds; CloudBase's default is 3. */
  timeoutSeconds: number
}

export const DEFAULT_TIMEOUT_SECONDS = 3

/** Reads `<dir>/config.json`; a missing or unreadable file gives the platform defaults. */
export function readFunctionConfig(dir: string): FunctionConfig {
  const file = join(dir, 'config.json')
  const config: FunctionConfig = { openapiPermissions: [], timeoutSeconds: DEFAULT_TIMEOUT_SECONDS }
  if (!existsSync(file)) return config
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return config
  }
  if (!raw || typeof raw !== 'object') return config
  const obj = raw as { permissions?: { openapi?: unknown }; timeout?: unknown }
  const openapi = obj.permissions?.openapi
  if (Array.isArray(openapi)) config.openapiPermissions = openapi.filter((p): p is string => typeof p === 'string')
  if (typeof obj.timeout === 'number' && obj.timeout > 0) config.timeoutSeconds = obj.timeout
  return config
}

const cache = new Map<string, { mtimeMs: number; config: FunctionConfig }>()

/** `readFunctionConfig`, re-read only when the file's mtime changes (one stat per call). */
export function readFunctionConfigCached(dir: string): FunctionConfig {
  let mtimeMs = -1
  try {
    mtimeMs = statSync(join(dir, 'config.json')).mtimeMs
  } catch {
    // missing: defaults, cached under -1
  }
  const hit = cache.get(dir)
  if (hit && hit.mtimeMs === mtimeMs) return hit.config
  const config = readFunctionConfig(dir)
  cache.set(dir, { mtimeMs, config })
  return config
}
