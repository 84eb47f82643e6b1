/**
 * @module phonebind/args — the small option parser the commands share: boolean flags and
 * `--name value` / `--name=value`; anything else is a {@link UsageError}.
 */
import { UsageError } from './command'

export function parseArgs<F extends string, V extends string>(argv: string[], flags: readonly F[], values: readonly V[]): { flags: Set<F>; values: Partial<Record<V, string>> } {
  const out = { flags: new Set<F>(), values: {} as Partial<Record<V, string>> }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const eq = a.indexOf('=')
    const name = (eq > 0 ? a.slice(0, eq) : a).replace(/^-y$/, '--yes').replace(/^--/, '')
    if ((flags as readonly string[]).includes(name) && eq < 0) out.flags.add(name as F)
    else if ((values as readonly string[]).includes(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i]
      if (v === undefined || v === '' || (eq < 0 && v.startsWith('--'))) throw new UsageError(`${a} 需要一个值 / ${a} needs a value`)
      out.values[name as V] = v
    } else throw new UsageError(`未知选项 ${a} / unknown option ${a}`)
  }
  return out
}
