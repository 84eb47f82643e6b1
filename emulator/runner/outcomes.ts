/**
 * @module emulator/runner/outcomes — what a caller sees when an invocation fails, in the
 * codes and texts of the platform (wechat-phone-facts §4.7, wire protocol §7 and §14).
 *
 * `errMsg` is the platform's inner "error message" text; the simulated client wraps it the
 * way `wx.cloud.callFunction` does (`cloud.callFunction:fail requestID …, cloud function
 * service error code <errCode>, error message <errMsg>`).
 */

/** The outcome of one invocation, as returned by `Runner.invoke`. */
export type InvokeOutcome =
  | {
      ok: true
      /** `main()`'s return value after a JSON round trip (`undefined` becomes `null`). */
      result: unknown
      /** `JSON.stringify(result)`, kept so a nested call can reply without re-encoding. */
      resultJson: string
      logs: string[]
      invocationId: string
      durationMs: number
    }
  | {
      ok: false
      errCode: number
      errMsg: string
      /** Why it failed, for events and tests. */
      reason: FailureReason
      logs: string[]
      invocationId: string
      durationMs: number
    }

export type FailureReason = 'NOT_FOUND' | 'THREW' | 'TIMEOUT' | 'TOO_LARGE' | 'STOPPED' | 'BAD_EVENT'

export const ERR = {
  /** Function not deployed / wrong name. */
  NOT_FOUND: -501000,
  /** The function threw, rejected, crashed or failed to load. */
  EXECUTE_FAIL: -504002,
  /**
   * The function ran past its timeout. The reference gives no verified code; -504003 keeps it in
   * the functions range and distinct from a throw, and the text is SCF's own timeout message.
   */
  TIMEOUT: -504003,
  /** The return value is larger than 1 MB once JSON-encoded. */
  RESULT_TOO_LARGE: -604001,
  /**
   * The event could not be handed to the function (JSON cannot encode it); nothing ran. The
   * platform's own callers cannot send such an event, so its answer is unknown: -501007 is
   * TCB's generic INVALID_PARAM (wire protocol §7), our pick.
   */
  INVALID_PARAM: -501007,
} as const

export const MESSAGES = {
  notFound: 'FunctionName parameter could not be found.',
  timeout: (seconds: number) => `Invoking task timed out after ${formatSeconds(seconds)} seconds`,
  tooLarge: 'cloudfunction result size exceed limit (1MB)',
  stopped: 'the emulator is shutting down',
  crashed: (detail: string) => `function runtime exited unexpectedly: ${detail}`,
  badEvent: (detail: string) => `event cannot be delivered to the function: ${detail}`,
  internal: (detail: string) => `emulator error while running the function: ${detail}`,
} as const

function formatSeconds(s: number): string {
  return Number.isInteger(s) ? String(s) : s.toFixed(3).replace(/0+$/, '')
}

/** `result.error.code` of an `{ok:false}` business result, 'OK' for `{ok:true}`, else 'OK'. */
export function businessCode(result: unknown): string {
  if (result && typeof result === 'object' && (result as { ok?: unknown }).ok === false) {
    const code = (result as { error?: { code?: unknown } }).error?.code
    return typeof code === 'string' ? code : 'ERROR'
  }
  return 'OK'
}

/** The `resultCode` an `invocation.end` event carries for a failed invocation. */
export function failureCode(reason: FailureReason): string {
  switch (reason) {
    case 'TIMEOUT':
      return 'TIMEOUT'
    case 'NOT_FOUND':
      return 'NOT_FOUND'
    case 'TOO_LARGE':
      return 'TOO_LARGE'
    case 'STOPPED':
      return 'STOPPED'
    case 'BAD_EVENT':
      return 'BAD_EVENT'
    default:
      return 'THREW'
  }
}
