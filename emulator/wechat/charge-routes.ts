/**
 * @module emulator/wechat/charge-routes — the cost guard's side of the simulated WeChat, over HTTP:
 *
 *   POST /cgi-bin/stable_token            getStableAccessToken (./token.ts)
 *   GET  /cgi-bin/token                   getAccessToken (./token.ts)
 *   GET  /wxa/charge/usage/get            getUsageDetail (./meter.ts), token-authenticated
 *   POST /cgi-bin/webhook/send?key=…      a WeCom group robot, captured (functions point
 *                                         PHONEBIND_QUOTA_WEBHOOK here; WeCom's own path)
 *   GET  /client/quota[?appid]            the meter: calls, money, quota left, packages
 *   POST /client/quota/packages {appid?, calls, days, startsInDays?}   buy/add a resource package
 *   POST /client/quota/expirePackage {appid?, pkgId}                    end a package now
 *   GET  /client/webhooks                 the webhook POSTs received (newest last, at most 50)
 *   POST /client/timer {name, triggerName?}  fires a timer trigger the function declares, now
 *
 * WeChat's routes answer HTTP 200 with `{errcode, errmsg}` as WeChat does. Every route here goes
 * through emulator/http/guard.ts like all others (JSON bodies only, loopback Host, no foreign Origin).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { DEFAULT_QUOTA_SPU_ID } from '../../server/config'
import type { RouteHandler } from '../types'
import type { FunctionInvoker } from './call-function'
import { answerClient, BadRequest, guarded, readJson, sendJson } from './http'
import { addPackage, expirePackage, meterView, USAGE_PAGE_MAX, usageDetail } from './meter'
import { appOfToken, plainToken, stableToken } from './token'
import type { SimulatedWeChat } from './wechat'

/** The SPU the emulator meters phone verification under (phonebind's default; a guess, see server/config.ts). */
export const PHONE_SPU_ID = DEFAULT_QUOTA_SPU_ID
const MAX_WEBHOOKS = 50

export interface CapturedWebhook {
  at: number
  /** The robot key's last 4 characters only: the key is the webhook's secret. */
  keyHint: string
  body: Record<string, unknown>
}

export interface ChargeRouteDeps {
  wechat: SimulatedWeChat
  functions?: FunctionInvoker
  /** The names of function `name`'s timer triggers (its config.json `triggers` of type timer). */
  timerTriggers?: (name: string) => string[]
}

type Query = Record<string, string | undefined>

function weChatJson(res: ServerResponse, body: unknown): void {
  sendJson(res, 200, body)
}

function queryOf(url: URL): Query {
  return Object.fromEntries(url.searchParams.entries())
}

/** `offset`/`limit` as getUsageDetail takes them: integers, limit 1..20 (10120002 "参数错误" otherwise). */
function page(q: Query): { offset: number; limit: number } | undefined {
  const offset = Number(q.offset ?? 0)
  const limit = Number(q.limit ?? USAGE_PAGE_MAX)
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > USAGE_PAGE_MAX) return undefined
  return { offset, limit }
}

