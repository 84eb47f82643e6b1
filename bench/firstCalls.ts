/**
 * @module bench/firstCalls — what each function's cold-load probe asks it to do: one call that
 * succeeds for a fresh user against the emulator, so a cheap failure path can never pass for a
 * cold start. Typed over PHONEBIND_FUNCTIONS (facts.ts; functions.ts's PhonebindFunction): a
 * function added there without an entry here fails to compile, as facts.ts's own lists do.
 */
import type { RunningEmulator } from '../emulator'
import type { TestUser } from '../emulator/wechat/snapshot'
import type { PhonebindFunction } from '../packages/phonebind/src/functions'

export interface FirstCall {
  event: Record<string, unknown>
  /** Function environment this call needs beyond the emulator's own (e.g. a setting it reads). */
  env?: Record<string, string>
}

/** Prepares one call for `user` (set-up, e.g. texting a code, is done here and not timed). */
export type FirstCallMaker = (emu: RunningEmulator, user: TestUser) => FirstCall | Promise<FirstCall>

let seq = 0
/**
 * A mainland number no simulated WeChat account has: the emulator gives its users `13…`
 * numbers, so a `199…` one never conflicts with a number bound by another probe's tap.
 */
function freshSmsNumber(): string {
  seq += 1
  return `199${String(process.pid % 1000).padStart(3, '0')}${String(seq).padStart(5, '0')}`
}

/** The code in the newest text the simulated phone got: the first template parameter (server/sms/tencent.ts). */
function codeIn(emu: RunningEmulator, phone: string): string {
  const [latest] = emu.sms.inbox(`+86${phone}`)
  const code = latest?.params[0]
  if (!code || !/^\d{6}$/.test(code)) throw new Error('cold load: no code in the simulated phone’s inbox after sendSmsCode')
  return code
}

export const FIRST_CALLS: Record<PhonebindFunction, FirstCallMaker> = {
  login: () => ({ event: {} }),
  getPhoneNumber: (emu, user) => ({ event: { code: emu.wechat.tapPhoneButton(user.openid).code } }),
  getOpenData: (emu, user) => ({ event: { cloudID: emu.wechat.tapPhoneButton(user.openid).cloudID } }),
  unbindPhone: () => ({ event: {} }),
  // Merging needs unionid accounts (server/accounts.ts); a fresh user has one and nothing to fold: { merged: 0 }.
  mergeAccounts: (_emu, user) => ({ event: {}, env: { PHONEBIND_ACCOUNT_KEY: 'unionid', WX_UNIONID: user.unionid ?? '' } }),
  // An admin's look (server/functions/phoneQuota.ts): one usage query, no alert.
  phoneQuota: (_emu, user) => ({ event: {}, env: { PHONEBIND_QUOTA_ADMINS: user.openid } }),
  // A real text through the SDK to the emulator's Tencent Cloud SMS (its PHONEBIND_SMS_* are in every probe's env).
  sendSmsCode: () => ({ event: { phone: freshSmsNumber() } }),
  verifySmsCode: async (emu, user) => {
    const phone = freshSmsNumber()
    const sent = await emu.client.callFunction<{ ok: boolean }>(user.openid, 'sendSmsCode', { phone })
    if (sent.result.ok !== true) throw new Error(`cold load: sending the code verifySmsCode checks failed: ${JSON.stringify(sent.result)}`)
    return { event: { phone, code: codeIn(emu, phone) } }
  },
}
