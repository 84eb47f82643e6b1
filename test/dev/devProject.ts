/**
 * A temporary WeChat devtools project for `phonebind dev` tests: project.config.json with a
 * `cloudfunctionRoot`, function folders written as a user writes them, and phonebind's own four
 * functions as `phonebind init` writes them (the package's prebuilt dist/functions, and the
 * `database/<collection>.rules.json` files that declare their collections).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PHONEBIND_FUNCTIONS } from '../../packages/phonebind/src/facts'

const SHIPPED = join(__dirname, '..', '..', 'packages', 'phonebind', 'dist', 'functions')
const RULES = join(__dirname, '..', '..', 'database')
export { PHONEBIND_FUNCTIONS }

export interface DevProject {
  root: string
  functions: string
  /** Writes `<cloudfunctionRoot>/<fn>/<file>`. */
  write(fn: string, file: string, content: string): string
  cleanup(): void
}

/** `collections`: the user's own, declared as `database/<name>.rules.json` (created at start). */
export function createDevProject(opts: { phonebind?: boolean; collections?: string[] } = {}): DevProject {
  const root = mkdtempSync(join(tmpdir(), 'phonebind-dev-'))
  const functions = join(root, 'cloudfunctions')
  mkdirSync(functions)
  writeFileSync(
    join(root, 'project.config.json'),
    JSON.stringify({ miniprogramRoot: 'miniprogram/', cloudfunctionRoot: 'cloudfunctions/', appid: 'wx0000000000000000', compileType: 'miniprogram' }, null, 2) + '\n',
  )
  if (opts.phonebind) {
    if (!existsSync(join(SHIPPED, 'login', 'index.js'))) throw new Error(`${SHIPPED} is missing: run npm run build first`)
    for (const fn of PHONEBIND_FUNCTIONS) cpSync(join(SHIPPED, fn), join(functions, fn), { recursive: true })
    cpSync(RULES, join(root, 'database'), { recursive: true })
  }
  for (const c of opts.collections ?? []) {
    mkdirSync(join(root, 'database'), { recursive: true })
    writeFileSync(join(root, 'database', `${c}.rules.json`), '{ "read": "auth.openid == doc.owner", "write": false }\n')
  }
  return {
    root,
    functions,
    write(fn, file, content) {
      const path = join(functions, fn, file)
      mkdirSync(join(path, '..'), { recursive: true })
      writeFileSync(path, content)
      return path
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  }
}
