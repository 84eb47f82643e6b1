/**
 * @module phonebind/checks — doctor's checks, one function each, over a loaded project. Each
 * returns ✔ / ✘ with the fix, or a reminder (ℹ, never fails) for what no file can show.
 * They read files only: nothing here reaches the cloud.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { COLLECTION_RULE, COMPONENT_PATH, FUNCTION_RUNTIME, PHONEBIND_COLLECTIONS, PHONEBIND_FUNCTIONS, runtimeMajor, WEAPP_PACKAGE } from './facts'
import { BUNDLE_FILE, shippedVersion } from './functions'
import { markedVersion } from './owned'
import { effectiveAppid, readJsonObject, type JsonObject, type Project } from './project'
import { rel } from './report'
import { appEnvId, CLOUDBASERC, isPlaceholderEnv, npmRelation } from './setup'
import { missingPermissions } from './verify'

export interface Check {
  status: 'ok' | 'fail' | 'info'
  title: string
  /** What to do (✘), or what was found (✔). */
  detail?: string
}

/** A passed check; `detail` is what was found. */
export const ok = (title: string, detail?: string): Check => ({ status: 'ok', title, detail })
/** A failed check; `detail` is what to do. */
export const fail = (title: string, detail: string): Check => ({ status: 'fail', title, detail })

/** Empty, the tourist appid or all zeros: no real mini program (and no CloudBase). */
export function isPlaceholderAppid(appid: string): boolean {
  return appid === '' || appid === 'touristappid' || /^wx0+$/.test(appid)
}

export function checkAppid(p: Project): Check {
  const appid = effectiveAppid(p) ?? ''
  if (isPlaceholderAppid(appid)) {
    return fail(`appid 是占位符 “${appid}” / the appid is a placeholder`, '在 project.private.config.json（或 project.config.json）填写你的 appid；游客 appid 不能用云开发 / put your appid in project.private.config.json; the tourist appid cannot use CloudBase')
  }
  return ok(`appid ${appid}`)
}

export function checkEnvId(p: Project): Check {
  const app = appEnvId(p)
  if (app.found === 'none') return fail('找不到 wx.cloud.init / no wx.cloud.init in app.js', "在 app.js 的 onLaunch 里调用 wx.cloud.init({ env: '<envId>', traceUser: true }) / call it in App.onLaunch")
  if (app.found === 'no-env') return fail('wx.cloud.init 没有 env / wx.cloud.init has no env', "不填则用默认环境（第一个创建的）：写明 wx.cloud.init({ env: '<envId>', traceUser: true }) / without env the default (first) env is used: name it")
  if (app.found === 'literal' && isPlaceholderEnv(app.value)) return fail(`wx.cloud.init 的 env 是占位符 “${app.value}” / env is a placeholder`, '填入云开发控制台里的环境 ID / put the env id from the CloudBase console')
  return checkRcEnvId(p) ?? ok('环境 ID / env id', app.found === 'literal' ? app.value : '由表达式给出，未检查 / set by an expression, not checked')
}

/**
 * cloudbaserc.json's envId (tcb fn deploy uses it) when the file exists: a failed check for a
 * placeholder or a missing one, else undefined. The second half of every env check, plain or framework.
 */
export function checkRcEnvId(p: Project): Check | undefined {
  const rcFile = join(p.root, CLOUDBASERC)
  if (!existsSync(rcFile)) return undefined
  const envId = readJsonObject(rcFile).envId
  if (typeof envId !== 'string' || isPlaceholderEnv(envId)) return fail(`cloudbaserc.json 的 envId 是占位符 “${String(envId)}” / envId is a placeholder`, '填入环境 ID（tcb fn deploy 用它）/ put the env id (tcb fn deploy uses it)')
  return undefined
}

