/**
 * @module emulator/runner/invokeAction — `functions.invokeFunction` on `/admin`: a nested
 * `cloud.callFunction` from inside a function (wire protocol §10).
 *
 * Identity (README "Functions calling functions"): the callee runs as the caller's user
 * (OPENID/APPID/UNIONID taken from the calling invocation, found by its token). WeChat documents
 * these fields as present "小程序端调用云函数时" and does not say whether they follow a nested
 * call, so carrying them is OUR GUESS (§15.4). What it does document is SOURCE: "SOURCE
 * 值跟随调用链条传递", A called by the mini program gets `wx_client`, B called by A gets
 * `wx_client,scf` (WX reference-sdk-api/utils/Cloud.getWXContext); wx-server-sdk sends the same
 * chain as `X-TCB-Source`. CLIENTIP is not carried: the caller is the function, not the phone
 * (a guess too). A failure is sent as
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
        source: `${caller?.source ?? 'wx_client'},scf`,
      })
      if (!outcome.ok) {
        throw new TcbError('FUNCTIONS_EXECUTE_FAIL', `errCode: ${outcome.errCode} | errMsg: ${outcome.errMsg}`)
      }
      return { json: { data: { response_data: outcome.resultJson } } }
    },
  }
}
