/**
 * The cost guard's routes over HTTP (emulator/wechat/charge-routes.ts): WeChat's answers for
 * misuse, and that emulator/http/guard.ts guards them like every other route (a web page in the
 * developer's browser can neither post a fake webhook nor buy quota).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunningEmulator } from '../../emulator'
import { startTestEmulator } from './helpers'

let emu: RunningEmulator
let noFunctions: string

/** A plain function (no SDK) that answers the event it got, with `config` as its config.json. */
function echoFunction(name: string, config: unknown): void {
  mkdirSync(join(noFunctions, name))
  writeFileSync(join(noFunctions, name, 'index.js'), 'exports.main = async (event) => ({ event })\n')
  writeFileSync(join(noFunctions, name, 'config.json'), JSON.stringify(config))
}

beforeAll(async () => {
  noFunctions = mkdtempSync(join(tmpdir(), 'phonebind-nofn-'))
  echoFunction('ticker', { triggers: [{ name: 'everyMorning', type: 'timer', config: '0 0 9 * * * *' }] })
  echoFunction('plain', { permissions: { openapi: [] } })
  emu = await startTestEmulator(noFunctions, { port: 0, fresh: true })
})
afterAll(async () => {
  await emu?.stop()
  rmSync(noFunctions, { recursive: true, force: true })
})

const json = (path: string, init: RequestInit = {}) => fetch(`${emu.url}${path}`, init).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }))
const post = (path: string, body: unknown, headers: Record<string, string> = {}) => json(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
const creds = () => ({ grant_type: 'client_credential', appid: emu.appid, secret: emu.wechat.getApp()!.secret })

it('stable_token is POST JSON only (43002), and issues a token that getUsageDetail accepts', async () => {
  expect((await json('/cgi-bin/stable_token')).body).toMatchObject({ errcode: 43002 })
  const { body } = await post('/cgi-bin/stable_token', creds())
  const usage = await json(`/wxa/charge/usage/get?access_token=${body.access_token}&spuId=10000077&offset=0&limit=20`)
  expect(usage).toMatchObject({ status: 200, body: { errcode: 0, all: '1000', effectiveUse: '0', total: 1 } })
})

it('getUsageDetail answers 40001 for a bad token, 10120002 for a bad page, 10120700 for another spuId', async () => {
  const { body } = await post('/cgi-bin/stable_token', creds())
  const t = String(body.access_token)
  expect((await json('/wxa/charge/usage/get?access_token=nope&spuId=10000077&offset=0&limit=20')).body).toMatchObject({ errcode: 40001 })
  expect((await json(`/wxa/charge/usage/get?access_token=${t}&spuId=10000077&offset=0&limit=21`)).body).toMatchObject({ errcode: 10120002 })
  expect((await json(`/wxa/charge/usage/get?access_token=${t}&spuId=123&offset=0&limit=20`)).body).toMatchObject({ errcode: 10120700 })
})

it('the guard refuses a web page posting a webhook or buying quota (foreign Origin, text/plain), and nothing is recorded', async () => {
  const before = (await emu.client.webhooks()).length
  const quota = (await emu.client.quota()).quotaLeft
  expect((await post('/cgi-bin/webhook/send?key=k', { msgtype: 'text', text: { content: 'x' } }, { origin: 'https://evil.example' })).status).toBe(403)
  const plain = await fetch(`${emu.url}/cgi-bin/webhook/send?key=k`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"msgtype":"text"}' })
  expect(plain.status).toBe(415)
  expect((await post('/client/quota/packages', { calls: 1000 }, { origin: 'https://evil.example' })).status).toBe(403)
  expect(await emu.client.webhooks()).toHaveLength(before)
  expect((await emu.client.quota()).quotaLeft).toBe(quota)
})

it('captures a webhook POST with only the key\'s last 4 characters, and answers as WeCom does', async () => {
  const res = await post('/cgi-bin/webhook/send?key=abcdef-123456', { msgtype: 'text', text: { content: '额度不足 / low' } })
  expect(res.body).toEqual({ errcode: 0, errmsg: 'ok' })
  const last = (await emu.client.webhooks()).at(-1)!
  expect(last).toMatchObject({ keyHint: '3456', body: { msgtype: 'text', text: { content: '额度不足 / low' } } })
  expect(JSON.stringify(last)).not.toContain('abcdef-123456')
})

it('validates package purchases: calls must be a positive integer', async () => {
  expect((await post('/client/quota/packages', { calls: -1 })).status).toBe(400)
  expect((await post('/client/quota/packages', { calls: 'many' })).status).toBe(400)
  expect((await post('/client/quota/packages', { calls: 5, days: 1 })).body).toMatchObject({ package: { all: 5, used: 0 } })
})

it('a reset forgets the captured webhooks and starts the meter over', async () => {
  await post('/cgi-bin/webhook/send?key=abcd', { msgtype: 'text', text: { content: 'x' } })
  await emu.client.setQuota(3)
  expect((await emu.client.webhooks()).length).toBeGreaterThan(0)
  await emu.client.reset()
  expect(await emu.client.webhooks()).toEqual([])
  expect(await emu.client.quota()).toMatchObject({ quotaLeft: 1000, spentFen: 0, calls: { total: 0 } })
})

// WeChat's guide (wxcloud/guide/functions/triggers) and CloudBase's CLI docs (cli-v1/functions/trigger):
// a timer is a config.json `triggers` entry of type timer; a function without one is never timed.
it('fires only a timer trigger the function declares in its config.json, with its name in the event', async () => {
  const fired = await emu.client.fireTimer<{ event: Record<string, unknown> }>('ticker')
  expect(fired).toMatchObject({ ok: true, result: { event: { Type: 'Timer', TriggerName: 'everyMorning', Message: '' } } })
  expect(await emu.client.fireTimer('ticker', 'everyMorning')).toMatchObject({ ok: true })

  const refused = await post('/client/timer', { name: 'plain' })
  expect(refused.status).toBe(409)
  expect(refused.body.error).toMatch(/declares no timer trigger/)
  expect(refused.body.error).toMatch(/定时触发器/)
  expect((await post('/client/timer', { name: 'ticker', triggerName: 'hourly' })).status).toBe(409)
  expect((await post('/client/timer', { name: 'noSuchFunction' })).status).toBe(409)
  expect((await post('/client/timer', { name: '../ticker' })).status).toBe(409)
  await expect(emu.client.fireTimer('plain')).rejects.toThrow(/plain declares no timer trigger/)
})
