/**
 * @module server/accounts — the caller's account key, and the `mergeAccounts` function's two
 * modes over core's fold (core/accounts.ts):
 * - a mini-program caller folds ITS OWN openid accounts into its unionid account;
 * - an invocation without a client identity (the console, `tcb fn invoke`, a timer) runs one page
 *   of the migration of existing openid-keyed rows.
 *
 * Guarantees of the migration (each row is folded by `mergeAccounts` in one transaction):
 * - idempotent: a folded row is a tombstone (`mergedInto`), skipped by every later run;
 * - resumable: pages go by `_id` order and return `next`; a crash loses at most the page in
 *   flight, whose folded rows are skipped on the re-run (starting over from the beginning is also
 *   correct, only slower);
 * - safe beside live traffic: a fold reads both accounts and the index entry in its transaction,
 *   so a concurrent bind, unbind or login of either side makes one of them retry (optimistic
 *   concurrency, bounded attempts), never interleave. A bind that runs before its row is migrated
 *   folds the caller's own row itself (core/binding.ts `adoptOwnAccount`).
 * - bounded: `limit` ≤ 50 rows per call (default 20; the function's timeout is 20 s), so one call finishes within the function timeout.
 * Running it without a client identity needs no secret: it only ever does what each row's own
 * server-written unionid proves (core/accounts.ts `proven`), which is what the operator asked for
 * by setting PHONEBIND_ACCOUNT_KEY=unionid; a stranger calling it can only hasten that.
 */
import { accountKeyOf, isUnionAccountKey, mergeAccounts, unionAccountKey } from '../core/accounts'
import type { MergeAccountsData, Result } from '../core/contracts'
import { fail, ok } from '../core/errors'
import { parseMergeAccountsRequest } from '../core/validate'
import { cloudBindingStore } from './cloudbaseStore'
import type { CollectionRef, Database } from './cloud'
import type { Invocation, SystemInvocation } from './handler'
import { USERS } from './users'
import { phoneViewOf } from './view'

/** The caller's account key under the deployment's PHONEBIND_ACCOUNT_KEY. */
export const callerAccount = (inv: Pick<Invocation, 'openid' | 'unionid' | 'config'>): string => accountKeyOf(inv, inv.config.accountKey)

/** How many same-unionid rows a client's merge looks at: a person has one row per app at most. */
const MAX_CLIENT_CANDIDATES = 20
const DEFAULT_PAGE = 20

// The slice of wx-server-sdk's query API used here (server/cloud.ts types only what all share).
interface Query {
  where(q: unknown): Query
  orderBy(field: string, order: 'asc' | 'desc'): Query
  limit(n: number): Query
  get(): Promise<{ data: Array<Record<string, unknown>> }>
}
type QueryDatabase = Database & { command: { gt(v: unknown): unknown; exists(b: boolean): unknown } }
const users = (db: Database) => db.collection(USERS) as CollectionRef & Query

/** A client's merge: its own openid row and the rows its unionid was recorded on. */
export async function mergeForCaller(event: unknown, inv: Invocation): Promise<Result<MergeAccountsData>> {
  const req = parseMergeAccountsRequest(event)
  if (!req.ok) return req
  if (req.data.after !== undefined || req.data.limit !== undefined) return fail('INVALID_INPUT', { field: req.data.after !== undefined ? 'after' : 'limit' })
  if (inv.config.accountKey !== 'unionid' || !inv.unionid) return fail('ACCOUNT_MERGE_UNAVAILABLE')
  const unionid = inv.unionid
  const store = cloudBindingStore(inv.db)
  const { data } = await users(inv.db).where({ unionid }).limit(MAX_CLIENT_CANDIDATES).get()
  const candidates = new Set<string>([inv.openid])
  for (const row of data) if (typeof row._id === 'string' && !isUnionAccountKey(row._id) && !row.mergedInto) candidates.add(row._id)
  let merged = 0
  for (const from of candidates) {
    const r = await mergeAccounts(store, { from, unionid, callerOpenid: inv.openid, now: inv.now })
    if (!r.ok) {
      // Only rows proven to be the caller's are folded; any other is left as it is.
      inv.log.warn('account not merged', { failure: r.error.code })
      continue
    }
    if (r.data.merged) {
      merged++
      inv.log.info('account merged', { kept: r.data.kept, released: r.data.released })
    }
  }
  const { data: account } = await inv.db.collection(USERS).doc(unionAccountKey(unionid)).get()
  return ok({ merged, phone: phoneViewOf(account as { phone?: unknown } | null, inv.config.returnFullPhone) })
}

/** One page of the migration (no client identity). */
export async function migrateAccounts(event: unknown, inv: SystemInvocation): Promise<Result<MergeAccountsData>> {
  const req = parseMergeAccountsRequest(event)
  if (!req.ok) return req
  if (inv.config.accountKey !== 'unionid') return fail('ACCOUNT_MERGE_UNAVAILABLE')
  const limit = req.data.limit ?? DEFAULT_PAGE
  const _ = (inv.db as QueryDatabase).command
  const filter: Record<string, unknown> = { unionid: _.exists(true) }
  if (req.data.after !== undefined) filter._id = _.gt(req.data.after)
  const { data: rows } = await users(inv.db).where(filter).orderBy('_id', 'asc').limit(limit).get()
  const store = cloudBindingStore(inv.db)
  const out = { scanned: rows.length, merged: 0, already: 0, refused: 0, next: null as string | null }
  for (const row of rows) {
    const from = String(row._id)
    if (isUnionAccountKey(from)) continue
    if (row.mergedInto || typeof row.unionid !== 'string' || row.unionid === '') {
      out.already += row.mergedInto ? 1 : 0
      continue
    }
    const r = await mergeAccounts(store, { from, unionid: row.unionid, now: inv.now })
    if (!r.ok) out.refused++
    else if (r.data.merged) out.merged++
    else out.already++
  }
  if (rows.length === limit) out.next = String(rows[rows.length - 1]!._id)
  inv.log.info('migration page', { scanned: out.scanned, merged: out.merged, already: out.already, refused: out.refused, more: out.next !== null })
  return ok(out)
}

/**
 * The first login of a new unionid account: the caller's own openid row (from before the
 * deployment keyed by unionid) is folded into it at once, so the person's number shows now rather
 * than when the migration reaches their row. Proof: it is the caller's getWXContext OPENID. Costs one
 * read at an account's first login only (plus the fold and a re-read when there is a row to fold).
 * Returns the account row after the fold, or null when there was nothing to fold.
 */
export async function foldOwnRowOnFirstLogin(inv: Invocation): Promise<Record<string, unknown> | null> {
  if (!inv.unionid) return null
  const { data } = await inv.db.collection(USERS).doc(inv.openid).get()
  if (!data || data.mergedInto) return null
  const r = await mergeAccounts(cloudBindingStore(inv.db), { from: inv.openid, unionid: inv.unionid, callerOpenid: inv.openid, now: inv.now })
  if (!r.ok || !r.data.merged) return null
  inv.log.info('account merged at first login', { kept: r.data.kept, released: r.data.released })
  return (await inv.db.collection(USERS).doc(unionAccountKey(inv.unionid)).get()).data
}
