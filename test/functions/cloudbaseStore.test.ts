/**
 * core's BindingStore contract against the CloudBase adapter (server/cloudbaseStore.ts), with
 * the real wx-server-sdk in this process talking to the emulator's `/admin` endpoint.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeBindingStoreContract } from '../../core/bindingStore.contract'
import type { PhoneEvent } from '../../core/binding'
import { startEmulator, type RunningEmulator } from '../../emulator'
import type { CloudSdk } from '../../server/cloud'
import { cloudBindingStore, PHONE_EVENTS } from '../../server/cloudbaseStore'

// Set before the SDK loads: no metadata probes (wire §5); the token attributes our calls.
process.env.TENCENTCLOUD = 'true'
process.env.WX_CONTEXT_KEYS = 'WX_API_TOKEN'
process.env.WX_API_TOKEN = 'tok-store-contract'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cloud = require('wx-server-sdk') as CloudSdk

let emu: RunningEmulator
let emptyDir: string

beforeAll(async () => {
  emptyDir = await mkdtemp(join(tmpdir(), 'phonebind-nofn-'))
  emu = await startEmulator({ port: 0, fresh: true, functionsDir: emptyDir, quiet: true })
  emu.invocations.register({ token: 'tok-store-contract', invocationId: 'inv-contract', functionName: 'contract', openid: 'o-contract', appid: emu.appid, openapiPermissions: [] })
  cloud.init({ env: emu.env, serviceUrl: emu.adminUrl, secretId: 'local', secretKey: 'local' })
}, 30_000)
afterAll(async () => {
  await emu?.stop()
  await rm(emptyDir, { recursive: true, force: true })
})

describeBindingStoreContract('CloudBase (wx-server-sdk → emulator)', () => {
  const db = cloud.database({ throwOnNotFound: false })
  return {
    store: cloudBindingStore(db),
    async events() {
      return (await emu.client.db<PhoneEvent>(PHONE_EVENTS, 1000)).map((e) => ({ ...e, at: new Date(e.at) }))
    },
  }
})
