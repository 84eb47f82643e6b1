/**
 * 构建npm over a user's devtools project with miniprogram-ci (the code devtools runs for
 * 工具 → 构建npm), as devtools does it: `packNpmManually` over each `packNpmRelationList` entry
 * when the project says so, `packNpm` otherwise. A child process of its own: the foreign-project
 * test runs under jsdom, where miniprogram-ci does not load.
 *
 * scripts/packMiniprogramNpm.ts is not used as is: it re-links a `file:` dependency for the
 * repository's worktrees, and an npm-installed tarball is a `file:…tgz` dependency too.
 *
 *   tsx test/e2e/packNpm.ts <projectDir>   → prints one JSON line { miniprogramPackages, otherPackages, warnings }
 */
import * as path from 'node:path'
import { relationsOf } from '../../scripts/packMiniprogramNpm'

async function pack(projectDir: string) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ci = require('miniprogram-ci') as typeof import('miniprogram-ci')
  const report = { miniprogramPackages: 0, otherPackages: 0, warnings: [] as string[] }
  const relations = relationsOf(projectDir)
  if (!relations) {
    const project = new ci.Project({ appid: 'touristappid', type: 'miniProgram', projectPath: projectDir, privateKey: 'unused: packNpm is offline', ignores: ['node_modules/**/*'] })
    report.warnings.push(...(await ci.packNpm(project, { reporter: () => undefined })).map((w) => `${w.jsPath}: ${w.msg}`))
    return report
  }
  for (const r of relations) {
    const res = await ci.packNpmManually({
      packageJsonPath: path.resolve(projectDir, r.packageJsonPath),
      miniprogramNpmDistDir: path.resolve(projectDir, r.miniprogramNpmDistDir),
      ignores: ['.phonebind/**', 'cloudfunctions/**'],
    })
    report.miniprogramPackages += res.miniProgramPackNum
    report.otherPackages += res.otherNpmPackNum
    report.warnings.push(...res.warnList.map((w) => `${w.jsPath}: ${w.msg}`))
  }
  return report
}

pack(process.argv[2]!).then(
  (r) => { process.stdout.write(`\n${JSON.stringify(r)}\n`); process.exit(0) },
  (e: unknown) => { process.stdout.write(`\n${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`); process.exit(0) },
)
