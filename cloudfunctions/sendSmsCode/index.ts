/**
 * Cloud function `sendSmsCode`: Texts a one-time code to a mainland number (the SMS fallback).
 * Contract: core/contracts.ts; logic: server/functions/sendSmsCode.ts. Built by `npm run build` into
 * index.js (wx-server-sdk and the Tencent Cloud SMS SDK bundled in; see server/README.md for why).
 */
import { handler } from '../../server/handler'
import { sendSmsCode } from '../../server/functions/sendSmsCode'

export const main = handler('sendSmsCode', sendSmsCode)
