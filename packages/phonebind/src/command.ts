/**
 * @module phonebind/command — what every `phonebind <command>` module exports, and the I/O it
 * gets. Commands write through `io` (never `console` directly) so tests can run them in-process
 * and read what a user would see.
 */
import type { Readable, Writable } from 'node:stream'

export interface CliIO {
  /** Directory the command acts on (the user's cwd; tests pass a temp project). */
  cwd: string
  stdout: Writable
  stderr: Writable
  /** Interactive questions are asked only when this is a TTY (`isTTY`) and `--yes` was not given. */
  stdin: Readable & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
}

export interface CommandModule {
  /** One screen of usage text, Chinese first with English alongside. */
  usage: string
  /** Runs the command; resolves to the process exit code (0 ok, 1 a check/step failed, 2 bad usage). */
  run(args: string[], io: CliIO): Promise<number>
}

/** Thrown for bad arguments; the dispatcher prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export function defaultIO(): CliIO {
  return { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }
}

/** Writes one line. */
export function say(out: Writable, line = ''): void {
  out.write(line + '\n')
}
