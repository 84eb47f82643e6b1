/**
 * @module emulator/tcb/invocations — token → invocation, so every `/admin` call is attributed.
 *
 * The runner registers the `WX_API_TOKEN` it minted before `main()` runs and drops it after;
 * the SDK echoes that token as `wxCloudApiToken` on every request (reference §3.2).
 */
import type { Invocation, InvocationRegistry } from '../types'

export function createInvocationRegistry(): InvocationRegistry {
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
  }
}
