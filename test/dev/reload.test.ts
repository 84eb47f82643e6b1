/**
 * `phonebind dev`'s runner over a user's devtools project (startEmulator({ projectRoot })): a
 * plain-JS function with its own package.json and node_modules (wx-server-sdk ~2.6.3, what the
 * devtools templates pin) runs beside phonebind's prebuilt functions; editing its file changes
 * the next call's result without a restart; a broken edit fails the call with the platform's
 * error and the file and line, and the next good edit recovers; TypeScript functions are
 * bundled and reloaded, shared files included; a function whose dependencies are not installed
 * gets the command that installs them.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator } from '../../emulator'
import type { EmulatorUser } from '../../emulator/client'
import type { ReloadReport } from '../../emulator/runner'
import { createDevProject, type DevProject } from './devProject'
import { installedSdk, linkNodeModules } from './sdkCache'

jest.setTimeout(60_000)

const TODO = (version: string) => `const cloud = require('wx-server-sdk')
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })
const db = cloud.database()

exports.main = async (event) => {
  const { OPENID } = cloud.getWXContext()
  const { _id } = await db.collection('todos').add({ data: { owner: OPENID, title: event.title } })
  const { data } = await db.collection('todos').where({ owner: OPENID }).get()
  return { version: ${JSON.stringify(version)}, id: _id, count: data.length }
}
`

let project: DevProject
let emu: RunningEmulator
let user: EmulatorUser
const reloads: ReloadReport[] = []

beforeAll(async () => {
  const sdk = await installedSdk('~2.6.3')
  project = createDevProject({ phonebind: true, collections: ['todos'] })
  project.write('todo', 'package.json', JSON.stringify({ name: 'todo', version: '1.0.0', main: 'index.js', dependencies: { 'wx-server-sdk': '~2.6.3' } }, null, 2))
  project.write('todo', 'index.js', TODO('v1'))
  linkNodeModules(join(project.functions, 'todo'), sdk.nodeModules)
  // Declares the SDK but nobody ran npm install in it.
  project.write('notInstalled', 'package.json', JSON.stringify({ name: 'notInstalled', dependencies: { 'wx-server-sdk': '~2.6.3' } }))
  project.write('notInstalled', 'index.js', TODO('never'))
  // TypeScript, with a file of its own and one shared with another folder.
  project.write('hello', 'index.ts', `import { greet } from './greet'\nimport { shout } from '../_shared/shout'\nexport async function main(event: { name?: string }): Promise<{ text: string }> {\n  return { text: shout(greet(event.name ?? 'world')) }\n}\n`)
  project.write('hello', 'greet.ts', 'export const greet = (name: string): string => `hello ${name}`\n')
  project.write('_shared', 'shout.ts', 'export const shout = (s: string): string => s\n')
  emu = await startEmulator({ projectRoot: project.root, quiet: true, seed: 'dev', poolSize: 2, onReload: (r) => reloads.push(r) })
  user = (await emu.client.users())[0]!
})

afterAll(async () => {
  await emu?.stop()
  project?.cleanup()
})

/** Resolves with the next reload report of `name` (subscribe before the edit). */
function nextReload(name: string): Promise<ReloadReport> {
  const seen = reloads.length
  return new Promise((resolve) => {
    const check = setInterval(() => {
      const r = reloads.slice(seen).find((x) => x.functionName === name)
      if (r) {
        clearInterval(check)
        resolve(r)
      }
    }, 10)
  })
}

async function call<T = Record<string, unknown>>(name: string, data: Record<string, unknown> = {}): Promise<T> {
  const res = await emu.client.callFunction<T>(user.openid, name, data)
  return res.result
}

async function callFailure(name: string, data: Record<string, unknown> = {}): Promise<string> {
  const err = await emu.client.callFunction(user.openid, name, data).then(
    (r) => {
      throw new Error(`expected a failure, got ${JSON.stringify(r)}`)
    },
    (e: unknown) => e as Error,
  )
  return err.message
}

test('finds every function of cloudfunctionRoot, phonebind\'s and the user\'s, and skips _shared', () => {
  expect(emu.runner.listFunctions()).toEqual(['getOpenData', 'getPhoneNumber', 'hello', 'login', 'mergeAccounts', 'notInstalled', 'phoneQuota', 'sendSmsCode', 'todo', 'unbindPhone', 'verifySmsCode'])
})

test('a plain-JS function runs from its own folder with its own wx-server-sdk (~2.6.3) and the database', async () => {
  const r = await call<{ version: string; count: number }>('todo', { title: 'milk' })
  expect(r).toMatchObject({ version: 'v1', count: 1 })
  const docs = await emu.client.db<{ owner: string; title: string }>('todos')
  expect(docs).toEqual([expect.objectContaining({ owner: user.openid, title: 'milk' })])
})

