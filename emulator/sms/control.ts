/**
 * @module emulator/sms/control — the simulated phones' SMS inboxes and the SMS faults, for tests
 * and the console, beside the other simulated-client routes (never on the SMS API path):
 *
 *   GET  /client/sms/inbox?phone=<number>   that number's texts, newest first (any accepted spelling)
 *   GET  /client/sms/inbox[?reveal=1]       every text; numbers masked unless reveal=1
 *   GET  /client/sms/faults                 { sendFailure, lostInDelivery, rateLimit }
 *   POST /client/sms/faults                 set any of them (booleans), answers all three
 *   POST /client/sms/reset                  empties inboxes and frequency counters, clears faults
 *
 * The texts carry their codes: this is the phone's screen, as the emulator's WeChat hands out
 * phone codes to the simulated client. Only loopback callers reach it (emulator/http/guard.ts).
 */
import { BadRequest, readJson, sendJson } from '../wechat/http'
import type { RouteHandler } from '../types'
import { mainlandE164 } from './api'
import type { InboxMessage, SmsFaults, SmsState } from './state'

const PREFIX = '/client/sms/'
const FAULTS: Array<keyof SmsFaults> = ['sendFailure', 'lostInDelivery', 'rateLimit']

const masked = (m: InboxMessage): InboxMessage => ({ ...m, phone: m.phone.replace(/^(\+86\d{3})\d{4}(\d{4})$/, '$1****$2') })

export function createSmsControlRoutes(state: SmsState): RouteHandler {
  return async (req, res, url) => {
    if (!url.pathname.startsWith(PREFIX)) return false
    const what = url.pathname.slice(PREFIX.length)
    try {
      if (what === 'inbox' && req.method === 'GET') {
        const phone = url.searchParams.get('phone')
        if (phone !== null) {
          const e164 = mainlandE164(phone.replace(/[ -]/g, ''))
          if (!e164) throw new BadRequest('phone must be a mainland mobile number')
          sendJson(res, 200, { phone: e164, messages: state.inbox(e164) })
        } else {
          const reveal = url.searchParams.get('reveal') === '1'
          const all = state.allMessages()
          sendJson(res, 200, { revealed: reveal, messages: reveal ? all : all.map(masked) })
        }
      } else if (what === 'faults' && req.method === 'GET') {
        sendJson(res, 200, { ...state.faults })
      } else if (what === 'faults' && req.method === 'POST') {
        const body = await readJson(req)
        const unknown = Object.keys(body).filter((k) => !FAULTS.includes(k as keyof SmsFaults))
        if (unknown.length) throw new BadRequest(`unknown field ${JSON.stringify(unknown[0]!.slice(0, 40))}: the body is {${FAULTS.join('?, ')}?}`)
        for (const k of FAULTS) if (body[k] !== undefined && typeof body[k] !== 'boolean') throw new BadRequest(`${k} must be a boolean`)
        sendJson(res, 200, state.setFaults(body as Partial<SmsFaults>))
      } else if (what === 'reset' && req.method === 'POST') {
        state.reset()
        sendJson(res, 200, { ok: true })
      } else {
        sendJson(res, 404, { error: `no route ${req.method ?? ''} ${url.pathname}` })
      }
    } catch (e) {
      if (!(e instanceof BadRequest)) throw e
      sendJson(res, e.status, { error: e.message })
    }
    return true
  }
}
