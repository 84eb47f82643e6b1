/**
 * @module phonebind/commands/dev — `phonebind dev`: the local WeChat + CloudBase emulator and its
 * console over THIS project's functions (every folder of `cloudfunctionRoot`, the user's own
 * included), each from its own folder and node_modules, reloaded when its files change. Data
 * lives under `<project>/.phonebind/` (added to `.gitignore`). The repository's `npm start` is
 * this command on the repository's root.
 *
 * The emulator builds nothing for deploy: JavaScript runs as it is, TypeScript is bundled by
 * the runner for the emulator's own use (emulator/runner/devFunctions.ts).
 */
import { spawn } from 'node:child_process'
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Writable } from 'node:stream'
import { hasFeature } from '../../../../core/baseLibrary'
import { maskPhone } from '../../../../core/phone'
import { startEmulator, type RunningEmulator } from '../../../../emulator'
import { createConsoleRoutes } from '../../../../emulator/console'
import { declaredCollections, DEFAULTS } from '../../../../emulator/config'
import { installCommand, listFunctionFolders, missingDependencies, type FunctionSource, type ReloadReport } from '../../../../emulator/runner'
import { parseArgs } from '../args'
import { say, UsageError, type CliIO } from '../command'
import { locateFrameworkProject } from '../frameworks/detect'
import { loadProject } from '../project'
import { rel } from '../report'

export const usage = `用法 / Usage: phonebind dev [options]

在本地运行模拟的微信 + 云开发和控制台，加载本项目 cloudfunctionRoot 中的全部云函数（包括你自己的），
文件改动后自动重新加载。数据保存在 .phonebind/（会加入 .gitignore）。
Runs the local WeChat + CloudBase emulator and its console over every function of this
project's cloudfunctionRoot (yours included), reloading a function when its files change.
Data lives in .phonebind/ (added to .gitignore).

  --port <n>             127.0.0.1 上的端口（默认 ${DEFAULTS.port}；0 = 任意空闲端口）/ port (default ${DEFAULTS.port}; 0 = any free port)
  --data-dir <dir>       数据目录（默认 ${DEFAULTS.dataDir}）/ where data persists
  --fresh                清空数据，重新生成演示用户 / start empty, demo users seeded again
  --new-wechat           新的模拟微信，保留数据库（wechat.json 损坏或丢失时）/ new simulated WeChat, database kept
  --seed <s>             微信 id 与故障注入的种子 / seed for WeChat ids and injected faults
  --functions-dir <dir>  云函数目录（默认 project.config.json 的 cloudfunctionRoot）/ functions folder
  --install              为依赖未安装的云函数运行 npm install / run npm install where dependencies are missing
  --no-watch             文件改动后不重新加载 / do not reload functions on change
  --auto-create-collections  放行对不存在集合的调用（写入即创建）并警告；云开发会以 -502005 失败
                         let calls on a missing collection through, with a warning (CloudBase fails them with -502005)`

interface DevArgs {
  port: number
  dataDir?: string
  fresh: boolean
  newWeChat: boolean
  seed?: string
  functionsDir?: string
  install: boolean
  watch: boolean
  autoCreateCollections: boolean
}

