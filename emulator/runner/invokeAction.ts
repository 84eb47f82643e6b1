/**
 * @module emulator/runner/invokeAction — `functions.invokeFunction` on `/admin`: a nested
 * `cloud.callFunction` from inside a function (wire protocol §10).
 *
 * The callee runs as the caller's user (identity taken from the calling invocation, found by
 * its token); whether the real platform does so is unverified (§15.4). A failure is sent as
 * `FUNCTIONS_EXECUTE_FAIL`, which wx-server-sdk surfaces as `errCode -1`,
 * `errMsg 'callFunction:fail <message>'`.
 */
import { TcbError, type ActionTable } from '../types'
import { MAX_EVENT_DEPTH, nestsDeeperThan } from './eventDepth'
import type { Runner } from './runner'

export function createFunctionActions(runner: Pick<Runner, 'invoke'>): ActionTable {
  return {
    'functions.invokeFunction': async (body, ctx) => {
      const name = body.function_name
      if (typeof name !== 'string' || name === '') throw new TcbError('INVALID_PARAM', 'function_name is required')
      const raw = body.request_data
      let event: unknown = {}
      if (typeof raw === 'string' && raw !== '') {
        try {
          event = JSON.parse(raw)
        } catch {
          throw new TcbError('INVALID_PARAM', 'request_data is not valid JSON')
        }
        // wx-server-sdk cannot encode such data itself; only a hand-made /admin request can.
        if (nestsDeeperThan(event)) throw new TcbError('INVALID_PARAM', `request_data is nested deeper than ${MAX_EVENT_DEPTH} levels`)
      }
      const caller = ctx.invocation
      const outcome = await runner.invoke(name, event, {
        openid: caller?.openid ?? '',
        appid: caller?.appid ?? '',
        unionid: caller?.unionid,
      })
      if (!outcome.ok) {
        throw new TcbError('FUNCTIONS_EXECUTE_FAIL', `errCode: ${outcome.errCode} | errMsg: ${outcome.errMsg}`)
      }
      return { json: { data: { response_data: outcome.resultJson } } }
    },
  }
}
