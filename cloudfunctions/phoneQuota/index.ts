/**
 * Cloud function `phoneQuota`: the cost guard — phone-verification quota left (getUsageDetail),
 * with a low-quota alert; also run by its timer trigger (config.json). Contract: core/contracts.ts;
 * logic: server/functions/phoneQuota.ts. Built by `npm run build` into index.js.
 */
import { handler } from '../../server/handler'
import { phoneQuota, phoneQuotaSystem } from '../../server/functions/phoneQuota'

export const main = handler('phoneQuota', phoneQuota, {}, phoneQuotaSystem)
