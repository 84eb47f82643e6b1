/**
 * @module phonebind/setup — the changes `init` makes to files the USER owns
 * (project.config.json, cloudbaserc.json): computed as a list of additions, shown, asked for,
 * and applied only as additions. A key counts as missing when it is absent, or when it holds
 * devtools' template default that means "not configured" (`packNpmManually: false` with an
 * empty `packNpmRelationList`, which the devtools template writes into every new project):
 * that is not a choice of the user's, and 构建npm cannot work with it for this layout.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { FUNCTION_RUNTIME, PHONEBIND_FUNCTIONS } from './facts'
import { isInside, projectRelative, readJsonObject, type Json, type JsonObject, type Project } from './project'

export interface Addition {
  /** Dotted path, e.g. `setting.packNpmManually`. */
  key: string
  value: Json
}

/** A value already there that phonebind would need different: reported, never changed. */
export interface Conflict {
  key: string
  found: Json
  wanted: string
}

export interface FileEdit {
  file: string
  /** The file does not exist yet: it is created, no question asked. */
  create: boolean
  additions: Addition[]
  conflicts: Conflict[]
  /** The resulting document. */
  next: JsonObject
}

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

const posix = (p: string) => p.split(sep).join('/')

/** The 构建npm relation this layout needs, or undefined when package.json is inside miniprogramRoot. */
export function npmRelation(project: Project): { packageJsonPath: string; miniprogramNpmDistDir: string } | undefined {
  if (!project.packageJson) return undefined
  const pkgDir = join(project.packageJson, '..')
  if (isInside(project.miniprogramRoot, pkgDir)) return undefined
  const rel = posix(relative(project.root, project.packageJson))
  return { packageJsonPath: rel.startsWith('.') ? rel : `./${rel}`, miniprogramNpmDistDir: projectRelative(project, project.miniprogramRoot) }
}

const normal = (p: Json | undefined) => (typeof p === 'string' ? p.replace(/^\.\//, '').replace(/\/+$/, '') : p)

/** project.config.json: cloudfunctionRoot and the 构建npm setting, as additions. `packNpm` false:
 * a framework (Taro) brings npm packages into its build itself, and 构建npm over its package.json
 * would copy every dependency (React, the framework runtime) into the output. */
export function projectConfigEdit(project: Project, cloudfunctionRoot: string, packNpm = true): FileEdit {
  const next = structuredClone(project.config)
  const additions: Addition[] = []
  const conflicts: Conflict[] = []
  if (!project.cloudfunctionRoot) {
    next.cloudfunctionRoot = cloudfunctionRoot
    additions.push({ key: 'cloudfunctionRoot', value: cloudfunctionRoot })
  }
  const relation = packNpm ? npmRelation(project) : undefined
  if (relation) {
    const setting: JsonObject = isObject(next.setting) ? next.setting : {}
    const list = setting.packNpmRelationList
    const unset = setting.packNpmManually === undefined || (setting.packNpmManually === false && (list === undefined || (Array.isArray(list) && list.length === 0)))
    if (unset) {
      setting.packNpmManually = true
      additions.push({ key: 'setting.packNpmManually', value: true })
    } else if (setting.packNpmManually !== true) {
      conflicts.push({ key: 'setting.packNpmManually', found: setting.packNpmManually ?? null, wanted: 'true' })
    }
    if (list === undefined || (Array.isArray(list) && list.length === 0)) {
      setting.packNpmRelationList = [relation]
      additions.push({ key: 'setting.packNpmRelationList', value: [relation] })
    } else if (!Array.isArray(list) || !list.some((r) => isObject(r) && normal(r.packageJsonPath) === normal(relation.packageJsonPath))) {
      conflicts.push({ key: 'setting.packNpmRelationList', found: list, wanted: JSON.stringify(relation) })
    }
    if (!isObject(next.setting)) next.setting = setting
  }
  return { file: project.configFile, create: false, additions, conflicts, next }
}

export const CLOUDBASERC = 'cloudbaserc.json'
/** Written when init does not know the env id; doctor reports it. */
export const ENV_PLACEHOLDER = 'your-env-id'

/** The function folder's config.json, or an empty object when it is missing or unreadable. */
function functionConfig(cloudfunctionRoot: string, name: string): JsonObject {
  try {
    return readJsonObject(join(cloudfunctionRoot, name, 'config.json'))
  } catch {
    return {}
  }
}

/**
 * One function of cloudbaserc.json. `installDependency: false`: the folder has nothing to install.
 * Its timeout (default 10) and timer triggers (phoneQuota's) come from its config.json: the
 * CloudBase CLI creates triggers from cloudbaserc.json's `triggers` (`tcb fn trigger create`,
 * docs.cloudbase.net/cli-v1/functions/trigger), devtools from config.json, so both carry the same list.
 */
export function cloudbaseFunction(cloudfunctionRoot: string, name: string): JsonObject {
  const config = functionConfig(cloudfunctionRoot, name)
  const entry: JsonObject = { name, runtime: FUNCTION_RUNTIME.cloudbase, handler: 'index.main', timeout: typeof config.timeout === 'number' ? config.timeout : 10, installDependency: false, ignore: ['node_modules'] }
  if (Array.isArray(config.triggers) && config.triggers.length > 0) entry.triggers = config.triggers
  return entry
}

/**
 * cloudbaserc.json for `tcb fn deploy`: created when absent; when present, the missing
 * phonebind functions are added to `functions` (existing entries are the user's: a wrong
 * runtime there is doctor's to report). No `envVariables`: tcb replaces the function's whole
 * online set with them on every deploy (https://docs.cloudbase.net/cli-v1/functions/configs),
 * which would wipe a PHONEBIND_APPSECRET set in the console.
 */
export function cloudbasercEdit(project: Project, cloudfunctionRoot: string, envId: string | undefined): FileEdit {
  const file = join(project.root, CLOUDBASERC)
  const exists = existsSync(file)
  const next: JsonObject = exists ? readJsonObject(file) : { envId: envId ?? ENV_PLACEHOLDER, functionRoot: posix(relative(project.root, cloudfunctionRoot)).replace(/^(?!\.)/, './'), functions: [] }
  const additions: Addition[] = []
  const conflicts: Conflict[] = []
  if (exists && next.envId === undefined && envId) {
    next.envId = envId
    additions.push({ key: 'envId', value: envId })
  }
  if (!Array.isArray(next.functions)) {
    if (next.functions !== undefined) {
      conflicts.push({ key: 'functions', found: next.functions, wanted: 'an array / 数组' })
      return { file, create: !exists, additions, conflicts, next }
    }
    next.functions = []
    if (exists) additions.push({ key: 'functions', value: [] })
  }
  const functions = next.functions as Json[]
  for (const name of PHONEBIND_FUNCTIONS) {
    if (functions.some((f) => isObject(f) && f.name === name)) continue
    const entry = cloudbaseFunction(cloudfunctionRoot, name)
    functions.push(entry)
    if (exists) additions.push({ key: `functions[name=${name}]`, value: entry })
  }
  return { file, create: !exists, additions, conflicts, next }
}

function scripts(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'miniprogram_npm' || e.name.startsWith('.')) continue
    const p = join(dir, e.name)
    if (e.isDirectory()) scripts(p, out)
    else if (/\.(js|ts)$/.test(e.name) && !/\.(test|d)\.ts$/.test(e.name)) out.push(p)
  }
  return out
}