/** The four functions are phonebind's current files, with the openapi permission. */
export function checkFunctions(p: Project): Check[] {
  if (!p.cloudfunctionRoot) return [fail('没有 cloudfunctionRoot / no cloudfunctionRoot', '运行 / run: npx phonebind init')]
  const version = shippedVersion()
  const checks: Check[] = []
  for (const name of PHONEBIND_FUNCTIONS) {
    const dir = join(p.cloudfunctionRoot, name)
    const where = rel(p.root, dir)
    const index = join(dir, 'index.js')
    if (!existsSync(index)) {
      checks.push(fail(`云函数 ${name} 不存在 / function ${name} is missing`, '运行 / run: npx phonebind init'))
      continue
    }
    const v = markedVersion(readFileSync(index, 'utf8'))
    if (v === undefined) checks.push(fail(`${where}/index.js 不是 phonebind 的 / is not phonebind's`, '这是你自己的同名函数：改名或移走后运行 phonebind init / your own function of that name: rename it, then phonebind init'))
    else if (v !== version || !existsSync(join(dir, BUNDLE_FILE))) checks.push(fail(`${where} 是旧版本 ${v}（当前 ${version}）/ is phonebind ${v}, installed is ${version}`, '运行 / run: npx phonebind build，然后重新部署 / then deploy again'))
    const missing = missingPermissions(dir, name)
    if (missing === 'unreadable') checks.push(fail(`${where}/config.json 无法解析 / cannot be parsed`, '修正 JSON 语法 / fix its JSON'))
    else if (missing.length) {
      checks.push(fail(`${where}/config.json 缺少 openapi 权限 ${missing.join(', ')} / lacks the openapi permission`, `加入 / add "permissions": { "openapi": ${JSON.stringify(missing)} }，再用开发者工具上传（否则 -604101）/ then upload from devtools (otherwise -604101)`))
    }
  }
  if (checks.length === 0) checks.push(ok(`云函数 / functions ${PHONEBIND_FUNCTIONS.join(', ')}`, `phonebind ${version}，getPhoneNumber 含 phonenumber.getPhoneNumber 权限 / has its permission`))
  return checks
}

/** cloudbaserc.json: every phonebind function named there runs on a new enough runtime. */
export function checkRuntime(p: Project): Check {
  const file = join(p.root, CLOUDBASERC)
  if (!existsSync(file)) return { status: 'info', title: `没有 cloudbaserc.json：云函数运行时请在控制台确认为 ${FUNCTION_RUNTIME.cloudbase}+ / no cloudbaserc.json: check the runtime (${FUNCTION_RUNTIME.cloudbase}+) in the console` }
  const rc = readJsonObject(file)
  const fns = Array.isArray(rc.functions) ? (rc.functions as JsonObject[]) : []
  const bad: string[] = []
  for (const name of PHONEBIND_FUNCTIONS) {
    const f = fns.find((x) => x && typeof x === 'object' && x.name === name)
    if (!f) {
      bad.push(`${name}: 未列出 / not listed`)
      continue
    }
    // An entry without `runtime` gets the CLI's default, which older CLIs set to Nodejs10.15: name it.
    const runtime = typeof f.runtime === 'string' ? f.runtime : typeof (f.config as JsonObject | undefined)?.runtime === 'string' ? ((f.config as JsonObject).runtime as string) : undefined
    const major = runtime ? runtimeMajor(runtime) : undefined
    if (major === undefined || major < FUNCTION_RUNTIME.nodeMajor) bad.push(`${name}: ${runtime ?? '未指定 / not named'}`)
  }
  if (bad.length) {
    return fail(`cloudbaserc.json 的运行时太旧或未指定 / runtime too old or not named: ${bad.join('; ')}`, `为每个函数写 "runtime": "${FUNCTION_RUNTIME.cloudbase}"；已创建的函数运行时不能改，需在控制台删除后重新部署 / name "runtime": "${FUNCTION_RUNTIME.cloudbase}"; a created function's runtime cannot change: delete it in the console and deploy again`)
  }
  return ok(`cloudbaserc.json 运行时 / runtime ${FUNCTION_RUNTIME.cloudbase}+`)
}

function jsonFiles(dir: string, skip: Set<string>): string[] {
  if (!existsSync(dir)) return []
  const files: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(e.name) || e.name.startsWith('.')) continue
    const path = join(dir, e.name)
    if (e.isDirectory()) files.push(...jsonFiles(path, skip))
    else if (e.name.endsWith('.json')) files.push(path)
  }
  return files
}

