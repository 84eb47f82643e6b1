/**
 * @module phonebind/ask — yes/no questions, only on a terminal: with `--yes` the answer is yes,
 * and without a TTY (CI, pipes) nothing is asked and the answer is no, so a script never hangs
 * and never changes a user's file it was not told to.
 */
import { createInterface } from 'node:readline/promises'
import type { CliIO } from './command'

export type Answer = 'yes' | 'no' | 'not-asked'

export async function confirm(io: CliIO, yes: boolean, question: string): Promise<Answer> {
  if (yes) return 'yes'
  if (!io.stdin.isTTY) return 'not-asked'
  const rl = createInterface({ input: io.stdin, output: io.stdout })
  try {
    const a = (await rl.question(`${question} [Y/n] `)).trim().toLowerCase()
    return a === '' || a === 'y' || a === 'yes' || a === '是' ? 'yes' : 'no'
  } finally {
    rl.close()
  }
}
