/**
 * @module phonebind/commands/init — `phonebind init` (being written; see issue 11).
 */
import { say, type CliIO } from '../command'

export const usage = '用法 / Usage: phonebind init'

export async function run(_args: string[], io: CliIO): Promise<number> {
  say(io.stderr, 'phonebind init：尚未实现 / not implemented yet')
  return 1
}