/** Some page's (or app.json's) usingComponents maps a tag to the component. */
export function checkComponent(p: Project): Check {
  const skip = new Set(['node_modules', 'miniprogram_npm'])
  const cf = p.cloudfunctionRoot
  for (const file of jsonFiles(p.miniprogramRoot, skip)) {
    if (cf && file.startsWith(cf)) continue
    let json: JsonObject
    try {
      json = readJsonObject(file)
    } catch {
      continue
    }
    const using = json.usingComponents
    if (using && typeof using === 'object' && !Array.isArray(using) && Object.values(using).some((v) => typeof v === 'string' && v.replace(/^\//, '').replace(/^miniprogram_npm\//, '') === COMPONENT_PATH)) {
      return ok('组件已注册 / component registered', rel(p.root, file))
    }
  }
  return fail('没有页面注册 phone-auth 组件 / no page registers the phone-auth component', `在页面 .json 加入 / add to a page's .json: "usingComponents": { "phone-auth": "${COMPONENT_PATH}" }`)
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).filter((f) => statSync(join(dir, f)).isFile()).sort()
}

/** phonebind-weapp is a dependency, 构建npm is set up for this layout, ran, and is current. */
export function checkNpm(p: Project): Check[] {
  const checks: Check[] = []
  const pkg = p.packageJson ? readJsonObject(p.packageJson) : undefined
  const deps = (pkg?.dependencies ?? {}) as JsonObject
  const devDeps = (pkg?.devDependencies ?? {}) as JsonObject
  if (!(WEAPP_PACKAGE in deps)) {
    return [fail(`${WEAPP_PACKAGE} 不在 dependencies 中 / is not in dependencies`, WEAPP_PACKAGE in devDeps ? `构建npm 只打包 dependencies：npm i ${WEAPP_PACKAGE}（不要 -D）/ 构建npm packs dependencies only: npm i ${WEAPP_PACKAGE} (not -D)` : `npm i ${WEAPP_PACKAGE}`)]
  }
  const relation = npmRelation(p)
  let distDir = p.miniprogramRoot
  if (relation) {
    const setting = (p.config.setting ?? {}) as JsonObject
    const list = Array.isArray(setting.packNpmRelationList) ? (setting.packNpmRelationList as JsonObject[]) : []
    const entry = list.find((r) => r && typeof r === 'object' && String(r.packageJsonPath).replace(/^\.\//, '') === relation.packageJsonPath.replace(/^\.\//, ''))
    if (setting.packNpmManually !== true || !entry) {
      checks.push(fail('构建npm 未配置：package.json 在 miniprogramRoot 之外 / 构建npm not set up: package.json is outside miniprogramRoot', 'project.config.json → setting: "packNpmManually": true 与 / and "packNpmRelationList"（npx phonebind init 会添加 / adds them）'))
      return checks
    }
    distDir = join(p.root, String(entry.miniprogramNpmDistDir ?? relation.miniprogramNpmDistDir))
  }
  const built = join(distDir, 'miniprogram_npm', WEAPP_PACKAGE)
  const source = p.packageJson ? join(p.packageJson, '..', 'node_modules', WEAPP_PACKAGE, 'miniprogram_dist') : undefined
  if (!existsSync(built)) {
    checks.push(fail('构建npm 未运行 / 构建npm has not run', `开发者工具 → 工具 → 构建npm（应生成 / should produce ${rel(p.root, built)}）`))
  } else if (source && existsSync(source)) {
    // 构建npm copies a miniprogram package's miniprogram_dist as is: any difference means it ran before the last npm install.
    const stale = filesUnder(source).some((f) => !existsSync(join(built, f)) || !readFileSync(join(built, f)).equals(readFileSync(join(source, f))))
    checks.push(stale ? fail('构建npm 的结果已过期 / 构建npm output is stale', '重新运行 开发者工具 → 工具 → 构建npm / run 构建npm again') : ok('构建npm 已运行且为最新 / 构建npm ran and is current', rel(p.root, built)))
  } else {
    checks.push(fail(`未安装 ${WEAPP_PACKAGE} / not installed`, 'npm install'))
  }
  return checks
}

/** The rule files init writes, one per collection, denying clients. */
export function checkRules(p: Project): Check {
  const bad = PHONEBIND_COLLECTIONS.filter((c) => {
    const file = join(p.root, 'database', `${c}.rules.json`)
    if (!existsSync(file)) return true
    try {
      const r = readJsonObject(file)
      return r.read !== COLLECTION_RULE.read || r.write !== COLLECTION_RULE.write
    } catch {
      return true
    }
  })
  if (bad.length) return fail(`集合缺少安全规则 / collections without rules: ${bad.join(', ')}`, `database/<集合>.rules.json 应为 / should be ${JSON.stringify(COLLECTION_RULE)}（npx phonebind init 会写入 / writes them）`)
  return ok(`安全规则 / rules: ${PHONEBIND_COLLECTIONS.join(', ')}`, '控制台里的规则无法离线检查：确认已粘贴 / the console\'s rules cannot be checked offline: make sure they were pasted')
}

export function privacyReminder(): Check {
  return { status: 'info', title: '提醒：用户隐私保护指引须声明「手机号」，否则手机号按钮报 errno 112 / reminder: declare 手机号 in the privacy guide, or the phone button fails with errno 112' }
}
