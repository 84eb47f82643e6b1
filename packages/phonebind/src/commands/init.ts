/**
 * @module phonebind/commands/init — `phonebind init`: adds phonebind to an existing devtools
 * project. Writes only files that are phonebind's own (owned.ts): the four function folders,
 * the database rules, and cloudbaserc.json when absent; adds missing keys to the user's
 * project.config.json / cloudbaserc.json after asking (setup.ts). A second run changes nothing.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import { parseArgs } from '../args'
import { confirmChange } from '../ask'
import { say, type CliIO } from '../command'
import { COLLECTION_RULE, COMPONENT_PATH, FUNCTION_RUNTIME, PHONEBIND_COLLECTIONS, PHONEBIND_FUNCTIONS } from '../facts'
import { writeFunction } from '../functions'
import { writeOwned, type FileResult } from '../owned'
import { loadProject, readJsonObject, writeJsonLike, type Project } from '../project'
import { printFolder, rel } from '../report'
import { detectFramework, locateFrameworkProject, type Framework } from '../frameworks/detect'
import { appEnvId, CLOUDBASERC, cloudbasercEdit, isPlaceholderEnv, projectConfigEdit, type FileEdit } from '../setup'

export const usage = `用法 / Usage: phonebind init [--yes] [--force] [--env <envId>]

把 phonebind 加入当前微信开发者工具项目（从当前目录向上查找 project.config.json）。
Adds phonebind to the devtools project around the current directory.

  --yes, -y      不提问，直接添加缺少的配置项 / ask nothing, add the missing settings
  --force        替换 phonebind 自己的旧文件（从不替换你的文件）/ replace phonebind's own older files (never yours)
  --env <envId>  云开发环境 ID，写入 cloudbaserc.json / the cloud env id for cloudbaserc.json`

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, ['yes', 'force'] as const, ['env'] as const)
  // A ProjectError here (no project, a file phonebind cannot use) is the dispatcher's ✘ line, exit 1 (cli.ts).
  // A framework whose build writes project.config.json (uni-app) describes its project itself.
  const located = locateFrameworkProject(io.cwd)
  const project = located?.project ?? loadProject(io.cwd)
  const framework = located?.framework ?? detectFramework(project.root)
  // Every user file the framework's setup reads, and cloudbaserc.json, read before anything is written (UserFileError).
  framework?.readSources(project)
  if (existsSync(join(project.root, CLOUDBASERC))) readJsonObject(join(project.root, CLOUDBASERC))
  const out = io.stdout
  const yes = args.flags.has('yes')
  say(out, `phonebind init — ${project.root}${framework ? `（${framework.name}）` : ''}`)
  say(out, `  小程序目录 / miniprogramRoot: ${rel(project.root, project.miniprogramRoot)}`)

  // project.config.json first: it may name the cloudfunctionRoot the rest writes into.
  const cfRoot = project.cloudfunctionRoot ?? join(project.root, 'cloudfunctions')
  const configOk = located ? true : await applyEdit(io, project, projectConfigEdit(project, 'cloudfunctions/', framework?.usesNpmBuild ?? true), yes)
  say(out, `  云函数目录 / cloudfunctionRoot: ${rel(project.root, cfRoot)}${project.cloudfunctionRoot ? '' : '（新 / new）'}`)
  if (!existsSync(cfRoot)) mkdirSync(cfRoot, { recursive: true })

  say(out, '')
  say(out, '云函数 / cloud functions')
  const attention: FileResult[] = []
  for (const name of PHONEBIND_FUNCTIONS) {
    attention.push(...printFolder(out, project.root, join(cfRoot, name), writeFunction(cfRoot, name, args.flags.has('force'))))
  }
  say(out, '')
  say(out, '数据库安全规则 / database security rules')
  const rules = PHONEBIND_COLLECTIONS.map((c) => writeOwned(join(project.root, 'database', `${c}.rules.json`), JSON.stringify(COLLECTION_RULE) + '\n', false))
  attention.push(...printFolder(out, project.root, join(project.root, 'database'), rules))

  say(out, '')
  say(out, `cloudbaserc.json（tcb fn deploy，runtime ${FUNCTION_RUNTIME.cloudbase}）`)
  const env = args.values.env ?? literalEnv(project)
  const rcOk = await applyEdit(io, project, cloudbasercEdit(project, cfRoot, env), yes)

  const frameworkOk = framework ? await framework.setup({ io, out, project, yes, force: args.flags.has('force') }) : true

  const blocked = attention.filter((r) => r.outcome === 'user' && r.path.endsWith('.js'))
  say(out, '')
  if (blocked.length > 0) {
    say(out, `✘ phonebind 的云函数没有装好：上面标 ! 的脚本是你自己的同名文件 / phonebind's functions are not installed: the scripts marked ! are your own files of the same name`)
    say(out, '  把你的同名云函数改名或移走后再运行 phonebind init / rename or move your function of that name, then run phonebind init again')
  }
  printNextSteps(out, project, cfRoot, env, framework)
  return blocked.length > 0 || !configOk || !rcOk || !frameworkOk ? 1 : 0
}

function literalEnv(project: Project): string | undefined {
  const found = appEnvId(project)
  return found.found === 'literal' && !isPlaceholderEnv(found.value) ? found.value : undefined
}

/** Shows, asks for and applies one edit; false when a needed change was not made. */
async function applyEdit(io: CliIO, project: Project, edit: FileEdit, yes: boolean): Promise<boolean> {
  const out = io.stdout
  const name = rel(project.root, edit.file)
  for (const c of edit.conflicts) {
    say(out, `  ! ${name}: ${c.key} = ${JSON.stringify(c.found)} 是你的设置，未修改；phonebind 需要 ${c.wanted} / is your setting, not changed; phonebind needs ${c.wanted}`)
  }
  if (edit.create) {
    writeJsonLike(edit.file, edit.next)
    say(out, `  ✔ ${name}  新建 / created`)
    return edit.conflicts.length === 0
  }
  if (edit.additions.length === 0) {
    if (edit.conflicts.length === 0) say(out, `  ✔ ${name}  无需修改 / nothing to add`)
    return edit.conflicts.length === 0
  }
  say(out, `  ${name} 需要添加 / needs these additions:`)
  for (const a of edit.additions) say(out, `    + ${a.key} = ${JSON.stringify(a.value)}`)
  if (!(await confirmChange(io, yes, name))) return false
  const before = readFileSync(edit.file, 'utf8')
  writeJsonLike(edit.file, edit.next, before)
  say(out, `  ✔ ${name}  已添加 / added`)
  return edit.conflicts.length === 0
}

