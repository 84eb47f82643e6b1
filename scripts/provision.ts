/**
 * @module scripts/provision — creates phonebind's collections with @cloudbase/node-sdk.
 *
 *   Real CloudBase:  TCB_ENV=<envId> TENCENTCLOUD_SECRETID=… TENCENTCLOUD_SECRETKEY=… npx tsx scripts/provision.ts
 *   The emulator:    npx tsx scripts/provision.ts --service-url http://127.0.0.1:<port>/admin [--env <env>]
 *
 * The collection list is the set of `database/<name>.rules.json` files, so the rules shipped
 * and the collections created cannot drift apart. Security rules themselves are applied in the
 * console (云开发 → 数据库 → <集合> → 数据权限 → 自定义安全规则) by pasting each file: the
 * server SDK has no API for them. Functions use the admin SDK and are not bound by the rules.
 * Creating a collection that exists is not an error: provisioning is re-runnable.
 */
import tcb from '@cloudbase/node-sdk'
import { DEFAULT_DATABASE_DIR, declaredCollections } from '../emulator/config'

export const RULES_DIR = DEFAULT_DATABASE_DIR

/** Collections as named by the rules files, sorted (the emulator creates the same list at startup). */
export const listCollections = declaredCollections

export interface ProvisionOptions {
  env: string
  /** The emulator's `/admin` URL; omitted for real CloudBase. */
  serviceUrl?: string
  secretId?: string
  secretKey?: string
  sessionToken?: string
  collections?: string[]
}

export interface ProvisionReport {
  created: string[]
  existing: string[]
}

function alreadyExists(e: unknown): boolean {
  const o = (e ?? {}) as { code?: unknown; message?: unknown; errMsg?: unknown }
  const text = `${String(o.code ?? '')} ${String(o.message ?? '')} ${String(o.errMsg ?? '')}`
  return /ALREADY_EXIST|already exist/i.test(text)
}

export async function provision(opts: ProvisionOptions): Promise<ProvisionReport> {
  const app = tcb.init({
    env: opts.env,
    serviceUrl: opts.serviceUrl,
    secretId: opts.secretId ?? process.env.TENCENTCLOUD_SECRETID ?? (opts.serviceUrl ? 'local' : undefined),
    secretKey: opts.secretKey ?? process.env.TENCENTCLOUD_SECRETKEY ?? (opts.serviceUrl ? 'local' : undefined),
    sessionToken: opts.sessionToken ?? process.env.TENCENTCLOUD_SESSIONTOKEN,
  })
  const db = app.database()
  const report: ProvisionReport = { created: [], existing: [] }
  for (const name of opts.collections ?? listCollections()) {
    try {
      await db.createCollection(name)
      report.created.push(name)
    } catch (e) {
      if (!alreadyExists(e)) throw e
      report.existing.push(name)
    }
  }
  return report
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}

if (require.main === module) {
  const argv = process.argv.slice(2)
  const serviceUrl = arg(argv, '--service-url')
  const env = arg(argv, '--env') ?? process.env.TCB_ENV ?? (serviceUrl ? 'phonebind-local' : '')
  if (env === '') {
    console.error('Set TCB_ENV (or --env) to your CloudBase environment id.')
    process.exit(2)
  }
  // Without SCF markers the SDK probes a Tencent metadata address before each call (wire §5).
  if (serviceUrl) process.env.TENCENTCLOUD = process.env.TENCENTCLOUD ?? 'true'
  provision({ env, serviceUrl })
    .then((r) => console.log(`collections created: ${r.created.join(', ') || '-'}; already there: ${r.existing.join(', ') || '-'}`))
    .catch((e: unknown) => {
      const o = (e ?? {}) as { code?: unknown; message?: unknown }
      console.error(`provisioning failed: ${String(o.code ?? '')} ${String(o.message ?? e)}`)
      process.exit(1)
    })
}
