/**
 * Runs `phonebind` in-process (the dispatcher's `main`) with captured output, as a user in `cwd`
 * would see it; stdin is never a TTY here, so a command that would ask must not block.
 */
import { PassThrough } from 'node:stream'
import { main } from '../../packages/phonebind/src/cli'

export interface CliRun {
  code: number
  out: string
  err: string
}

export async function runCli(argv: string[], cwd: string = process.cwd(), env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let out = ''
  let err = ''
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const stdin = new PassThrough()
  stdin.end()
  const code = await main(argv, { cwd, stdout, stderr, stdin, env })
  return { code, out, err }
}
