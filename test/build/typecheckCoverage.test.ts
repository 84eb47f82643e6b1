import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import * as ts from 'typescript'

// Every TypeScript file in the repository is type-checked by `npm run typecheck`. jest only strips types
// (test/esbuildTransform.js), so a file no tsconfig lists shows a broken import or a wrong type only when it runs —
// which is how the jsdom test suites went unchecked until tsconfig.test-dom.json. A file a program merely imports
// does not count: it must be listed (include) by one of the programs, so moving or excluding it cannot drop it.
const ROOT = join(__dirname, '..', '..')

/** Type-checked by their own toolchains, not ours: the framework fixture projects (Taro's config and sources need
 * @tarojs types that only the fixture's own install has; see test/frameworks/fixtureCache.ts). */
const CHECKED_ELSEWHERE = /^test\/fixtures\//

/** The tsconfig files `npm run typecheck` runs, read from the script itself. */
function typecheckConfigs(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.typecheck
  return [...script.matchAll(/tsc --noEmit -p (\S+)/g)].map((m) => m[1])
}

function listedFiles(config: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, config), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')) },
  })
  if (!parsed) throw new Error(`cannot read ${config}`)
  return parsed.fileNames.map((f) => relative(ROOT, f).split('\\').join('/'))
}

test('npm run typecheck lists every tracked TypeScript file in one of its programs', () => {
  const configs = typecheckConfigs()
  expect(configs.length).toBeGreaterThan(0) // the script's shape is what this reads
  const checked = new Set(configs.flatMap(listedFiles))
  const tracked = execFileSync('git', ['ls-files', '*.ts'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean)
  const unchecked = tracked.filter((f) => !f.endsWith('.d.ts') && !CHECKED_ELSEWHERE.test(f) && !checked.has(f))
  expect(unchecked).toEqual([])
})
