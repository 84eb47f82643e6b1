/**
 * @module phonebind/frameworks/sourceChecks — doctor's checks over a framework project's sources
 * (uni-app, Taro), where the build output is minified or not built yet: the scripts that hold the
 * cloud's init call, and the env id in it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkRcEnvId, fail, ok, type Check } from '../checks'
import { WEAPP_PACKAGE } from '../facts'
import { readJsonObject, type JsonObject, type Project } from '../project'
import { isPlaceholderEnv, noComments } from '../setup'

/** Files under `dir` whose name matches `keep` (node_modules and dot-folders skipped). */
export function filesUnder(dir: string, keep: RegExp, out: string[] = []): string[] {
  if (!existsSync(dir)) return out
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue
    const p = join(dir, e.name)
    if (e.isDirectory()) filesUnder(p, keep, out)
    else if (keep.test(e.name)) out.push(p)
  }
  return out
}

/**
 * package.json names phonebind-weapp in dependencies or devDependencies: a framework copies the
 * component from node_modules itself (no 构建npm), so either list will do.
 */
export function listsWeapp(p: Project): boolean {
  const pkg = p.packageJson ? (readJsonObject(p.packageJson) as Record<string, JsonObject | undefined>) : {}
  return WEAPP_PACKAGE in (pkg.dependencies ?? {}) || WEAPP_PACKAGE in (pkg.devDependencies ?? {})
}

/** Where a framework project calls the cloud's init, for {@link cloudInitCheck}'s messages. */
export interface CloudInitPlace {
  /** The call the project should make: `Taro.cloud.init`, `wx.cloud.init`. */
  api: string
  /** The files searched, as the user knows them: `src/app.*`. */
  where: string
  /** Where to add the call: `在 app.ts 的 useLaunch 里 / in App's useLaunch`. */
  launchZh: string
  launchEn: string
}

/**
 * `Taro.cloud.init({ env })` or `wx.cloud.init({ env })` in one of `files` (comments ignored), and
 * cloudbaserc.json's envId: a framework project's sources say which env the app uses (its build
 * output is minified, or not there yet).
 */
export function cloudInitCheck(p: Project, files: string[], place: CloudInitPlace): Check {
  const { api } = place
  const calls = files.flatMap((f) => [...noComments(readFileSync(f, 'utf8')).matchAll(/\b(?:Taro|wx)\.cloud\.init\s*\(\s*(\{[\s\S]*?\})?\s*\)/g)].map((m) => m[1] ?? ''))
  if (calls.length === 0) return fail(`找不到 ${api} / no ${api} in ${place.where}`, `${place.launchZh}调用 ${api}({ env: '<envId>', traceUser: true }) / call it ${place.launchEn}`)
  const literal = calls.map((b) => /\benv\s*:\s*(['"`])([^'"`]*)\1/.exec(b)?.[2]).find((v) => v !== undefined)
  if (literal !== undefined && isPlaceholderEnv(literal)) return fail(`${api} 的 env 是占位符 “${literal}” / env is a placeholder`, '填入云开发控制台里的环境 ID / put the env id from the CloudBase console')
  if (literal === undefined && !calls.some((b) => /\benv\b/.test(b))) return fail(`${api} 没有 env / has no env`, `写明 ${api}({ env: '<envId>', traceUser: true }) / name the env`)
  return checkRcEnvId(p) ?? ok('环境 ID / env id', literal ?? '由表达式给出，未检查 / set by an expression, not checked')
}
