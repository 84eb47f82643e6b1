/**
 * Collections exist the ways a CloudBase user makes them (issue 12 item 3): the project's
 * declared ones (`database/<name>.rules.json`) at emulator startup, `db.createCollection` from a
 * function, and the console's "create collection" control (`POST /client/db`). They live in the
 * store's log, so a created collection, even an empty one, is still there after a restart.
 * Auto-creation is an explicit option (`autoCreateCollections`, `--auto-create-collections`).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseDevArgs } from '../../packages/phonebind/src/commands/dev'
import { declaredCollections } from '../../emulator/config'
import { PHONEBIND_COLLECTIONS } from '../../packages/phonebind/src/facts'
import { startTestEmulator } from './helpers'

process.env.TENCENTCLOUD = 'true'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tcb = require('@cloudbase/node-sdk')

/* eslint-disable @typescript-eslint/no-explicit-any -- SDK results */
const dirs: string[] = []
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(d)
  return d
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
const dbOf = (adminUrl: string) => tcb.init({ env: 'phonebind-local', serviceUrl: adminUrl, secretId: 'x', secretKey: 'y' }).database()

it('starts with phonebind\'s declared collections and no other; collections: [] starts with none', async () => {
  // database/*.rules.json declares exactly the collections the functions use (facts.ts).
  expect(declaredCollections()).toEqual([...PHONEBIND_COLLECTIONS].sort())
  const noFunctions = tempDir('phonebind-nofn-')
  const emu = await startTestEmulator(noFunctions)
  try {
    expect((await emu.client.collections()).sort()).toEqual(declaredCollections())
  } finally {
    await emu.stop()
  }
  const bare = await startTestEmulator(noFunctions, { collections: [] })
  try {
    expect(await bare.client.collections()).toEqual([])
    const err = await dbOf(bare.adminUrl).collection('users').where({}).get().catch((e: any) => e)
    expect(err.code).toBe('DATABASE_COLLECTION_NOT_EXIST')
  } finally {
    await bare.stop()
  }
})

it('keeps collections created by createCollection and by the console, empty ones included, across a restart', async () => {
  const noFunctions = tempDir('phonebind-nofn-')
  const dataDir = tempDir('phonebind-data-')
  const first = await startTestEmulator(noFunctions, { dataDir, fresh: true })
  try {
    await dbOf(first.adminUrl).createCollection('orders')
    await first.client.createCollection('coupons')
    // The console's control refuses a second creation and a name CloudBase would not take.
    await expect(first.client.createCollection('coupons')).rejects.toThrow(/409|already exists/)
    await expect(first.client.createCollection('../etc')).rejects.toThrow(/400|name must be/)
  } finally {
    await first.stop()
  }
  const second = await startTestEmulator(noFunctions, { dataDir })
  try {
    expect((await second.client.collections()).sort()).toEqual(['coupons', 'orders', ...declaredCollections()].sort())
    expect((await dbOf(second.adminUrl).collection('coupons').where({}).get()).data).toEqual([])
  } finally {
    await second.stop()
  }
})

it('auto-creates only when asked, warning once per collection through the emulator log', async () => {
  // npm start / phonebind dev
  expect(parseDevArgs([], process.cwd()).autoCreateCollections).toBe(false)
  expect(parseDevArgs(['--auto-create-collections'], process.cwd()).autoCreateCollections).toBe(true)
  const lines: string[] = []
  const emu = await startTestEmulator(tempDir('phonebind-nofn-'), { quiet: false, log: (l) => lines.push(l), autoCreateCollections: true })
  try {
    const db = dbOf(emu.adminUrl)
    await db.collection('scratch').add({ a: 1 })
    await db.collection('scratch').add({ a: 2 })
    expect(lines.filter((l) => l.includes('"scratch"'))).toHaveLength(1)
    expect((await db.collection('scratch').count()).total).toBe(2)
  } finally {
    await emu.stop()
  }
})
