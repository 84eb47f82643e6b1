#!/usr/bin/env node
/**
 * @module phonebind/cli — `phonebind <command>`: the dispatcher. Each command is a module loaded
 * only when it runs (so `phonebind doctor` does not load the emulator), listed once in
 * {@link COMMANDS}.
 *
 *   npx phonebind init | dev | build | doctor [options]
 *   npx phonebind <command> --help
 */
import { defaultIO, say, UsageError, type CliIO, type CommandModule } from './command'
import { ProjectError } from './userFile'

interface CommandEntry {
  /** One line, Chinese / English. */
  summary: string
  /**
   * Loads the command's module when it runs. `require`, not `import()`: esbuild inlines it into
   * dist/cli.js, tsx and jest resolve it from the sources alike.
   */
  load: () => CommandModule
}

export const COMMANDS: Record<string, CommandEntry> = {
  init: { summary: '把 phonebind 加入当前开发者工具项目 / add phonebind to this devtools project', load: () => require('./commands/init') },
  dev: { summary: '本项目云函数的本地模拟器与控制台 / the local emulator + console over this project\'s functions', load: () => require('./commands/dev') },
  build: { summary: '生成可部署的云函数 / write deployable function bundles', load: () => require('./commands/build') },
  doctor: { summary: '检查项目配置并给出修复方法 / check the project and say what to fix', load: () => require('./commands/doctor') },
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length))
  return [
    '用法 / Usage: phonebind <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    '  phonebind <command> --help   每个命令的选项 / options of a command',
  ].join('\n')
}

/** Runs `phonebind` with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    say(name === undefined ? io.stderr : io.stdout, usage())
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-v') {
    say(io.stdout, version())
    return 0
  }
  // Own properties only: `phonebind constructor` is an unknown command, not Object's.
  const entry = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined
  if (!entry) {
    say(io.stderr, `未知命令 “${name}” / unknown command "${name}"`)
    say(io.stderr, '')
    say(io.stderr, usage())
    return 2
  }
  const command = entry.load()
  if (rest.includes('--help') || rest.includes('-h')) {
    say(io.stdout, command.usage)
    return 0
  }
  try {
    return await command.run(rest, io)
  } catch (e) {
    if (e instanceof UsageError) {
      say(io.stderr, e.message)
      say(io.stderr, '')
      say(io.stderr, command.usage)
      return 2
    }
    // A project phonebind cannot use (none found, a file it cannot read or parse), wherever a
    // command meets it: one ✘ line and exit 1, never a stack trace.
    if (e instanceof ProjectError) {
      say(io.stderr, `✘ ${e.message}`)
      return 1
    }
    throw e
  }
}

function version(): string {
  // Bundled: dist/cli.js sits beside ../package.json; from the sources (tsx): src/cli.ts likewise.
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../package.json') as { version: string }).version
  } catch {
    return 'unknown'
  }
}

if (require.main === module) {
  // `phonebind doctor | head`: a closed pipe ends the output, not in a stack trace.
  for (const s of [process.stdout, process.stderr]) s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(process.exitCode ?? 0) : undefined))
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (e: unknown) => {
      process.stderr.write(`phonebind 出错 / failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
      process.exitCode = 1
    },
  )
}
