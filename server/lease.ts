/**
 * @module server/lease — a time-bounded lease held on one row, by one conditional update: the
 * row's `<field>` names the holder and `<field>Until` when the lease lapses. Used for "one at a
 * time" work whose result is stored on the same row: the access token refresh (`refreshing`,
 * ./accessToken.ts) and the login's code exchange (`exchanging`, ./sessions.ts).
 */
import type { CollectionRef, Database } from './cloud'
import { isDuplicateKey } from './failures'

// The slice of wx-server-sdk's query/command API used here (server/cloud.ts types only what all share).
interface Command {
  exists(b: boolean): unknown
  lt(v: unknown): unknown
  or(c: Record<string, unknown>[]): unknown
  remove(): unknown
}
type Queryable = CollectionRef & { where(q: unknown): { update(o: { data: Record<string, unknown> }): Promise<{ stats?: { updated?: number } }> } }

/**
 * Takes the lease `field` of row `id` of `collection` for `lease` until `until`, creating the row
 * if there is none. False when another holder's lease has not lapsed by `now` (or a racer
 * created the row first).
 */
export async function takeLease(db: Database, collection: string, id: string, field: string, lease: string, now: Date, until: Date): Promise<boolean> {
  const _ = (db as Database & { command: Command }).command
  const rows = db.collection(collection) as Queryable
  const untilField = `${field}Until`
  const free = _.or([{ _id: id, [field]: _.exists(false) }, { _id: id, [untilField]: _.lt(now) }])
  const res = await rows.where(free).update({ data: { [field]: lease, [untilField]: until } })
  if ((res.stats?.updated ?? 0) > 0) return true
  try {
    await rows.add({ data: { _id: id, [field]: lease, [untilField]: until } })
    return true
  } catch (e) {
    if (isDuplicateKey(e)) return false
    throw e
  }
}

/**
 * Gives the lease back, writing `data` on the row in the same update; false (and nothing written)
 * when `lease` no longer holds it (it lapsed and another holder took it).
 */
export async function releaseLease(db: Database, collection: string, id: string, field: string, lease: string, data: Record<string, unknown>): Promise<boolean> {
  const _ = (db as Database & { command: Command }).command
  const rows = db.collection(collection) as Queryable
  const res = await rows.where({ _id: id, [field]: lease }).update({ data: { ...data, [field]: _.remove(), [`${field}Until`]: _.remove() } })
  return (res.stats?.updated ?? 0) > 0
}
