/**
 * Cloud function `getPhoneNumber`: Binds the number behind a phone-button code (base library ≥ 2.21.2).
 * Contract: core/contracts.ts; logic: server/functions/getPhoneNumber.ts. Built by `npm run build` into
 * index.js (wx-server-sdk bundled in; see server/README.md for why).
 */
import { handler } from '../../server/handler'
import { getPhoneNumber } from '../../server/functions/getPhoneNumber'

export const main = handler('getPhoneNumber', getPhoneNumber)
