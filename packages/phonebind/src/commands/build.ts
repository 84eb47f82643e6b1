/**
 * @module phonebind/commands/build — `phonebind build`: writes phonebind's deployable function
 * folders into the project's cloudfunctionRoot (or `--out`), replacing phonebind's own older
 * scripts and never a user's file, checks them, and prints each deploy route with what it needs.
 *
 * The bundles are built when the package is (scripts/build.ts: esbuild, target
 * `FUNCTION_RUNTIME.esbuildTarget`, wx-server-sdk inside), not on the user's machine: what
 * deploys is what phonebind's tests ran, whatever is (or is not) in the user's node_modules.
 */
import { join, resolve } from 'node:path'
import type { Writable } from 'node:stream'
import { parseArgs } from '../args'
import { say, type CliIO } from '../command'
import { FUNCTION_RUNTIME, PHONEBIND_FUNCTIONS } from '../facts'
import { shippedVersion, writeFunction } from '../functions'
import { loadProject } from '../project'
import { printFolder, rel } from '../report'
import { verifyFunction } from '../verify'

export const usage = `用法 / Usage: phonebind build [--out <dir>]

把 phonebind 的云函数（预构建，wx-server-sdk 已打包在内）写入 cloudfunctionRoot，检查后给出部署方法。
Writes phonebind's prebuilt functions into the project's cloudfunctionRoot, checks them, and
prints how to deploy them. Only phonebind's own files are replaced, never yours.

  --out <dir>   写到该目录而非项目 / write to this folder instead of the project`

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, [] as const, ['out'] as const)
  const out = io.stdout
  let root: string
  let target: string
  if (args.values.out) {
    root = io.cwd
    target = resolve(io.cwd, args.values.out)
  } else {
    // A ProjectError here is the dispatcher's ✘ line, exit 1 (cli.ts).
    const project = loadProject(io.cwd)
    root = project.root
    if (!project.cloudfunctionRoot) {
      say(io.stderr, '✘ project.config.json 没有 cloudfunctionRoot：先运行 phonebind init / has no cloudfunctionRoot: run phonebind init first')
      return 1
    }
    target = project.cloudfunctionRoot
  }
  say(out, `phonebind build ${shippedVersion()} → ${rel(root, target)}/（Node ${FUNCTION_RUNTIME.nodeMajor}+，${FUNCTION_RUNTIME.cloudbase}）`)
  let failed = false
  for (const name of PHONEBIND_FUNCTIONS) {
    const attention = printFolder(out, root, join(target, name), writeFunction(target, name, true))
    if (attention.some((r) => r.outcome === 'user' && r.path.endsWith('.js'))) failed = true
    for (const p of verifyFunction(join(target, name), name)) {
      say(out, `  ✘ ${rel(root, p.file)}: ${p.problem}`)
      failed = true
    }
  }
  say(out, '')
  say(out, failed ? '✘ 有问题，见上 / problems above' : `✔ 每个脚本都能解析，getPhoneNumber 的 config.json 含 phonenumber.getPhoneNumber / every script parses; getPhoneNumber's config.json has its permission`)
  say(out, '')
  printRoutes(out, rel(root, target))
  return failed ? 1 : 0
}

function printRoutes(out: Writable, cf: string): void {
  const rt = FUNCTION_RUNTIME.cloudbase
  say(out, `部署 / Deploy — 云函数运行时须为 ${rt} 或更新 / the functions need runtime ${rt} or newer`)
  say(out, `  开发者工具 / devtools: 右键 ${cf}/<函数> → 上传并部署：云端安装依赖 / right-click each folder → 上传并部署`)
  say(out, `    会应用 config.json 的 openapi 权限（约 10 分钟生效）/ applies config.json's openapi permission (cached ~10 min)`)
  say(out, `  CloudBase CLI: tcb fn deploy --all   （cloudbaserc.json 指定 runtime ${rt} / cloudbaserc.json names runtime ${rt}）`)
  say(out, `    未确认 tcb 是否应用 config.json 的权限：首次请用开发者工具上传 getPhoneNumber / not confirmed that tcb applies config.json permissions: upload getPhoneNumber once from devtools`)
  say(out, `  miniprogram-ci: 只用于更新已存在的函数 / only to update functions that already exist:`)
  say(out, `    ci 新建的函数运行时是 Nodejs8.9（index.js 会在日志中说明原因）且不读 config.json / a function ci creates runs Nodejs8.9 (index.js logs why it refuses) and ci never reads config.json;`)
  say(out, `    先用开发者工具或 tcb 创建 / create them first with devtools or tcb, then:`)
  say(out, `    npx miniprogram-ci cloud functions upload --pp ./ --appid <APPID> --pkp ./private.<APPID>.key --env <ENV> --name <函数> --path ./${cf}/<函数>/ --remote-npm-install true`)
}