export function parseDevArgs(argv: string[], cwd: string): DevArgs {
  const a = parseArgs(argv, ['fresh', 'new-wechat', 'install', 'no-watch', 'auto-create-collections'] as const, ['port', 'data-dir', 'seed', 'functions-dir'] as const)
  let port: number = DEFAULTS.port
  if (a.values.port !== undefined) {
    port = Number(a.values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port 须为 0-65535 / --port must be 0-65535')
  }
  if (a.flags.has('fresh') && a.flags.has('new-wechat')) throw new UsageError('--fresh 与 --new-wechat 只能选一个 / choose --fresh or --new-wechat, not both')
  return {
    port,
    dataDir: a.values['data-dir'] ? resolve(cwd, a.values['data-dir']) : undefined,
    fresh: a.flags.has('fresh'),
    newWeChat: a.flags.has('new-wechat'),
    seed: a.values.seed,
    functionsDir: a.values['functions-dir'] ? resolve(cwd, a.values['functions-dir']) : undefined,
    install: a.flags.has('install'),
    watch: !a.flags.has('no-watch'),
    autoCreateCollections: a.flags.has('auto-create-collections'),
  }
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseDevArgs(argv, io.cwd)
  const out = io.stdout
  // A uni-app project has no project.config.json of its own: it describes itself (frameworks/).
  // A ProjectError here is the dispatcher's ✘ line, exit 1 (cli.ts).
  const project = locateFrameworkProject(io.cwd)?.project ?? loadProject(io.cwd)
  const root = project.root
  const functionsDir = args.functionsDir ?? project.cloudfunctionRoot
  if (!functionsDir) {
    say(io.stderr, '✘ project.config.json 没有 cloudfunctionRoot：先运行 phonebind init / has no cloudfunctionRoot: run phonebind init first')
    return 1
  }

  if (ensureGitignored(root)) say(out, `已把 .phonebind/ 加入 .gitignore / added .phonebind/ to .gitignore`)
  const functions = listFunctionFolders(functionsDir)
  if (args.install) {
    for (const fn of functions.filter((f) => missingDependencies(f).length > 0)) {
      if (!(await npmInstall(fn, root, io))) return 1
    }
  }
  printFunctions(out, root, functionsDir, functions)
  printCollections(out, root, args.autoCreateCollections)

  let emu: RunningEmulator
  try {
    emu = await startEmulator({
      projectRoot: root,
      functionsDir,
      port: args.port,
      dataDir: args.dataDir ?? join(root, DEFAULTS.dataDir),
      fresh: args.fresh,
      newWeChat: args.newWeChat,
      seed: args.seed,
      watch: args.watch,
      autoCreateCollections: args.autoCreateCollections,
      log: (line) => say(out, line),
      // The packaged CLI (dist/cli.js) ships the console prebuilt beside it; from the sources it is bundled on first use.
      routes: (handles) => createConsoleRoutes(handles, existsSync(join(__dirname, 'console', 'app.js')) ? { prebuiltDir: join(__dirname, 'console') } : {}),
      onReload: (r) => printReload(out, r),
    })
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err.code === 'EADDRINUSE') say(io.stderr, `✘ 端口 ${args.port} 已被占用：用 --port 换一个 / port ${args.port} is in use: choose another with --port`)
    else say(io.stderr, `✘ 模拟器启动失败 / the emulator failed to start: ${err.message}`)
    return 1
  }
  say(out, banner(emu, root))
  return waitForSignal(emu, out)
}

/**
 * Adds `.phonebind/` to the project's `.gitignore` unless a line already ignores it: appended
 * (a file is created if there is none), never rewritten. Returns whether it wrote.
 */
export function ensureGitignored(root: string): boolean {
  const file = join(root, '.gitignore')
  const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const ignored = text.split(/\r?\n/).some((l) => /^\/?\.phonebind(\/(\*\*?)?)?\s*$/.test(l.trim()))
  if (ignored) return false
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const sep = text === '' || text.endsWith('\n') ? '' : eol
  appendFileSync(file, `${sep}# phonebind dev: local emulator data (session keys, test users)${eol}.phonebind/${eol}`)
  return true
}

function printFunctions(out: Writable, root: string, dir: string, functions: FunctionSource[]): void {
  say(out, `云函数 / cloud functions — ${rel(root, dir)}/`)
  if (functions.length === 0) say(out, '  （没有云函数 / none）')
  const width = Math.max(0, ...functions.map((f) => f.name.length))
  for (const fn of functions) {
    const missing = missingDependencies(fn)
    const kind = fn.kind === 'ts' ? 'TypeScript (esbuild)' : `JavaScript (${rel(fn.dir, fn.entry)})`
    if (missing.length === 0) {
      say(out, `  ✔ ${fn.name.padEnd(width)}  ${kind}`)
    } else {
      say(out, `  ✘ ${fn.name.padEnd(width)}  ${kind} — 依赖未安装 / dependencies not installed: ${missing.join(', ')}`)
      say(out, `    ${installCommand(fn, root)}   （或 / or: phonebind dev --install）`)
    }
  }
  say(out, '')
}

/** The collections created at start (as deployed: declared by `database/*.rules.json`), and how to get others. */
function printCollections(out: Writable, root: string, auto: boolean): void {
  const declared = declaredCollections(join(root, 'database'))
  say(out, `数据库集合 / collections — database/*.rules.json: ${declared.length ? declared.join(', ') : '（无 / none）'}`)
  if (auto) say(out, '  --auto-create-collections：其他集合在首次写入时创建 / others are created on first write (CloudBase would fail with -502005)')
  else say(out, '  其他集合须先创建，如同云开发 / other collections must be created first, as on CloudBase: db.createCollection(name), database/<name>.rules.json, or --auto-create-collections')
  say(out, '')
}

