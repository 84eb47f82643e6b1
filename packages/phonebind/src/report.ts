/**
 * @module phonebind/report — how init and build print what they did to files: one line per
 * function folder when all went one way, one line per file otherwise; paths relative to the project.
 */
import { relative, sep } from 'node:path'
import { say } from './command'
import type { FileResult, Outcome } from './owned'
import type { Writable } from 'node:stream'

export const OUTCOME_TEXT: Record<Outcome, string> = {
  created: '新建 / created',
  updated: '已更新 / updated',
  unchanged: '未变 / unchanged',
  outdated: '旧版本，未替换（phonebind build 或 --force）/ older version, kept (phonebind build or --force)',
  user: '你的文件，已跳过 / your file, skipped',
  removed: '已删除（新版本不再需要）/ removed (no longer shipped)',
}

const MARKS: Record<Outcome, string> = { created: '✔', updated: '✔', unchanged: '✔', removed: '✔', outdated: '!', user: '!' }

export function rel(root: string, p: string): string {
  const r = relative(root, p).split(sep).join('/')
  return r === '' ? '.' : r
}

/** Prints a group of file results under `folder`; returns the results that need attention. */
export function printFolder(out: Writable, root: string, folder: string, results: FileResult[]): FileResult[] {
  const outcomes = new Set(results.map((r) => r.outcome))
  if (outcomes.size === 1) {
    const o = results[0]!.outcome
    say(out, `  ${MARKS[o]} ${rel(root, folder)}/  ${OUTCOME_TEXT[o]}（${results.length}）`)
  } else {
    for (const r of results) say(out, `  ${MARKS[r.outcome]} ${rel(root, r.path)}  ${OUTCOME_TEXT[r.outcome]}`)
  }
  return results.filter((r) => r.outcome === 'user' || r.outcome === 'outdated')
}
