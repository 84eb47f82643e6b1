/**
 * Cloud function `verifySmsCode`: Checks the texted code and binds the number (source `sms`).
 * Contract: core/contracts.ts; logic: server/functions/verifySmsCode.ts. Built by `npm run build` into
 * index.js (wx-server-sdk bundled in; see server/README.md for why).
 */
import { handler } from '../../server/handler'
import { verifySmsCode } from '../../server/functions/verifySmsCode'

export const main = handler('verifySmsCode', verifySmsCode)