function printReload(out: Writable, r: ReloadReport): void {
  const files = r.files.length ? ` (${r.files.join(', ')})` : ''
  if (r.ok) say(out, `↻ ${r.functionName} 已重新加载 / reloaded${files}`)
  else say(out, `✘ ${r.functionName}${files}: ${r.error ?? ''}\n  调用将失败，直到修复 / calls fail until it is fixed`)
}

/** `npm install` in a function's folder, npm's own output passed through. */
async function npmInstall(fn: FunctionSource, root: string, io: CliIO): Promise<boolean> {
  say(io.stdout, `→ ${installCommand(fn, root)}`)
  const started = Date.now()
  const tty = io.stdout === process.stdout && process.stdout.isTTY
  const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['install', '--no-audit', '--no-fund'], {
    cwd: fn.dir,
    env: io.env,
    stdio: tty ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  })
  if (!tty) {
    const relay = (to: Writable) => (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) say(to, `  [${fn.name}] ${line}`)
    }
    child.stdout?.on('data', relay(io.stdout))
    child.stderr?.on('data', relay(io.stdout))
  }
  const code = await new Promise<number | null>((ok) => {
    child.once('error', () => ok(-1))
    child.once('exit', (c) => ok(c))
  })
  if (code !== 0) {
    say(io.stderr, `✘ ${fn.name}: npm install 失败（退出码 ${code}）/ npm install failed (exit code ${code})`)
    return false
  }
  say(io.stdout, `✔ ${fn.name}: 依赖已安装 / dependencies installed (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  return true
}

export function banner(emu: RunningEmulator, root: string): string {
  const users = emu.wechat.listUsers()
  const first = users.find((u) => hasFeature(u.baseLibrary, 'code')) ?? users[0]
  // The end-to-end demo script exists in phonebind's own repository only.
  const demo = existsSync(join(root, 'emulator', 'demo.ts'))
  const lines = [
    '',
    `phonebind emulator 已启动 / is running`,
    `  console       ${emu.url}/console/   (act as a WeChat user, watch calls, browse data)`,
    `  emulator      ${emu.url}`,
    `  /admin        ${emu.adminUrl}   (CloudBase endpoint the functions' wx-server-sdk uses)`,
    `  client API    ${emu.url}/client/users   (the same, over JSON)`,
    `  jscode2session ${emu.url}/sns/jscode2session`,
    `  appid         ${emu.appid}   env ${emu.env}`,
    '',
    'demo users / 演示用户:',
    ...users.map((u) => `  ${u.openid}  +${u.countryCode} ${maskPhone(u.purePhoneNumber ?? '', u.countryCode ?? '86')}  base library ${u.baseLibrary}  ${u.nickname ?? ''}`),
    '',
    ...(demo
      ? ['bind a phone end to end / 一条命令完成手机号绑定:', first ? `  npx tsx emulator/demo.ts --url ${emu.url} --user ${first.openid}` : '  (no users)', '']
      : []),
    '云函数文件改动后自动重新加载 / functions reload when their files change.',
    'Ctrl-C to stop.',
  ]
  return lines.join('\n')
}

/** Serves until SIGINT/SIGTERM, then stops every service (workers included). */
function waitForSignal(emu: RunningEmulator, out: Writable): Promise<number> {
  return new Promise((resolveExit) => {
    let stopping = false
    const shutdown = (signal: string) => {
      if (stopping) {
        // A second Ctrl-C while stopping: the user wants out now.
        say(out, `${signal} again: exiting without waiting`)
        process.exit(130)
      }
      stopping = true
      say(out, `\n${signal}: stopping the emulator …`)
      emu.stop().then(
        () => {
          say(out, 'stopped.')
          resolveExit(0)
        },
        (e: unknown) => {
          say(out, `stop failed: ${e instanceof Error ? e.message : String(e)}`)
          resolveExit(1)
        },
      )
    }
    process.on('SIGINT', () => shutdown('SIGINT'))
    process.on('SIGTERM', () => shutdown('SIGTERM'))
  })
}
