/**
 * @module emulator/wechat/control — the test knobs that act on a `WeChatState`: faults and expiry.
 */
import type { FaultApi, FaultSpec } from './faults'
import type { WeChatState } from './state'

export function setFault(state: WeChatState, api: FaultApi, spec: FaultSpec | null): void {
  state.faults.set(api, spec)
}

/** Makes every outstanding js code, phone code and cloudID expired (not unknown). */
export function expireCodes(state: WeChatState): void {
  const past = state.clock.now() - state.codeTtlMs - 1
  const { jsCodes, phoneCodes, cloudIds } = state.snapshot
  for (const table of [jsCodes, phoneCodes, cloudIds] as Record<string, { issuedAt: number }>[]) {
    for (const entry of Object.values(table)) entry.issuedAt = Math.min(entry.issuedAt, past)
  }
  state.save()
}