/** Where a plain mini program calls wx.cloud.init (frameworks name their own: Framework.cloudInit). */
const PLAIN_CLOUD_INIT = { api: 'wx.cloud.init', where: 'app.js' }

function printNextSteps(out: Writable, project: Project, cfRoot: string, env: string | undefined, framework: Framework | undefined): void {
  const cf = rel(project.root, cfRoot)
  say(out, '下一步 / Next steps')
  if (framework) {
    const [first, ...rest] = framework.nextSteps(project)
    say(out, `  1. ${first}`)
    for (const line of rest) say(out, line)
  } else {
    say(out, `  1. 在页面的 .json 注册组件 / register the component in a page's .json:`)
    say(out, `       "usingComponents": { "phone-auth": "${COMPONENT_PATH}" }`)
    say(out, `     页面 .wxml / in the page's .wxml:  <phone-auth bind:bound="onBound" bind:failed="onFailed" />`)
  }
  if (!framework || framework.usesNpmBuild) say(out, `  2. npm i phonebind-weapp（若未安装 / if not yet installed），然后开发者工具 → 工具 → 构建npm / then devtools → 工具 → 构建npm`)
  else say(out, `  2. npm i phonebind-weapp（若未安装 / if not yet installed）`)
  const { api, where } = framework?.cloudInit(project) ?? PLAIN_CLOUD_INIT
  say(out, env ? `  3. 环境 ID / env id: ${env}（${where} 的 ${api} 与 cloudbaserc.json / in ${where}'s ${api} and cloudbaserc.json）` : `  3. 填写环境 ID / set your env id: ${where} → ${api}({ env: '<envId>' })，以及 cloudbaserc.json → envId`)
  say(out, `  4. 部署云函数 / deploy the functions: 右键 ${cf}/<函数> → 上传并部署：云端安装依赖 / right-click each → 上传并部署（其他方式见 / other routes: npx phonebind build）`)
  say(out, `  5. 云开发控制台 → 数据库：创建集合 / CloudBase console → 数据库: create ${PHONEBIND_COLLECTIONS.join(', ')}，`)
  say(out, `     每个集合 → 数据权限 → 自定义安全规则，粘贴 database/<集合>.rules.json / paste each database/<collection>.rules.json`)
  say(out, `  6. 小程序管理后台 → 设置 → 服务内容声明 → 用户隐私保护指引：声明「手机号」/ declare 手机号 in the privacy guide`)
  say(out, `  7. npx phonebind doctor  检查以上各项 / checks all of the above`)
}
