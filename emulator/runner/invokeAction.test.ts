import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFunctions } from '../../scripts/buildFunctions'
import { TcbError, type ActionTable, type AdminBody } from '../types'
import { createFunctionActions } from './invokeAction'
import { createInvocationRegistry } from '../invocations'
import { createRunner, type Runner } from './runner'

// A minimal `/admin` that dispatches only the functions action, so the real wx-server-sdk in
// the fixture performs a real nested `cloud.callFunction` over HTTP.
let dir: string
let runner: Runner
let server: Server
let actions: ActionTable
const registry = createInvocationRegistry()

function startAdmin(): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AdminBody
      const requestId = 'req-test'
      const ctx = { requestId, env: String(body.envName), invocation: registry.resolve(body.wxCloudApiToken as string) }
      const handler = actions[String(body.action)]
      const send = (obj: Record<string, unknown>) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify({ ...obj, requestId }))
      }
      if (!handler) return send({ code: 'INVALID_PARAM', message: `unknown action ${String(body.action)}` })
      handler(body, ctx).then(
        (reply) => send('json' in reply ? reply.json : {}),
        (e: unknown) => send(e instanceof TcbError ? { code: e.code, message: e.message } : { code: 'SYS_ERR', message: String(e) }),
      )
    })
  })
  server.keepAliveTimeout = 10_000
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`)))
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'invoke-action-test-'))
  await buildFunctions({ root: join(__dirname, 'fixtures'), outDir: dir, functions: ['whoami', 'throws'] })
  const adminUrl = await startAdmin()
  runner = createRunner({ functionsDir: dir, adminUrl, env: 'test-env-2', invocations: registry })
  actions = createFunctionActions(runner)
}, 30_000)

afterAll(async () => {
  await runner.stop()
  await new Promise((r) => server.close(r))
  server.closeAllConnections()
  rmSync(dir, { recursive: true, force: true })
})

const alice = { openid: 'oAlice_1', appid: 'wxapp0000000001', unionid: 'uAlice_1' }

test('a nested cloud.callFunction runs the callee as the caller’s user', async () => {
  const out = await runner.invoke('whoami', { callFunction: { name: 'whoami', data: { delayMs: 1 } } }, alice)
  expect(out.ok).toBe(true)
  if (!out.ok) return
  const r = out.result as { before: string; apiToken: string; nested: { before: string; appid: string; unionid: string; apiToken: string } }
  expect(r.before).toBe('oAlice_1')
  expect(r.nested).toMatchObject({ before: 'oAlice_1', appid: 'wxapp0000000001', unionid: 'uAlice_1' })
  expect(r.nested.apiToken).not.toBe(r.apiToken)
}, 15_000)

// WX reference-sdk-api/utils/Cloud.getWXContext: "SOURCE 值跟随调用链条传递 … 小程序调用云函数 A，
// 再在云函数 A 内调用云函数 B，则 A 获得的 SOURCE 为 wx_client，B 内获得的 SOURCE 为 wx_client,scf".
test('getWXContext().SOURCE follows the call chain: wx_client in the caller, wx_client,scf in the callee, and wx_client again in the next call', async () => {
  const out = await runner.invoke('whoami', { callFunction: { name: 'whoami', data: { delayMs: 1 } } }, alice)
  expect(out.ok).toBe(true)
  if (!out.ok) return
  const r = out.result as { source: string; nested: { source: string } }
  expect(r.source).toBe('wx_client')
  expect(r.nested.source).toBe('wx_client,scf')
  // A warm worker that ran a nested call does not keep its SOURCE for a direct one.
  const direct = await runner.invoke('whoami', {}, alice)
  expect(direct.ok && (direct.result as { source: string }).source).toBe('wx_client')
}, 15_000)

test('a callee that throws makes cloud.callFunction reject in the caller', async () => {
  const out = await runner.invoke('whoami', { callFunction: { name: 'throws', data: { mode: 'throw' } } }, alice)
  expect(out.ok).toBe(false)
  if (out.ok) return
  expect(out.errCode).toBe(-504002)
  expect(out.errMsg).toContain('boom from the fixture')
  expect(out.logs.join('\n')).toContain('callFunction:fail')
}, 15_000)

test('the handler maps empty request_data to {} and replies with the JSON of the result', async () => {
  const handler = actions['functions.invokeFunction']
  const invocation = { token: 't', invocationId: 'i', functionName: 'caller', openid: 'oBob_2', appid: 'wxapp0000000002', openapiPermissions: [] }
  const reply = await handler({ function_name: 'whoami', request_data: '' }, { requestId: 'r', env: 'test-env-2', invocation })
  expect('json' in reply).toBe(true)
  if (!('json' in reply)) return
  const data = reply.json.data as { response_data: string }
  expect(JSON.parse(data.response_data)).toMatchObject({ before: 'oBob_2', appid: 'wxapp0000000002' })
})

test('an unknown callee or bad request_data is a TCB error', async () => {
  const handler = actions['functions.invokeFunction']
  await expect(handler({ function_name: 'nope', request_data: '{}' }, { requestId: 'r', env: 'e' })).rejects.toMatchObject({
    code: 'FUNCTIONS_EXECUTE_FAIL',
    message: expect.stringContaining('FunctionName parameter could not be found'),
  })
  await expect(handler({ function_name: 'whoami', request_data: '{nope' }, { requestId: 'r', env: 'e' })).rejects.toMatchObject({ code: 'INVALID_PARAM' })
})

test('request_data nested past the depth limit is INVALID_PARAM and never reaches the runner', async () => {
  const calls: string[] = []
  const handler = createFunctionActions({
    invoke: async (name) => {
      calls.push(name)
      return { ok: true, result: null, resultJson: 'null', logs: [], invocationId: 'i', durationMs: 0 }
    },
  })['functions.invokeFunction']
  const nested = (levels: number) => `{"x":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`
  await expect(handler({ function_name: 'whoami', request_data: nested(513) }, { requestId: 'r', env: 'e' })).rejects.toMatchObject({
    code: 'INVALID_PARAM',
    message: 'request_data is nested deeper than 512 levels',
  })
  await expect(handler({ function_name: 'whoami', request_data: nested(20_000) }, { requestId: 'r', env: 'e' })).rejects.toMatchObject({ code: 'INVALID_PARAM' })
  expect(calls).toEqual([])
  await handler({ function_name: 'whoami', request_data: nested(512) }, { requestId: 'r', env: 'e' })
  expect(calls).toEqual(['whoami'])
})