/** The text without JS comments, so a commented-out call does not count. */
export const noComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\/|(^|[^:\\])\/\/[^\n]*/g, '$1')

export type EnvFinding = { found: 'literal'; value: string } | { found: 'expression' } | { found: 'no-env' } | { found: 'none' }

/**
 * The env id the mini program passes to `wx.cloud.init`, or to phonebind-weapp's `initCloud`
 * (app.js/app.ts first, then any script
 * under miniprogramRoot), by a static scan: a literal is best, then an expression (not
 * checked), then a call without `env`. Comments are stripped first.
 */
export function appEnvId(project: Project): EnvFinding {
  const files = scripts(project.miniprogramRoot).sort((a, b) => Number(/[\\/]app\.[jt]s$/.test(b)) - Number(/[\\/]app\.[jt]s$/.test(a)))
  const found: EnvFinding[] = []
  for (const file of files) {
    const text = noComments(readFileSync(file, 'utf8'))
    for (const m of text.matchAll(/wx\.cloud\.init\s*\(\s*(\{[\s\S]*?\})?\s*\)/g)) {
      const body = m[1] ?? ''
      const literal = /\benv\s*:\s*(['"`])([^'"`]*)\1/.exec(body)
      if (literal) found.push({ found: 'literal', value: literal[2]! })
      else if (/\benv\s*:|[{,]\s*env\s*[,}]/.test(body)) found.push({ found: 'expression' })
      else found.push({ found: 'no-env' })
    }
    // phonebind-weapp's `initCloud(env)` calls wx.cloud.init for the app (the demo does this).
    for (const m of text.matchAll(/\binitCloud\s*\(\s*([^)]*?)\s*\)/g)) {
      const arg = m[1] ?? ''
      const literal = /^(['"`])([^'"`]*)\1$/.exec(arg)
      if (literal) found.push({ found: 'literal', value: literal[2]! })
      else found.push(arg === '' ? { found: 'no-env' } : { found: 'expression' })
    }
  }
  const literal = found.filter((f): f is { found: 'literal'; value: string } => f.found === 'literal')
  return literal.find((f) => !isPlaceholderEnv(f.value)) ?? literal[0] ?? found.find((f) => f.found === 'expression') ?? found[0] ?? { found: 'none' }
}

const PLACEHOLDER_ENV = /^(|my-env-id|your-env-id|env-id|xxx+|test-xxx|cloud1-xxx+|<.*>)$/i
export function isPlaceholderEnv(id: string): boolean {
  return PLACEHOLDER_ENV.test(id.trim())
}
