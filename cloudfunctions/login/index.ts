/**
 * Cloud function `login`: Upserts the caller; on the legacy path stores a server-side session key.
 * Contract: core/contracts.ts; logic: server/functions/login.ts. Built by `npm run build` into
 * index.js (wx-server-sdk bundled in; see server/README.md for why).
 */
import { handler } from '../../server/handler'
import { login } from '../../server/functions/login'

export const main = handler('login', login)
