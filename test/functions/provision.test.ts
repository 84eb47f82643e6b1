/**
 * scripts/provision.ts against the emulator, with the real @cloudbase/node-sdk.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator } from '../../emulator'
import { PHONEBIND_COLLECTIONS } from '../../packages/phonebind/src/facts'
import { listCollections, provision, RULES_DIR } from '../../scripts/provision'

process.env.TENCENTCLOUD = 'true' // no metadata probes from node-sdk (wire §5)

let emu: RunningEmulator
let emptyDir: string
beforeAll(async () => {
  emptyDir = await mkdtemp(join(tmpdir(), 'phonebind-nofn-'))
  // A new CloudBase environment: no collection yet (the emulator would otherwise create the declared ones).
  emu = await startEmulator({ port: 0, fresh: true, functionsDir: emptyDir, quiet: true, collections: [] })
}, 30_000)
afterAll(async () => {
  await emu?.stop()
  await rm(emptyDir, { recursive: true, force: true })
})

it("ships deny-all security rules for exactly phonebind's collections", async () => {
  expect(listCollections()).toEqual([...PHONEBIND_COLLECTIONS].sort())
  for (const c of listCollections()) {
    expect(JSON.parse(await readFile(join(RULES_DIR, `${c}.rules.json`), 'utf8'))).toEqual({ read: false, write: false })
  }
})

it('creates the collections, and running it again is harmless', async () => {
  const first = await provision({ env: emu.env, serviceUrl: emu.adminUrl })
  expect(first).toEqual({ created: listCollections(), existing: [] })
  expect((await emu.client.collections()).sort()).toEqual(expect.arrayContaining(listCollections()))
  const second = await provision({ env: emu.env, serviceUrl: emu.adminUrl })
  expect(second).toEqual({ created: [], existing: listCollections() })
})
