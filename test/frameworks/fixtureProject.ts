/**
 * The steps every "tested as a new user would" suite takes with a user's project
 * (test/e2e/foreignProject.test.ts, test/frameworks/uniapp.test.ts, test/frameworks/taro.test.ts),
 * defined once: the packages packed from the worktree, npm installs into the project, the
 * installed `phonebind` CLI run there (init twice, `dev`), and a progress line per step.
 */
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { hashTree } from '../cli/fixture'
import { npmEnv } from './fixtureCache'

export const REPO = resolve(__dirname, '../..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** The tarballs are packed with --ignore-scripts (no other suite sees a package rebuilt under its feet): the builds must exist. */
export function requireBuiltPackages(): void {
  for (const pkg of ['phonebind', 'weapp']) {
    const built = join(REPO, 'packages', pkg, pkg === 'phonebind' ? 'dist/cli.js' : 'miniprogram_dist/index.js')
    if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first`)
  }
}

/** `npm pack` of packages/<name> into `dest`; the tarball's path. */
export function pack(name: 'phonebind' | 'weapp', dest: string): string {
  const out = execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], { cwd: join(REPO, 'packages', name), encoding: 'utf8', env: npmEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  const report = JSON.parse(out.slice(out.search(/^\[/m))) as { filename: string }[]
  return join(dest, report[0]!.filename)
}

/** Runs a command to its end: exit code (1 when killed or not found) and its output. */
export function run(cmd: string, args: string[], cwd: string, opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((done) =>
    execFile(cmd, args, { cwd, env: opts.env ?? npmEnv(), timeout: opts.timeout ?? 180_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` })))
}

/** `npm install <args>` in `cwd`, as a user would (npm's cache first). */
export async function npmInstall(cwd: string, ...args: string[]): Promise<void> {
  const r = await run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...args], cwd, { timeout: 120_000 })
  if (r.code !== 0) throw new Error(`npm install ${args.join(' ')}: ${r.out}`)
}

/** The installed CLI (`cli`: its dist/cli.js) run in the project. */
export function phonebind(cli: string, project: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

export type InitRun = ReturnType<typeof phonebind> & { tree: Map<string, string> }

/** `phonebind init --yes` twice, with the project's files after each run (the second must change nothing). */
export function initTwice(cli: string, project: string): InitRun[] {
  const runs: InitRun[] = []
  for (let i = 0; i < 2; i++) runs.push({ ...phonebind(cli, project, 'init', '--yes'), tree: hashTree(project) })
  return runs
}

export interface DevServer {
  /** The emulator's URL, once `phonebind dev` says it is ready. */
  ready: Promise<string>
  /** Everything it printed so far. */
  output(): string
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>
}

/** `phonebind dev --port 0 <args>` in the project, as the README says to run it. */
export function startDev(cli: string, project: string, ...args: string[]): DevServer {
  const server: ChildProcess = spawn(process.execPath, [cli, 'dev', '--port', '0', ...args], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const ready = new Promise<string>((resolveUrl, reject) => {
    const check = () => {
      const url = /emulator\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1]
      if (url && out.includes('Ctrl-C to stop.')) resolveUrl(url)
    }
    server.stdout!.on('data', (d: Buffer) => { out += d.toString(); check() })
    server.stderr!.on('data', (d: Buffer) => { out += d.toString() })
    server.once('exit', (code) => reject(new Error(`phonebind dev exited (${code}):\n${out}`)))
  })
  return {
    ready,
    output: () => out,
    async stop() {
      if (server.exitCode !== null || server.signalCode !== null) return
      const exited = new Promise((r) => server.once('exit', r))
      server.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
    },
  }
}

/** A progress line per step, with the seconds since the suite started (build times are recorded from these). */
export function lapTimer(label: string): (what: string) => void {
  const started = Date.now()
  return (what) => { process.stdout.write(`${label}: ${what} at ${((Date.now() - started) / 1000).toFixed(1)} s\n`) }
}
