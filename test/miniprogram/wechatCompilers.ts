/**
 * WeChat's own compilers, run offline over a devtools project:
 * - `miniprogram-ci` `getCompiledResult`: the compile step of 上传 (devtools' code, TypeScript
 *   plugin included), without the upload. It needs an appid and a private key only to sign requests
 *   to WeChat; the one request a compile makes (project attributes) is answered locally with the
 *   library's own defaults, and its "white ext list" request fails offline and is skipped by it.
 * - `wcc` / `wcsc` from `miniprogram-compiler` (linux, mac and windows binaries inside the npm
 *   package): WXML and WXSS to the JS the client runs, over the compiled output.
 */
import { execFile, spawnSync } from 'child_process'
import * as fs from 'fs'
import { createRequire } from 'module'
import * as os from 'os'
import * as path from 'path'

/** Node's require: in this (jsdom) test program miniprogram-api-typings declares the global `require` as the mini
 * program's, which has no `resolve` or `main`. Same resolution as the module's own require. */
const nodeRequire = createRequire(__filename)

export interface CompiledProject {
  /** Where the compiled files were written (the mini program as uploaded). */
  dir: string
  files: string[]
}

/** The compile itself, in this process. miniprogram-ci forks a compiler process that it keeps
 * alive for reuse, so this runs in a child of its own (see `compileWithMiniprogramCi`). */
async function compileHere(projectDir: string, outDir: string): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ci = require('miniprogram-ci') as typeof import('miniprogram-ci')
  const config = JSON.parse(fs.readFileSync(path.join(projectDir, 'project.config.json'), 'utf8'))
  const project = new ci.Project({
    appid: config.appid,
    type: 'miniProgram',
    projectPath: projectDir,
    privateKey: 'offline: no request is signed',
    ignores: ['node_modules/**/*'],
    // Answered locally instead of by WeChat's server (which wants a real appid and key).
    attr: async () => ci.DefaultProjectAttr,
  } as ConstructorParameters<typeof ci.Project>[0])
  const result = await ci.getCompiledResult({ project, version: '0.0.0', setting: { useProjectConfig: true } })
  for (const [file, content] of Object.entries(result)) {
    fs.mkdirSync(path.dirname(path.join(outDir, file)), { recursive: true })
    fs.writeFileSync(path.join(outDir, file), content)
  }
  return Object.keys(result).sort()
}

/** Compiles the devtools project at `projectDir` with miniprogram-ci into a temp dir; rejects
 * with miniprogram-ci's message when it refuses the project. */
export function compileWithMiniprogramCi(projectDir: string): Promise<CompiledProject> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phonebind-compiled-'))
  const tsx = path.join(path.dirname(nodeRequire.resolve('tsx/package.json')), 'dist', 'cli.mjs')
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [tsx, __filename, projectDir, dir], { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (err, stdout) => {
      const last = stdout.trim().split('\n').pop() ?? ''
      try {
        const answer = JSON.parse(last) as { files?: string[]; error?: string }
        if (answer.files) return resolve({ dir, files: answer.files })
        fs.rmSync(dir, { recursive: true, force: true })
        reject(new Error(answer.error))
      } catch {
        reject(err ?? new Error(`no answer from the compiler process: ${last}`))
      }
    })
  })
}

if (nodeRequire.main === module) {
  const [projectDir, outDir] = process.argv.slice(2)
  compileHere(projectDir, outDir).then(
    (files) => { process.stdout.write(`\n${JSON.stringify({ files })}\n`); process.exit(0) },
    (e: unknown) => { process.stdout.write(`\n${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`); process.exit(0) },
  )
}

const COMPILER_DIR = path.dirname(nodeRequire.resolve('miniprogram-compiler/package.json'))
function binary(name: 'wcc' | 'wcsc'): string {
  const platform = process.platform === 'darwin' ? 'mac' : process.platform === 'win32' ? 'windows' : 'linux'
  const file = path.join(COMPILER_DIR, 'bin', platform, process.platform === 'win32' ? `${name}.exe` : name)
  // npm does not keep the execute bit on this package's binaries; miniprogram-compiler itself chmods them too.
  if (process.platform !== 'win32') fs.chmodSync(file, 0o755)
  return file
}

export interface CompilerRun {
  status: number | null
  stdout: string
  stderr: string
}

/**
 * wcc over every .wxml under `dir` (and the .wxs modules they load), with each component's `usingComponents` tag names, as devtools
 * calls it (the arguments miniprogram-compiler's `wxmlToJs` builds; its own file walk resolves
 * usingComponents only relatively, so npm components would be missed — here every file is listed).
 */
export function runWcc(dir: string, wxmlFiles: string[]): CompilerRun {
  const components: string[] = []
  let count = 0
  for (const file of wxmlFiles) {
    if (!file.endsWith('.wxml')) continue // a .wxs module (listed so wcc can resolve <wxs src>) has no usingComponents
    const json = path.join(dir, file.replace(/\.wxml$/, '.json'))
    const using = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')).usingComponents : undefined
    if (!using) continue
    count++
    components.push(file, String(Object.keys(using).length), ...Object.keys(using))
  }
  const componentArgs = [String(count), ...components]
  const res = spawnSync(binary('wcc'), ['-d', '-cc', componentArgs.join(' '), ...wxmlFiles, '-gn', '$gwx'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 })
  return { status: res.status, stdout: res.stdout.toString(), stderr: res.stderr.toString() }
}

/** wcsc over every .wxss under `dir` (component styles first, as miniprogram-compiler orders them). */
export function runWcsc(dir: string, wxssFiles: string[]): CompilerRun {
  const isComponent = (f: string) => fs.existsSync(path.join(dir, f.replace(/\.wxss$/, '.json')))
  const ordered = [...wxssFiles.filter(isComponent), ...wxssFiles.filter((f) => !isComponent(f))]
  const res = spawnSync(binary('wcsc'), ['-db', '-pc', String(wxssFiles.filter(isComponent).length), ...ordered], { cwd: dir, maxBuffer: 16 * 1024 * 1024 })
  return { status: res.status, stdout: res.stdout.toString(), stderr: res.stderr.toString() }
}
