/**
 * The mini program's end-to-end set-up, shared by the e2e suites: the emulator with the real built
 * functions in a child process (e2eServer.ts: the suites run under jsdom, which lacks the Node
 * globals the emulator uses), the demo page loaded once per file (simulate cannot load the
 * component twice), and a `wx` routed to the emulator as a given test user.
 */
import * as path from 'path'
import { spawn, type ChildProcess } from 'child_process'
import simulate from 'miniprogram-simulate'
import { EmulatorClient, type EmulatorUser } from '../../emulator/client'
import { routeWxToEmulator } from './emulatorWx'
import { nodeFetch } from './nodeFetch'
import { loadPage, overrideButton, setSdkVersion, weapp } from './helpers'

const REPO = path.resolve(__dirname, '../..')

function startServer(): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [path.join(REPO, 'node_modules/tsx/dist/cli.mjs'), path.join(__dirname, 'e2eServer.ts')], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    server.stderr!.on('data', (c: Buffer) => { err += c.toString() })
    server.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (line) resolve({ server, url: (JSON.parse(line) as { url: string }).url })
    })
    server.once('exit', (code) => reject(new Error(`emulator exited (${code}): ${err}`)))
  })
}

export interface E2E {
  client(): EmulatorClient
  /** The demo page's registered id. */
  pageId(): string
}

/** Registers beforeAll/afterAll/afterEach for a suite and returns its handles. */
export function e2eHarness(): E2E {
  let server: ChildProcess | undefined
  let client: EmulatorClient | undefined
  let id: string | undefined
  beforeAll(async () => {
    ;(globalThis as unknown as { fetch: unknown }).fetch = nodeFetch
    const started = await startServer()
    server = started.server
    client = new EmulatorClient(started.url)
    overrideButton()
    id = loadPage('pages/index/index')
  }, 60_000)
  afterAll(async () => {
    if (!server || server.exitCode !== null) return
    const s = server
    const exited = new Promise((r) => s.once('exit', r))
    s.stdin!.end() // the server stops its workers and exits
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
    if (s.exitCode === null) s.kill('SIGKILL')
  })
  afterEach(() => weapp.resetSession())
  return {
    client: () => client!,
    pageId: () => id!,
  }
}

/** Routes the mini program's `wx` to the emulator as `user`, exactly where the platform would. */
export function actAs(client: EmulatorClient, user: EmulatorUser): void {
  setSdkVersion(user.baseLibrary)
  routeWxToEmulator(() => client, () => user.openid)
}

/** The demo page as `user` would see it after launch, with the real phone-auth inside. */
export async function openPage(e2e: E2E, user: EmulatorUser, opts: { legacy?: boolean } = {}) {
  actAs(e2e.client(), user)
  const session = await weapp.startSession({ legacy: !!opts.legacy }) // what App.onLaunch does
  const page = simulate.render(e2e.pageId())
  page.attach(document.createElement('parent-wrapper'))
  if (opts.legacy) page.setData({ legacy: true })
  await page.instance.onLoad({})
  const text = () => page.dom!.textContent ?? ''
  return { page, session, text }
}

export async function waitFor(done: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms
  while (!done()) {
    if (Date.now() > until) throw new Error('timed out waiting for the component')
    await new Promise((r) => setTimeout(r, 10))
  }
}
