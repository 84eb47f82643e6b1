/**
 * The wx-server-sdk versions users' functions pin, against the emulator in dev mode, each
 * installed from the registry into the function's own node_modules (once, shared: ./sdkCache.ts):
 * ~2.6.3 (what devtools' templates pin; @cloudbase/node-sdk 2.9.1), 3.0.x (node-sdk 2.10.0) and
 * 4.0.2 (node-sdk 3.17.2). One function per version runs add / doc().get / where().get / update
 * with a command / runTransaction / startTransaction+commit / count, getWXContext() and a nested
 * callFunction. All three speak the same /admin dialect (see emulator/runner/README.md).
 */
import { join } from 'node:path'
import { startEmulator, type RunningEmulator } from '../../emulator'
import type { EmulatorUser } from '../../emulator/client'
import { createDevProject, type DevProject } from './devProject'
import { installedSdk, linkNodeModules } from './sdkCache'

jest.setTimeout(300_000)

const VERSIONS = [
  { spec: '~2.6.3', fn: 'sdk2', expect: /^2\.6\.\d+$/ },
  { spec: '3.0.x', fn: 'sdk3', expect: /^3\.0\.\d+$/ },
  { spec: '4.0.2', fn: 'sdk4', expect: /^4\.0\.2$/ },
]

const SOURCE = `const cloud = require('wx-server-sdk')
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })
const db = cloud.database()
const _ = db.command

exports.main = async (event) => {
  const ctx = cloud.getWXContext()
  const todos = db.collection('todos')
  const { _id } = await todos.add({ data: { owner: ctx.OPENID, sdk: event.sdk, n: 1 } })
  const got = (await todos.doc(_id).get()).data
  const mine = (await todos.where({ owner: ctx.OPENID, sdk: event.sdk }).get()).data
  const updated = (await todos.doc(_id).update({ data: { n: _.inc(1) } })).stats.updated
  const before = await db.runTransaction(async (t) => {
    const doc = (await t.collection('todos').doc(_id).get()).data
    await t.collection('todos').doc(_id).update({ data: { n: doc.n + 10 } })
    return doc.n
  })
  const tx = await db.startTransaction()
  await tx.collection('todos').doc(_id).update({ data: { done: true } })
  await tx.commit()
  const final = (await todos.doc(_id).get()).data
  const count = (await todos.where({ sdk: event.sdk }).count()).total
  const echo = (await cloud.callFunction({ name: 'echo', data: { from: event.sdk } })).result
  return {
    sdk: require('wx-server-sdk/package.json').version,
    context: { OPENID: ctx.OPENID, APPID: ctx.APPID, UNIONID: ctx.UNIONID, ENV: ctx.ENV },
    got: { owner: got.owner, n: got.n },
    whereCount: mine.length,
    updated,
    before,
    final: { n: final.n, done: final.done },
    count,
    echo,
  }
}
`

let project: DevProject
let emu: RunningEmulator
let user: EmulatorUser
const installed: Record<string, string> = {}

beforeAll(async () => {
  const sdks = await Promise.all(VERSIONS.map((v) => installedSdk(v.spec)))
  project = createDevProject({ collections: ['todos'] })
  VERSIONS.forEach((v, i) => {
    project.write(v.fn, 'package.json', JSON.stringify({ name: v.fn, main: 'index.js', dependencies: { 'wx-server-sdk': v.spec } }))
    project.write(v.fn, 'index.js', SOURCE)
    linkNodeModules(join(project.functions, v.fn), sdks[i]!.nodeModules)
    installed[v.fn] = sdks[i]!.version
  })
  project.write('echo', 'index.js', "exports.main = async (event, context) => ({ event: { from: event.from }, fn: context.function_name })\n")
  emu = await startEmulator({ projectRoot: project.root, quiet: true, seed: 'sdk-versions', poolSize: 1 })
  user = (await emu.client.users())[0]!
})

afterAll(async () => {
  await emu?.stop()
  project?.cleanup()
})

test.each(VERSIONS)('wx-server-sdk $spec: database, transactions, getWXContext and callFunction', async (v) => {
  expect(installed[v.fn]).toMatch(v.expect)
  const res = await emu.client.callFunction<Record<string, unknown>>(user.openid, v.fn, { sdk: v.fn })
  expect(res.result).toEqual({
    sdk: installed[v.fn],
    context: { OPENID: user.openid, APPID: emu.appid, UNIONID: user.unionid, ENV: emu.env },
    got: { owner: user.openid, n: 1 },
    whereCount: 1,
    updated: 1,
    before: 2,
    final: { n: 12, done: true },
    count: 1,
    echo: { event: { from: v.fn }, fn: 'echo' },
  })
})
