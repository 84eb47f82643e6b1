/**
 * Runs `phonebind` in-process (the dispatcher's `main`) with captured output, as a user in `cwd`
 * would see it; stdin is not a TTY unless answers are given, so a command that would ask must not block.
 */
import { PassThrough } from 'node:stream'
import { main } from '../../packages/phonebind/src/cli'

export interface CliRun {
  code: number
  out: string
  err: string
}

/** `answers`: stdin becomes a (pretend) terminal that types them, for the interactive questions. */
export async function runCli(argv: string[], cwd: string = process.cwd(), env: NodeJS.ProcessEnv = {}, answers?: string): Promise<CliRun> {
  let out = ''
  let err = ''
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const stdin: PassThrough & { isTTY?: boolean } = new PassThrough()
  if (answers === undefined) stdin.end()
  else {
    stdin.isTTY = true
    stdin.end(answers)
  }
  const code = await main(argv, { cwd, stdout, stderr, stdin, env })
  return { code, out, err }
}
