/**
 * @module syncMiniprogramShared — copies the pure-TS core files the mini program runs into
 * `miniprogram/shared/`. Devtools packages only files under `miniprogramRoot`, so a runtime
 * `import '../../core/errors'` would be missing on the phone; the copies are committed so a fresh
 * clone opens in devtools without a build. `test/miniprogram/sharedSync.test.ts` fails when a
 * copy drifts from `core/` — then run `npx tsx scripts/syncMiniprogramShared.ts`.
 */
import * as fs from 'fs'
import * as path from 'path'

const ROOT = path.resolve(__dirname, '..')
/** The core modules the mini program needs at runtime. Each may import only the others. */
export const SHARED_MODULES = ['contracts', 'errors', 'wechatCodes'] as const
export const SHARED_DIR = path.join(ROOT, 'miniprogram', 'shared')

const IMPORT_RE = /(from\s+|import\s*\(\s*|require\s*\(\s*)(['"])([^'"]+)\2/g

/** The copy of one core module as it must appear in `miniprogram/shared/`. Throws when the
 * module imports something that would not exist in the package (Node, npm, other core files). */
export function renderShared(name: string, source: string): string {
  const body = source.replace(IMPORT_RE, (whole, lead: string, quote: string, spec: string) => {
    const target = spec.replace(/^\.\//, '').replace(/\.ts$/, '')
    if (!spec.startsWith('./') || !(SHARED_MODULES as readonly string[]).includes(target)) {
      throw new Error(`core/${name}.ts imports '${spec}', which the mini program package cannot contain`)
    }
    return `${lead}${quote}./${target}${quote}`
  })
  return `// GENERATED from core/${name}.ts by scripts/syncMiniprogramShared.ts: do not edit here.\n${body}`
}

/** Every shared file: absolute target path → expected contents. */
export function expectedSharedFiles(): Map<string, string> {
  const files = new Map<string, string>()
  for (const name of SHARED_MODULES) {
    const source = fs.readFileSync(path.join(ROOT, 'core', `${name}.ts`), 'utf8')
    files.set(path.join(SHARED_DIR, `${name}.ts`), renderShared(name, source))
  }
  return files
}

/** Writes the copies; returns the paths that changed. */
export function syncShared(): string[] {
  fs.mkdirSync(SHARED_DIR, { recursive: true })
  const changed: string[] = []
  for (const [file, text] of expectedSharedFiles()) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null
    if (current !== text) {
      fs.writeFileSync(file, text)
      changed.push(path.relative(ROOT, file))
    }
  }
  return changed
}

if (require.main === module) {
  const changed = syncShared()
  console.log(changed.length ? `miniprogram/shared updated: ${changed.join(', ')}` : 'miniprogram/shared is up to date')
}