test('editing the function changes the next call without a restart; a broken edit fails clearly; the next good edit recovers', async () => {
  expect(await call('todo', { title: 'a' })).toMatchObject({ version: 'v1' })
  const pidsBefore = emu.runner.pids()

  let reloaded = nextReload('todo')
  const file = project.write('todo', 'index.js', TODO('v2'))
  expect(await reloaded).toEqual({ functionName: 'todo', ok: true, files: ['cloudfunctions/todo/index.js'] })
  expect(await call('todo', { title: 'b' })).toMatchObject({ version: 'v2' })
  // The workers that ran v1 were retired, not reused.
  expect(emu.runner.pids().filter((p) => pidsBefore.includes(p))).toEqual([])

  reloaded = nextReload('todo')
  project.write('todo', 'index.js', TODO('v3').replace('return {', 'return {{'))
  const broken = await reloaded
  expect(broken).toMatchObject({ functionName: 'todo', ok: false })
  expect(broken.error).toMatch(/^cloudfunctions\/todo\/index\.js:9 SyntaxError: Unexpected token/)
  // The platform's failure: -504002 with the runtime's SyntaxError, and the emulator still runs.
  expect(await callFailure('todo')).toMatch(/error code -504002, error message SyntaxError: Unexpected token/)
  expect(await call('hello')).toEqual({ text: 'hello world' })

  reloaded = nextReload('todo')
  project.write('todo', 'index.js', TODO('v4'))
  expect((await reloaded).ok).toBe(true)
  expect(await call('todo', { title: 'c' })).toMatchObject({ version: 'v4' })
  expect(readFileSync(file, 'utf8')).toContain('"v4"')
})

test('a TypeScript function is bundled outside the folder and reloads when its own or a shared file changes', async () => {
  expect(await call('hello', { name: 'ts' })).toEqual({ text: 'hello ts' })
  // Bundled under .phonebind/build, nothing written beside the user's sources.
  expect(existsSync(join(project.root, '.phonebind', 'build', 'hello', 'index.js'))).toBe(true)
  expect(existsSync(join(project.functions, 'hello', 'index.js'))).toBe(false)

  let reloaded = nextReload('hello')
  project.write('hello', 'greet.ts', 'export const greet = (name: string): string => `hi ${name}`\n')
  expect(await reloaded).toMatchObject({ ok: true, files: ['cloudfunctions/hello/greet.ts'] })
  expect(await call('hello', { name: 'ts' })).toEqual({ text: 'hi ts' })

  reloaded = nextReload('hello')
  project.write('_shared', 'shout.ts', 'export const shout = (s: string): string => s.toUpperCase()\n')
  expect(await reloaded).toMatchObject({ ok: true, files: ['cloudfunctions/_shared/shout.ts'] })
  expect(await call('hello', { name: 'ts' })).toEqual({ text: 'HI TS' })

  reloaded = nextReload('hello')
  project.write('hello', 'greet.ts', 'export const greet = (name: string): string => { return `hi ${name}`\n')
  const broken = await reloaded
  expect(broken).toMatchObject({ ok: false, error: expect.stringMatching(/^cloudfunctions\/hello\/greet\.ts:\d+:\d+ /) })
  expect(await callFailure('hello')).toMatch(/error code -504002, error message SyntaxError: cloudfunctions\/hello\/greet\.ts:\d+:\d+ /)

  reloaded = nextReload('hello')
  project.write('hello', 'greet.ts', 'export const greet = (name: string): string => `hey ${name}`\n')
  expect((await reloaded).ok).toBe(true)
  expect(await call('hello', { name: 'ts' })).toEqual({ text: 'HEY TS' })
})

test('a function whose package.json dependencies are not installed fails with the folder and the command', async () => {
  const pids = emu.runner.pids()
  const msg = await callFailure('notInstalled', { title: 'notInstalled ran' })
  expect(msg).toMatch(/error code -504002/)
  expect(msg).toContain('云函数 notInstalled 的依赖未安装（wx-server-sdk）')
  expect(msg).toContain('cd cloudfunctions/notInstalled && npm install')
  expect(msg).toContain('the dependencies of function notInstalled are not installed')
  // Refused before any worker: nothing of the function ran.
  expect(emu.runner.pids()).toEqual(pids)
  expect(await emu.client.db('todos')).not.toContainEqual(expect.objectContaining({ title: 'notInstalled ran' }))
})

test("phonebind's prebuilt functions still bind a phone beside the user's", async () => {
  const { code: jsCode } = await emu.client.login(user.openid)
  expect(await call('login', { code: jsCode })).toMatchObject({ ok: true })
  const detail = await emu.client.tapPhoneButton(user.openid)
  expect(await call('getPhoneNumber', { code: detail.code })).toMatchObject({ ok: true })
  const users = await emu.client.db<{ _id: string; phone?: { masked?: string } }>('users')
  expect(users.find((u) => u._id === user.openid)?.phone?.masked).toMatch(/\*{4}/)
  // And the user's function still works after it.
  expect(await call('todo', { title: 'after' })).toMatchObject({ version: 'v4' })
})
