/**
 * @module emulator/config — defaults for `npm start` and `startEmulator`, in one table.
 *
 * Port 0 is allowed everywhere (tests); the CLI default is 9090.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const DEFAULTS = {
  host: '127.0.0.1',
  /** `npm start`'s port. */
  port: 9090,
  /** Relative to the project root; gitignored (`.phonebind/`). */
  dataDir: join('.phonebind', 'data'),
  /** Relative to the project root: where `phonebind dev` bundles TypeScript functions. */
  buildDir: join('.phonebind', 'build'),
  /** The CloudBase env id functions see (`getWXContext().ENV`, `DYNAMIC_CURRENT_ENV`). */
  env: 'phonebind-local',
  /** Node's default 5 s is below the SDK's 4.8 s keep-alive reuse window (reference §6.2). */
  keepAliveTimeoutMs: 10_000,
} as const

/** The project root (this file lives in `<root>/emulator/`). */
export const PROJECT_ROOT = join(__dirname, '..')

export const DEFAULT_FUNCTIONS_DIR = join(PROJECT_ROOT, 'cloudfunctions')

/** Where a project declares its collections: one `<name>.rules.json` each (`phonebind init` writes them). */
export const DEFAULT_DATABASE_DIR = join(PROJECT_ROOT, 'database')

/**
 * The collections a project declares, sorted: the names of its `database/<name>.rules.json`
 * files. The one list behind provisioning real CloudBase (scripts/provision.ts) and the
 * collections the emulator creates at startup, so the two cannot drift apart.
 */
export function declaredCollections(dir: string = DEFAULT_DATABASE_DIR): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.rules.json'))
    .map((f) => f.slice(0, -'.rules.json'.length))
    .sort()
}

/**
 * Environment the emulator gives every function, by name (the contract with cloudfunctions/):
 * the demo app's AppSecret and the WeChat API base URL, so `login` can call jscode2session on
 * the emulator and `getOpenData` knows the legacy path is configured; the appid and a webhook on
 * the emulator for `phoneQuota` (server/README.md, "Cost guard").
 */
export function wechatFunctionEnv(opts: { appSecret: string; apiBase: string; appid?: string }): Record<string, string> {
  const env: Record<string, string> = { PHONEBIND_APPSECRET: opts.appSecret, PHONEBIND_WECHAT_API_BASE: opts.apiBase }
  // For invocations with no client identity (a timer has no APPID): phoneQuota's token needs it.
  if (opts.appid) env.PHONEBIND_APPID = opts.appid
  // phoneQuota's low-quota alert goes to the emulator's stand-in WeCom robot, so the console
  // lists it out of the box (charge-routes.ts keeps only the key's last 4 characters).
  env.PHONEBIND_QUOTA_WEBHOOK = `${opts.apiBase}/cgi-bin/webhook/send?key=phonebind-emulator`
  return env
}

/**
 * The absolute `cloudfunctionRoot` of the devtools project at `projectRoot` (its
 * `project.config.json`); throws a bilingual error when there is none.
 */
export function readCloudfunctionRoot(projectRoot: string): string {
  const file = join(projectRoot, 'project.config.json')
  let config: { cloudfunctionRoot?: unknown }
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as { cloudfunctionRoot?: unknown }
  } catch (e) {
    throw new Error(`无法读取 ${file} / cannot read ${file}: ${(e as Error).message}`)
  }
  const cf = config?.cloudfunctionRoot
  if (typeof cf !== 'string' || cf.trim() === '') {
    throw new Error(`${file} 没有 cloudfunctionRoot（运行 phonebind init）/ has no cloudfunctionRoot (run phonebind init)`)
  }
  return resolve(projectRoot, cf)
}

/**
 * Environment the emulator gives every function for the SMS fallback: the simulated Tencent
 * Cloud SMS account (its key pair is made per emulator start) and its endpoint on the emulator,
 * so `sendSmsCode` talks to it through the real SDK. See server/sms/config.ts for each variable.
 */
export function smsFunctionEnv(account: { secretId: string; secretKey: string; sdkAppId: string; templateId: string; sign: string; region: string }, endpoint: string): Record<string, string> {
  return {
    PHONEBIND_SMS_SECRET_ID: account.secretId,
    PHONEBIND_SMS_SECRET_KEY: account.secretKey,
    PHONEBIND_SMS_SDK_APP_ID: account.sdkAppId,
    PHONEBIND_SMS_TEMPLATE_ID: account.templateId,
    PHONEBIND_SMS_SIGN_NAME: account.sign,
    PHONEBIND_SMS_REGION: account.region,
    PHONEBIND_SMS_ENDPOINT: endpoint,
  }
}
