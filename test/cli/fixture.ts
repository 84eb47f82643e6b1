/**
 * Temp copies of the foreign project fixture (test/fixtures/foreign-project: an ordinary JS
 * mini program in the official demo's layout, with its own `todos` function) and tree hashes.
 */
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

export const FIXTURE = join(__dirname, '..', 'fixtures', 'foreign-project')

const made: string[] = []

/** A copy of the fixture with the package.json `npm i -D phonebind` would have created. */
export function copyFixture(withPackageJson = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'phonebind-fp-'))
  made.push(dir)
  cpSync(FIXTURE, dir, { recursive: true })
  if (withPackageJson) writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'todo-cloud', private: true, devDependencies: { phonebind: '^0.1.0' } }, null, 2) + '\n')
  return dir
}

export function cleanupFixtures(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true })
}

/** relative path → sha256 of every file under `dir` (node_modules skipped). */
export function hashTree(dir: string, skip = new Set(['node_modules'])): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (skip.has(e.name)) continue
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'))
    }
  }
  walk(dir)
  return out
}
