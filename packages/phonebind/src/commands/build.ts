/**
 * @module phonebind/commands/build — `phonebind build` (being written; see issue 11).
 */
import { say, type CliIO } from '../command'

export const usage = '用法 / Usage: phonebind build'

export async function run(_args: string[], io: CliIO): Promise<number> {
  say(io.stderr, 'phonebind build：尚未实现 / not implemented yet')
  return 1
}
