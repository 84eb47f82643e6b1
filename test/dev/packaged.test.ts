/**
 * `phonebind dev` from the built package (dist/cli.js, what `npx phonebind dev` runs after
 * `npm i -D phonebind`): it has no sources beside it, so the console is served from the prebuilt
 * dist/console/, a TypeScript function is bundled with the package's esbuild, and nothing of the
 * repository's scripts runs inside it (a bundled `require.main === module` block once exited it).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { EmulatorClient } from '../../emulator/client'
import { createDevProject, type DevProject } from './devProject'

jest.setTimeout(60_000)

const DIST_CLI = join(__dirname, '..', '..', 'packages', 'phonebind', 'dist', 'cli.js')
let project: DevProject

beforeAll(() => {
  if (!existsSync(DIST_CLI)) throw new Error(`${DIST_CLI} is missing: run npm run build first`)
  project = createDevProject({ phonebind: true })
  project.write('hello', 'index.ts', "export async function main(event: { name?: string }): Promise<{ text: string }> {\n  return { text: `hello ${event.name ?? ''}` }\n}\n")
})
afterAll(() => project?.cleanup())

it('serves the console and the project\'s functions, and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [DIST_CLI, 'dev', '--port', '0'], { cwd: project.root, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  child.stdout.on('data', (d: Buffer) => (text += d.toString()))
  child.stderr.on('data', (d: Buffer) => (text += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    await new Promise<void>((resolve, reject) => {
      const check = () => text.includes('Ctrl-C to stop.') && resolve()
      child.stdout.on('data', check)
      void exited.then(() => reject(new Error(`exited:\n${text}`)))
    })
    const url = /emulator\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)![1]!
    for (const [path, type] of [['/console/', 'text/html'], ['/console/app.js', 'text/javascript'], ['/console/app.css', 'text/css']]) {
      const res = await fetch(url + path!)
      expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 200, `${type}; charset=utf-8`])
    }
    const client = new EmulatorClient(url)
    const [user] = await client.users()
    expect((await client.callFunction(user!.openid, 'hello', { name: 'pkg' })).result).toEqual({ text: 'hello pkg' })
    const { code } = await client.login(user!.openid)
    expect((await client.callFunction(user!.openid, 'login', { code })).result).toMatchObject({ ok: true })
    expect(text).not.toMatch(/Console build failed/)
  } finally {
    child.kill('SIGTERM')
  }
  expect(await exited).toBe(0)
})
