/**
 * @module phonebind/facts — what phonebind adds to a project, each fact taken from where the
 * functions define it (collection names from server/, function names checked against
 * core/contracts), plus the Node runtime the function bundles need.
 */
import type { FunctionName } from '../../../core/contracts'
import { ACCESS_TOKENS } from '../../../server/accessToken'
import { PHONE_EVENTS, PHONE_INDEX } from '../../../server/cloudbaseStore'
import { SESSIONS } from '../../../server/sessions'
import { USERS } from '../../../server/users'
import { SMS_CODES, SMS_COUNTERS } from '../../../server/sms/store'

/** The functions, in the order init reports them. `satisfies` keeps it complete. */
export const PHONEBIND_FUNCTIONS = ['login', 'getPhoneNumber', 'getOpenData', 'unbindPhone', 'mergeAccounts', 'phoneQuota', 'sendSmsCode', 'verifySmsCode'] as const satisfies readonly FunctionName[]
type Missing = Exclude<FunctionName, (typeof PHONEBIND_FUNCTIONS)[number]>
// A function added to core/contracts without being listed here fails to compile.
const complete: Missing extends never ? true : never = true
void complete

/** Collections the functions read and write; none is readable or writable by clients. */
export const PHONEBIND_COLLECTIONS = [USERS, PHONE_INDEX, SESSIONS, PHONE_EVENTS, ACCESS_TOKENS, SMS_CODES, SMS_COUNTERS] as const

/** The security rule of every collection: only the functions (admin access) touch them. */
export const COLLECTION_RULE = { read: false, write: false } as const

/** The openapi permission each function needs (`config.json` → `permissions.openapi`). */
export const OPENAPI_PERMISSIONS: Record<(typeof PHONEBIND_FUNCTIONS)[number], string[]> = {
  login: [],
  getPhoneNumber: ['phonenumber.getPhoneNumber'],
  getOpenData: [],
  unbindPhone: [],
  mergeAccounts: [],
  // getUsageDetail is not cloud-callable: it goes over HTTPS with the stable token (server/usage.ts).
  phoneQuota: [],
  sendSmsCode: [],
  verifySmsCode: [],
}

/**
 * The Node the function bundles need. 18, not 16: server/jscode2session.ts calls the global
 * `fetch` and `AbortSignal.timeout`, which Node 16.13 (CloudBase's `Nodejs16.13`) lacks — there
 * the legacy path's login would fail as a NETWORK_ERROR on every call. `Nodejs18.15` is
 * CloudBase's recommended runtime and the CloudBase CLI's default
 * (https://docs.cloudbase.net/cli-v1/functions/configs, 运行时环境).
 */
export const FUNCTION_RUNTIME = {
  nodeMajor: 18,
  esbuildTarget: 'node18',
  /** The CloudBase runtime name to create functions with. */
  cloudbase: 'Nodejs18.15',
} as const

/** The major Node version of a CloudBase runtime name (`Nodejs16.13` → 16), or undefined. */
export function runtimeMajor(name: string): number | undefined {
  const m = /^Nodejs(\d+)(?:\.\d+)*$/i.exec(name.trim())
  return m ? Number(m[1]) : undefined
}

/** The component's path for `usingComponents` once 构建npm has run. */
export const COMPONENT_PATH = 'phonebind-weapp/phone-auth/index'
export const WEAPP_PACKAGE = 'phonebind-weapp'
