/**
 * @module phonebind/commands/doctor — `phonebind doctor`: checks the project's configuration for
 * the mistakes users run into most, prints ✔/✘ with the fix for each, exits 1 on any ✘.
 */
import { say, type CliIO } from '../command'
import { parseArgs } from '../args'
import { checkAppid, checkComponent, checkEnvId, checkFunctions, checkNpm, checkRules, checkRuntime, privacyReminder, type Check } from '../checks'
import { detectFramework, locateFrameworkProject } from '../frameworks/detect'
import { loadProject, ProjectError } from '../project'

export const usage = `用法 / Usage: phonebind doctor

检查项目配置并给出修复方法；有 ✘ 时退出码为 1。只读文件，不访问云端。
Checks the project's configuration and says what to fix; exit code 1 on any ✘. Reads files only.`

const MARK = { ok: '✔', fail: '✘', info: 'ℹ' } as const

export async function run(argv: string[], io: CliIO): Promise<number> {
  parseArgs(argv, [] as const, [] as const)
  let checks: Check[]
  let root: string
  try {
    // A framework whose build writes project.config.json (uni-app) describes its project itself.
    const located = locateFrameworkProject(io.cwd)
    const p = located?.project ?? loadProject(io.cwd)
    root = p.root
    // A framework (uni-app, Taro) is checked from its sources: its build output is minified and has no 构建npm.
    const own = (located?.framework ?? detectFramework(p.root))?.doctor?.(p)
    checks = [own?.appid ?? checkAppid(p), own?.env ?? checkEnvId(p), ...checkFunctions(p), checkRuntime(p), ...(own?.setup ?? [checkComponent(p), ...checkNpm(p)]), checkRules(p), privacyReminder()]
  } catch (e) {
    if (e instanceof ProjectError) {
      say(io.stdout, `✘ ${e.message}`)
      return 1
    }
    throw e
  }
  say(io.stdout, `phonebind doctor — ${root}`)
  for (const c of checks) {
    say(io.stdout, `${MARK[c.status]} ${c.title}`)
    if (c.detail) say(io.stdout, `    ${c.status === 'fail' ? '→ ' : ''}${c.detail}`)
  }
  const failed = checks.filter((c) => c.status === 'fail').length
  say(io.stdout, '')
  say(io.stdout, failed ? `${failed} 项需要修复 / ${failed} to fix` : '全部通过 / all good')
  return failed ? 1 : 0
}
