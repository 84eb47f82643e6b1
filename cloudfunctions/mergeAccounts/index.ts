/**
 * Cloud function `mergeAccounts`: from the mini program, folds the caller's own openid accounts
 * into their unionid account; invoked without a client identity (console, `tcb fn invoke`), runs
 * one page of the migration. Contract: core/contracts.ts; logic: server/accounts.ts. Built by
 * `npm run build` into index.js (wx-server-sdk bundled in; see server/README.md for why).
 */
import { handler } from '../../server/handler'
import { mergeForCaller, migrateAccounts } from '../../server/accounts'

export const main = handler('mergeAccounts', mergeForCaller, {}, migrateAccounts)
