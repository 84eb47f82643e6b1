/**
 * Cloud function `unbindPhone`: Releases the caller's number (idempotent).
 * Contract: core/contracts.ts; logic: server/functions/unbindPhone.ts. Built by `npm run build` into
 * index.js (wx-server-sdk bundled in; see server/README.md for why).
 */
import { handler } from '../../server/handler'
import { unbindPhone } from '../../server/functions/unbindPhone'

export const main = handler('unbindPhone', unbindPhone)
