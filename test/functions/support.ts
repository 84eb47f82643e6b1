/**
 * @module test/functions/support — small helpers shared by the function suites.
 */
import type { BindData, LoginData, PhoneView } from '../../core/contracts'
import type { Harness } from './harness'

let seq = 0
/** A fresh CN mobile number per call, unique within the process (jest worker). */
export function freshNumber(): string {
  seq += 1
  return `139${String(process.pid % 1000).padStart(3, '0')}${String(seq).padStart(5, '0')}`
}

/** Creates a WeChat test user whose account has `number` (fresh by default). */
export async function newUser(h: Harness, number = freshNumber()): Promise<{ openid: string; number: string }> {
  const user = await h.emu.client.createUser({ purePhoneNumber: number, countryCode: '86' })
  return { openid: user.openid, number }
}

/** Taps the phone button and returns its code (fails the test if the tap gave none). */
export async function tapForCode(h: Harness, openid: string): Promise<string> {
  const detail = await h.emu.client.tapPhoneButton(openid)
  if (!detail.code) throw new Error(`tap gave no code: ${detail.errMsg}`)
  return detail.code
}

export const masked = (n: string): string => `${n.slice(0, 3)}****${n.slice(7)}`

export type Bind = BindData
export type Login = LoginData
export type View = PhoneView

/** The `users`, `phone_index` and `phone_events` documents that concern `openid`. */
export async function dbState(h: Harness, openid: string) {
  const users = await h.emu.client.db<{ _id: string; phone?: { e164: string; masked: string; source: string } | null; createdAt?: unknown; lastLoginAt?: unknown }>('users', 1000)
  const index = await h.emu.client.db<{ _id: string; openid: string }>('phone_index', 1000)
  const events = await h.emu.client.db<{ type: string; openid: string; otherOpenid?: string; masked: string }>('phone_events', 1000)
  return {
    user: users.find((u) => u._id === openid) ?? null,
    index: index.filter((i) => i.openid === openid),
    allIndex: index,
    events: events.filter((e) => e.openid === openid),
    allEvents: events,
  }
}

/** Number of WeChat calls of `api` since `from` (an index into `h.wechatCalls`). */
export function callsSince(h: Harness, from: number, api: string): number {
  return h.wechatCalls.slice(from).filter((c) => c.api === api).length
}
