/**
 * @module phonebind/ask — yes/no questions, only on a terminal: with `--yes` the answer is yes,
 * and without a TTY (CI, pipes) nothing is asked and the answer is no, so a script never hangs
 * and never changes a user's file it was not told to.
 */
import { createInterface } from 'node:readline/promises'
import { say, type CliIO } from './command'

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

/**
 * Asks before changing `name`, a file of the user's (init's edits of project.config.json,
 * cloudbaserc.json, pages.json, config/index.*): true to go ahead; otherwise prints why the file
 * stays as it is and returns false.
 */
export async function confirmChange(io: CliIO, yes: boolean, name: string): Promise<boolean> {
  const answer = await confirm(io, yes, `  修改 ${name}？/ change ${name}?`)
  if (answer === 'yes') return true
  say(io.stdout, answer === 'not-asked' ? `  ! 未修改（不是终端：加 --yes 以添加）/ not changed (not a terminal: add --yes to apply)` : `  ! 未修改 / not changed`)
  return false
}
