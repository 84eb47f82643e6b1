/**
 * @module emulator/cli — `npm start`: build the functions, start the emulator, print how to use it.
 *
 *   npm start -- [--port 9090] [--data-dir .phonebind/data] [--fresh | --new-wechat] [--seed <s>]
 *                [--auto-create-collections]
 *
 * Ctrl-C or SIGTERM stops every service (workers included) before exiting.
 */
import { resolve } from 'node:path'
import { createConsoleRoutes } from './console'
import { DEFAULTS, DEFAULT_FUNCTIONS_DIR, PROJECT_ROOT } from './config'
import { startEmulator, type RunningEmulator } from './index'
import { maskPhone } from '../core/phone'
import { hasFeature } from '../core/baseLibrary'

export interface CliArgs {
  port: number
  dataDir: string
  fresh: boolean
  newWeChat: boolean
  seed?: string
  functionsDir: string
  autoCreateCollections: boolean
  help: boolean
}

export function parseCliArgs(argv: string[]): CliArgs {
  const args: CliArgs = { port: DEFAULTS.port, dataDir: resolve(PROJECT_ROOT, DEFAULTS.dataDir), fresh: false, newWeChat: false, functionsDir: DEFAULT_FUNCTIONS_DIR, autoCreateCollections: false, help: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined]
    const value = () => {
      const v = inline ?? argv[++i]
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`)
      return v
    }
    if (flag === '--port') {
      const p = Number(value())
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error('--port must be 0-65535')
      args.port = p
    } else if (flag === '--data-dir') args.dataDir = resolve(value())
    else if (flag === '--fresh') args.fresh = true
    else if (flag === '--new-wechat') args.newWeChat = true
    else if (flag === '--seed') args.seed = value()
    else if (flag === '--functions-dir') args.functionsDir = resolve(value())
    else if (flag === '--auto-create-collections') args.autoCreateCollections = true
    else if (flag === '--help' || flag === '-h') args.help = true
    else throw new Error(`unknown option ${a} (try --help)`)
  }
  return args
}

const USAGE = `Usage: npm start -- [options]
  --port <n>        port on 127.0.0.1 (default ${DEFAULTS.port}; 0 = any free port)
  --data-dir <dir>  where data persists (default ${DEFAULTS.dataDir})
  --fresh           start empty (demo users are seeded again)
  --new-wechat      new simulated WeChat, database kept (when wechat.json is damaged or missing)
  --seed <s>        seed for WeChat ids and injected faults
  --functions-dir <dir>  cloud functions to build and run (default cloudfunctions/)
  --auto-create-collections  let calls on a missing collection through, with a warning naming it
                    (CloudBase fails them with -502005; by default the emulator does too)`

function banner(emu: RunningEmulator): string {
  const users = emu.wechat.listUsers()
  const first = users.find((u) => hasFeature(u.baseLibrary, 'code')) ?? users[0]
  const lines = [
    '',
    `phonebind emulator 已启动 / is running`,
    `  console       ${emu.url}/console/   (act as a WeChat user, watch calls, browse data)`,
    `  emulator      ${emu.url}`,
    `  /admin        ${emu.adminUrl}   (CloudBase endpoint the functions' wx-server-sdk uses)`,
    `  client API    ${emu.url}/client/users   (the same, over JSON; see emulator/README.md)`,
    `  jscode2session ${emu.url}/sns/jscode2session`,
    `  appid         ${emu.appid}   env ${emu.env}`,
    '',
    'demo users / 演示用户:',
    ...users.map((u) => `  ${u.openid}  +${u.countryCode} ${maskPhone(u.purePhoneNumber ?? '', u.countryCode ?? '86')}  base library ${u.baseLibrary}  ${u.nickname ?? ''}`),
    '',
    'bind a phone end to end / 一条命令完成手机号绑定:',
    first ? `  npx tsx emulator/demo.ts --url ${emu.url} --user ${first.openid}` : '  (no users)',
    '',
    'Ctrl-C to stop.',
  ]
  return lines.join('\n')
}

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2))
  if (args.help) {
    console.log(USAGE)
    return
  }
  const emu = await startEmulator({
    port: args.port,
    dataDir: args.dataDir,
    fresh: args.fresh,
    newWeChat: args.newWeChat,
    seed: args.seed,
    functionsDir: args.functionsDir,
    autoCreateCollections: args.autoCreateCollections,
    build: true,
    log: (line) => console.log(line),
    routes: (handles) => createConsoleRoutes(handles),
  })
  console.log(banner(emu))

  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) {
      // A second Ctrl-C while stopping: the user wants out now.
      console.log(`${signal} again: exiting without waiting`)
      process.exit(130)
    }
    stopping = true
    console.log(`\n${signal}: stopping the emulator …`)
    emu
      .stop()
      .then(() => {
        console.log('stopped.')
        process.exit(0)
      })
      .catch((e: unknown) => {
        console.error(`stop failed: ${e instanceof Error ? e.message : String(e)}`)
        process.exit(1)
      })
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`emulator failed to start: ${e instanceof Error ? e.message : String(e)}`)
    process.exit(1)
  })
}
