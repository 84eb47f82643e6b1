/**
 * @module scripts/packMiniprogramNpm — 构建npm for the demo mini program, with WeChat's own
 * implementation (`miniprogram-ci`, the same code devtools runs for 工具 → 构建npm), offline.
 *
 * It follows `project.config.json` as devtools does: with `setting.packNpmManually` each entry of
 * `packNpmRelationList` packs the `dependencies` of its `package.json` into
 * `<miniprogramNpmDistDir>/miniprogram_npm/`; otherwise every package.json under
 * `miniprogramRoot` is packed in place. Here the root package.json (outside `miniprogramRoot`, as
 * in devtools' TypeScript template) depends on `phonebind-weapp` through `file:packages/weapp`.
 *
 *   npx tsx scripts/packMiniprogramNpm.ts
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const ROOT = path.resolve(__dirname, '..')

export interface PackRelation {
  packageJsonPath: string
  miniprogramNpmDistDir: string
}

export interface PackReport {
  /** Mini-program packages copied (those with a `miniprogram` directory, like phonebind-weapp). */
  miniprogramPackages: number
  /** Plain JS packages bundled from their `main`. */
  otherPackages: number
  warnings: string[]
  /** The `miniprogram_npm` folders written, relative to the project. */
  outputs: string[]
  notes: string[]
}

export function hasMiniprogramCi(): boolean {
  try {
    require.resolve('miniprogram-ci')
    return true
  } catch {
    return false
  }
}

/** `setting.packNpmRelationList` of a project, or the devtools default (package.json files under
 * `miniprogramRoot`, packed beside themselves) when 构建npm is not manual. */
export function relationsOf(projectDir: string): PackRelation[] | null {
  const config = JSON.parse(fs.readFileSync(path.join(projectDir, 'project.config.json'), 'utf8'))
  const setting = config.setting ?? {}
  if (!setting.packNpmManually) return null
  const list: PackRelation[] = setting.packNpmRelationList ?? []
  if (list.length === 0) throw new Error('project.config.json: packNpmManually is on but packNpmRelationList is empty')
  return list
}

/** Where `name` resolves from a package.json's folder, or null when it is not installed there. */
function installedAt(dir: string, name: string): string | null {
  const link = path.join(dir, 'node_modules', name)
  return fs.existsSync(link) ? fs.realpathSync(link) : null
}

/**
 * A repository checkout whose node_modules is shared with another checkout (a git worktree with a
 * symlinked node_modules) sees the OTHER checkout's `file:` link. Then phonebind-weapp is packed
 * from a throwaway package.json that links this checkout's package: same packNpm, right source.
 */
function stageLocalWeapp(relation: PackRelation, projectDir: string): { relation: PackRelation; note: string; cleanup: () => void } | null {
  const pkgDir = path.dirname(path.resolve(projectDir, relation.packageJsonPath))
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))
  const spec: string | undefined = pkg.dependencies?.['phonebind-weapp']
  if (!spec?.startsWith('file:')) return null
  const wanted = fs.realpathSync(path.resolve(pkgDir, spec.slice('file:'.length)))
  const actual = installedAt(pkgDir, 'phonebind-weapp')
  if (actual === wanted) return null
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'phonebind-packnpm-'))
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify({ name: 'packnpm-stage', private: true, dependencies: { 'phonebind-weapp': spec } }))
  fs.mkdirSync(path.join(stage, 'node_modules'))
  fs.symlinkSync(wanted, path.join(stage, 'node_modules', 'phonebind-weapp'), 'dir')
  return {
    relation: { packageJsonPath: path.join(stage, 'package.json'), miniprogramNpmDistDir: path.resolve(projectDir, relation.miniprogramNpmDistDir) },
    note: `node_modules/phonebind-weapp ${actual ? `is ${actual}` : 'is missing'}, not ${wanted} (run npm install); packed from ${path.relative(projectDir, wanted) || '.'} directly`,
    cleanup: () => fs.rmSync(stage, { recursive: true, force: true }),
  }
}

/** Runs 构建npm for the project at `projectDir` (default: this repository). */
export async function packMiniprogramNpm(projectDir: string = ROOT): Promise<PackReport> {
  // Loaded lazily: miniprogram-ci takes about half a second to load and logs a line when it does.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ci = require('miniprogram-ci') as typeof import('miniprogram-ci')
  const report: PackReport = { miniprogramPackages: 0, otherPackages: 0, warnings: [], outputs: [], notes: [] }
  const relations = relationsOf(projectDir)
  if (!relations) {
    const project = new ci.Project({ appid: 'touristappid', type: 'miniProgram', projectPath: projectDir, privateKey: 'unused: packNpm is offline', ignores: ['node_modules/**/*'] })
    const warnings = await ci.packNpm(project, { reporter: () => undefined })
    report.warnings.push(...warnings.map((w) => `${w.jsPath}: ${w.msg}`))
    report.outputs.push('(beside each package.json under miniprogramRoot)')
    return report
  }
  for (const declared of relations) {
    const staged = stageLocalWeapp(declared, projectDir)
    const relation = staged?.relation ?? { packageJsonPath: path.resolve(projectDir, declared.packageJsonPath), miniprogramNpmDistDir: path.resolve(projectDir, declared.miniprogramNpmDistDir) }
    if (staged) report.notes.push(staged.note)
    // packNpmManually only adds files: clear the output first so a removed file does not linger.
    const out = path.join(relation.miniprogramNpmDistDir, 'miniprogram_npm')
    fs.rmSync(out, { recursive: true, force: true })
    try {
      const res = await ci.packNpmManually({
        packageJsonPath: relation.packageJsonPath,
        miniprogramNpmDistDir: relation.miniprogramNpmDistDir,
        // Not needed for correctness: keeps the package.json search out of folders that hold none
        // of the mini program's dependencies (devtools walks them all).
        ignores: ['.git/**', '.phonebind/**', 'build/**', 'test/**', 'bench/**', 'cloudfunctions/**', 'emulator/**', 'packages/**'],
      })
      report.miniprogramPackages += res.miniProgramPackNum
      report.otherPackages += res.otherNpmPackNum
      report.warnings.push(...res.warnList.map((w) => `${w.jsPath}: ${w.msg}`))
      report.outputs.push(path.relative(projectDir, out))
    } finally {
      staged?.cleanup()
    }
  }
  return report
}

if (require.main === module) {
  packMiniprogramNpm().then(
    (r) => {
      for (const n of r.notes) console.log(`  note: ${n}`)
      for (const w of r.warnings) console.warn(`  warning: ${w}`)
      console.log(`构建npm: ${r.miniprogramPackages} mini-program package(s), ${r.otherPackages} other → ${r.outputs.join(', ')}`)
    },
    (e: unknown) => {
      console.error(`构建npm failed: ${e instanceof Error ? e.message : String(e)}`)
      process.exit(1)
    },
  )
}
