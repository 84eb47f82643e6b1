/**
 * Cloud function `getOpenData`: Binds the number behind a cloudID or legacy encryptedData + iv.
 * Contract: core/contracts.ts; logic: server/functions/getOpenData.ts. Built by `npm run build` into
 * index.js (wx-server-sdk bundled in; see server/README.md for why).
 */
import { handler } from '../../server/handler'
import { getOpenData } from '../../server/functions/getOpenData'

export const main = handler('getOpenData', getOpenData)
