/**
 * A bind on the real code path (core's bindPhone → server/cloudbaseStore → the real wx-server-sdk)
 * when CloudBase answers with ITS texts for a conflict or a duplicate write, not the emulator's.
 *
 * The SDK talks to the emulator through a small proxy that replaces one chosen answer with what
 * the real platform sends (`{code, message}` — sources in core/testdata/cloudbaseErrors.ts). The
 * SDK itself then turns it into what function code sees (-501001 + message, or the raw commit
 * error), so nothing here imitates wx-server-sdk's wrapping.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bindPhone, type BindPhoneInput } from '../../core/binding'
import { normalisePhone } from '../../core/phone'
import { CONFLICT_CODE, CONFLICT_MESSAGE, DUPLICATE_CODE, DUPLICATE_DOC_TEXT } from '../../core/testdata/cloudbaseErrors'
import { startEmulator, type RunningEmulator } from '../../emulator'
import { parseBody } from '../../emulator/tcb/server'
import type { CloudSdk, Database } from '../../server/cloud'
import { cloudBindingStore, PHONE_EVENTS, PHONE_INDEX } from '../../server/cloudbaseStore'
import { USERS } from '../../server/users'

process.env.TENCENTCLOUD = 'true'
process.env.WX_CONTEXT_KEYS = 'WX_API_TOKEN'
process.env.WX_API_TOKEN = 'tok-real-texts'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cloud = require('wx-server-sdk') as CloudSdk

/** One answer to replace: the first request for which `when` holds gets `{code, message}`. */
interface Fault {
  when: (body: Record<string, unknown>) => boolean
  code: string
  message: string
  fired: number
}

let emu: RunningEmulator
let proxy: http.Server
let emptyDir: string
let fault: Fault | undefined
const seen: string[] = []

function startProxy(target: URL): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const body = parseBody(raw, req.headers['content-type']) as Record<string, unknown>
      seen.push(String(body.action))
      if (fault && fault.fired === 0 && fault.when(body)) {
        fault.fired++
        const text = JSON.stringify({ code: fault.code, message: fault.message, requestId: 'req-real-text' })
        res.writeHead(200, { 'content-type': 'application/json' }).end(text)
        return
      }
      const fwd = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
        },
      )
      fwd.on('error', (e) => res.writeHead(502).end(String(e)))
      fwd.end(raw)
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

beforeAll(async () => {
  emptyDir = await mkdtemp(join(tmpdir(), 'phonebind-realtexts-'))
  emu = await startEmulator({ port: 0, fresh: true, functionsDir: emptyDir, quiet: true })
  emu.invocations.register({ token: 'tok-real-texts', invocationId: 'inv-real-texts', functionName: 'bind', openid: 'o-real', appid: emu.appid, openapiPermissions: [] })
  proxy = await startProxy(new URL(emu.adminUrl))
  const { port } = proxy.address() as AddressInfo
  cloud.init({ env: emu.env, serviceUrl: `http://127.0.0.1:${port}${new URL(emu.adminUrl).pathname}`, secretId: 'local', secretKey: 'local' })
  const db = cloud.database({ throwOnNotFound: false })
  for (const c of [USERS, PHONE_INDEX, PHONE_EVENTS]) await db.createCollection(c).catch(() => undefined)
}, 30_000)
afterAll(async () => {
  await new Promise((r) => proxy?.close(r))
  await emu?.stop()
  await rm(emptyDir, { recursive: true, force: true })
})

let n = 0
function input(): BindPhoneInput {
  const r = normalisePhone({ purePhoneNumber: `1390000${String(++n).padStart(4, '0')}`, countryCode: '86' })
  if (!r.ok) throw new Error('test number rejected')
  return { openid: `o_real_${n}`, appid: emu.appid, phone: r.data, source: 'code', now: new Date('2026-12-04T00:00:00Z') }
}

const inTx = (action: string, collection?: string) => (b: Record<string, unknown>) =>
  b.action === action && typeof b.transactionId === 'string' && b.transactionId !== '' && (collection === undefined || b.collectionName === collection)

async function bindWith(f: Omit<Fault, 'fired'>) {
  fault = { ...f, fired: 0 }
  seen.length = 0
  const db = cloud.database({ throwOnNotFound: false }) as unknown as Database
  const inp = input()
  const result = await bindPhone(cloudBindingStore(db), inp)
  expect(fault.fired).toBe(1) // the real text really was delivered
  fault = undefined
  return { result, inp, starts: seen.filter((a) => a === 'database.startTransaction').length }
}

describe('phonebind retries on the real platform texts (through wx-server-sdk)', () => {
  it('a write inside the transaction answered with DATABASE_TRANSACTION_CONFLICT is retried, and the bind succeeds', async () => {
    const { result, inp, starts } = await bindWith({ when: inTx('database.modifyDocument', USERS), code: CONFLICT_CODE, message: CONFLICT_MESSAGE })
    expect(result).toMatchObject({ ok: true, data: { change: 'bound', user: { _id: inp.openid } } })
    expect(starts).toBe(2)
    expect(await emu.client.db(USERS, 1000)).toEqual(expect.arrayContaining([expect.objectContaining({ _id: inp.openid })]))
  })

  it('a commit answered with DATABASE_TRANSACTION_CONFLICT is retried', async () => {
    const { result, starts } = await bindWith({ when: (b) => b.action === 'database.commitTransaction', code: CONFLICT_CODE, message: CONFLICT_MESSAGE })
    expect(result).toMatchObject({ ok: true, data: { change: 'bound' } })
    expect(starts).toBe(2)
  })

  it('the phone-index insert answered with DATABASE_DUPLICATE_WRITE (documented text) is re-run as "whose is it?"', async () => {
    const { result, starts } = await bindWith({ when: inTx('database.insertDocument', PHONE_INDEX), code: DUPLICATE_CODE, message: DUPLICATE_DOC_TEXT })
    // Nobody owns the number (the duplicate was injected), so the re-run with reads binds it.
    expect(result).toMatchObject({ ok: true, data: { change: 'bound' } })
    expect(starts).toBe(2)
  })
})