export function createChargeRoutes(deps: ChargeRouteDeps): RouteHandler {
  const { wechat } = deps
  const state = wechat.live
  // Kept per snapshot, so a reset (which starts a new snapshot) starts with none; memory only.
  const captured = new WeakMap<object, CapturedWebhook[]>()
  const hooks = (): CapturedWebhook[] => {
    let list = captured.get(state.snapshot)
    if (!list) captured.set(state.snapshot, (list = []))
    return list
  }

  const appidOf = (b: Record<string, unknown>): string => {
    const a = b.appid
    if (a === undefined) return wechat.defaultAppid
    if (typeof a !== 'string' || !wechat.getApp(a)) throw new BadRequest('unknown appid', 404)
    return a
  }

  const wechatRoutes: Record<string, (req: IncomingMessage, url: URL) => Promise<unknown>> = {
    '/cgi-bin/stable_token': async (req) => {
      // "该接口仅支持 POST JSON 形式的调用".
      if (req.method !== 'POST') return { errcode: 43002, errmsg: 'require POST method' }
      return stableToken(state, await readJson(req))
    },
    '/cgi-bin/token': async (req, url) => {
      if (req.method !== 'GET') return { errcode: 43001, errmsg: 'require GET method' }
      return plainToken(state, queryOf(url))
    },
    '/wxa/charge/usage/get': async (req, url) => {
      if (req.method !== 'GET') return { errcode: 43001, errmsg: 'require GET method' }
      const q = queryOf(url)
      const owner = appOfToken(state, q.access_token)
      if ('errcode' in owner) {
        state.emit('getUsageDetail', owner.errcode)
        return owner
      }
      const p = page(q)
      // 10120002 参数错误 and 10120700 spuId非法: the charge APIs' documented errcodes.
      if (!p || typeof q.spuId !== 'string' || q.spuId === '') {
        state.emit('getUsageDetail', 10120002)
        return { errcode: 10120002, errmsg: '参数错误' }
      }
      if (q.spuId !== PHONE_SPU_ID) {
        state.emit('getUsageDetail', 10120700)
        return { errcode: 10120700, errmsg: 'spuId非法' }
      }
      state.emit('getUsageDetail', 0)
      return usageDetail(state, owner.appid, q.spuId, p.offset, p.limit)
    },
    '/cgi-bin/webhook/send': async (req, url) => {
      if (req.method !== 'POST') return { errcode: 43002, errmsg: 'require POST method' }
      const body = await readJson(req)
      const key = url.searchParams.get('key') ?? ''
      const webhooks = hooks()
      webhooks.push({ at: state.clock.now(), keyHint: key.slice(-4), body })
      if (webhooks.length > MAX_WEBHOOKS) webhooks.shift()
      state.emit('webhook', 0)
      // WeCom's answer to a delivered message.
      return { errcode: 0, errmsg: 'ok' }
    },
  }

  const clientGet: Record<string, (url: URL) => unknown> = {
    '/client/quota': (url) => meterView(state, appidOf({ appid: url.searchParams.get('appid') ?? undefined })),
    '/client/webhooks': () => ({ webhooks: hooks() }),
  }
  const clientPost: Record<string, (b: Record<string, unknown>) => Promise<unknown> | unknown> = {
    '/client/quota/packages': (b) => {
      const appid = appidOf(b)
      const num = (k: string) => (b[k] === undefined ? undefined : typeof b[k] === 'number' ? (b[k] as number) : NaN)
      const calls = num('calls')
      const days = num('days') ?? 365
      if (calls === undefined) throw new BadRequest('calls is required')
      const pkg = guarded(() => addPackage(state, appid, { calls, days, startsInDays: num('startsInDays') ?? 0 }))
      return { package: pkg, meter: meterView(state, appid) }
    },
    '/client/quota/expirePackage': (b) => {
      const appid = appidOf(b)
      if (typeof b.pkgId !== 'string') throw new BadRequest('pkgId must be a string')
      guarded(() => expirePackage(state, appid, b.pkgId as string))
      return { meter: meterView(state, appid) }
    },
    '/client/timer': async (b) => {
      if (!deps.functions) throw new BadRequest('no function runner is attached to this emulator', 503)
      if (typeof b.name !== 'string' || b.name === '') throw new BadRequest('name must be a non-empty string')
      if (b.triggerName !== undefined && typeof b.triggerName !== 'string') throw new BadRequest('triggerName must be a string')
      // Only a trigger the function declares can fire it: on CloudBase a timer is created from the
      // function's config.json `triggers` ("配置了定时触发器的云函数，会在相应时间点被自动触发",
      // wxcloud/guide/functions/triggers; `tcb fn trigger create` reads the same entries,
      // docs.cloudbase.net cli-v1/functions/trigger) — nothing can time a function without one.
      const declared = deps.timerTriggers?.(b.name) ?? []
      if (declared.length === 0) {
        throw new BadRequest(
          `云函数 ${b.name} 的 config.json 没有定时触发器（triggers 中 type 为 timer 的一项），定时器无法调用它 / ` +
            `function ${b.name} declares no timer trigger (a "triggers" entry of type "timer" in its config.json), so no timer can invoke it`,
          409,
        )
      }
      const triggerName = b.triggerName ?? declared[0]
      if (!declared.includes(triggerName)) {
        throw new BadRequest(`云函数 ${b.name} 没有名为 ${triggerName} 的定时触发器 / function ${b.name} has no timer trigger named ${triggerName} (it declares: ${declared.join(', ')})`, 409)
      }
      // SCF's timer event (tencentcloud.com/document/product/583/31439), with no client identity:
      // OPENID and APPID exist only "小程序端调用云函数时" (getWXContext docs), so both are empty.
      // phonebind reads the appid from PHONEBIND_APPID then (the emulator sets it for every function).
      const event = { Type: 'Timer', TriggerName: triggerName, Time: new Date(state.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), Message: '' }
      const outcome = await deps.functions.invoke(b.name, event, { openid: '', appid: '' })
      return outcome.ok ? { ok: true, result: outcome.result, invocationId: outcome.invocationId } : { ok: false, errCode: outcome.errCode, errMsg: outcome.errMsg }
    },
  }

  return async (req, res, url) => {
    const wx = wechatRoutes[url.pathname]
    if (wx) {
      try {
        weChatJson(res, await wx(req, url))
      } catch (e) {
        if (e instanceof BadRequest) weChatJson(res, { errcode: 47001, errmsg: 'data format error' })
        else throw e
      }
      return true
    }
    const get = req.method === 'GET' ? clientGet[url.pathname] : undefined
    const post = req.method === 'POST' ? clientPost[url.pathname] : undefined
    if (!get && !post) return false
    await answerClient(res, 'quota route', async () => {
      const out = get ? get(url) : await post!(await readJson(req))
      if (post) await wechat.flush()
      return out
    })
    return true
  }
}
