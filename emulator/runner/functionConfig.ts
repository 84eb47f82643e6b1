/**
 * @module emulator/runner/functionConfig — a function folder's `config.json` as the platform
 * reads it on deploy: `permissions.openapi` (what `cloud.openapi.*` may call), `timeout` and the
 * timer `triggers` (WeChat's guide wxcloud/guide/functions/triggers: `{"triggers": [{"name",
 * "type": "timer", "config": "<cron>"}]}`; CloudBase CLI docs cli-v1/functions/trigger, same shape).
 */
import { readFileSync, existsSync, statSync } from 'node:fs'
import { join } from 'node:path'

export interface FunctionConfig {
  /** e.g. `['phonenumber.getPhoneNumber']`. */
  openapiPermissions: string[]
  /** Seconds; CloudBase's default is 3. */
  timeoutSeconds: number
  /**
   * The names of the function's `type: "timer"` triggers. Only a function with one is ever run by a
   * timer ("配置了定时触发器的云函数，会在相应时间点被自动触发"); `/client/timer` refuses the rest.
   */
  timerTriggers: string[]
}

export const DEFAULT_TIMEOUT_SECONDS = 3

/** Reads `<dir>/config.json`; a missing or unreadable file gives the platform defaults. */
export function readFunctionConfig(dir: string): FunctionConfig {
  const file = join(dir, 'config.json')
  const config: FunctionConfig = { openapiPermissions: [], timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, timerTriggers: [] }
  if (!existsSync(file)) return config
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return config
  }
  if (!raw || typeof raw !== 'object') return config
  const obj = raw as { permissions?: { openapi?: unknown }; timeout?: unknown; triggers?: unknown }
  const openapi = obj.permissions?.openapi
  if (Array.isArray(openapi)) config.openapiPermissions = openapi.filter((p): p is string => typeof p === 'string')
  if (typeof obj.timeout === 'number' && obj.timeout > 0) config.timeoutSeconds = obj.timeout
  if (Array.isArray(obj.triggers)) {
    for (const t of obj.triggers as unknown[]) {
      const trigger = t as { name?: unknown; type?: unknown } | null
      if (trigger && trigger.type === 'timer' && typeof trigger.name === 'string' && trigger.name !== '') config.timerTriggers.push(trigger.name)
    }
  }
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
