/**
 * @module emulator/invocations — the in-memory `InvocationRegistry`: `WX_API_TOKEN` →
 * the invocation it was minted for. The runner registers before `main()` and unregisters
 * after; `/admin` resolves the `wxCloudApiToken` of every request through it.
 */
import type { Invocation, InvocationRegistry } from './types'

export function createInvocationRegistry(): InvocationRegistry & { size(): number } {
  const byToken = new Map<string, Invocation>()
  return {
    register(invocation) {
      byToken.set(invocation.token, invocation)
    },
    unregister(token) {
      byToken.delete(token)
    },
    resolve(token) {
      return token ? byToken.get(token) : undefined
    },
    size() {
      return byToken.size
    },
  }
}
