/**
 * @module server/cloudbaseStore — core's `BindingStore` on CloudBase, through wx-server-sdk.
 *
 * Wire facts this relies on (cloudbase-wire-protocol.md):
 * - Only doc-level operations and `add` carry the `transactionId` (§9). `where().update()` and
 *   `where().remove()` would silently run OUTSIDE the transaction, so none are used here.
 * - `add({data: {_id}})` fails on an existing `_id`; `doc().set()` would overwrite (§8). The
 *   phone index is therefore inserted with `add`, which is what makes "one number, one account"
 *   a database fact.
 * - wx-server-sdk flattens TCB error names to -501001 + message (§7); duplicate keys and
 *   conflicts are recognised by text (./failures) and re-thrown as core's typed errors.
 * - The SDK's own conflict retry never fires through wx-server-sdk (the code name is lost), so
 *   we pass `times = 0` and let core's `bindPhone` do the bounded re-run: re-running a bind is
 *   safe because the single-use WeChat code was exchanged before the transaction began.
 */
import { DuplicateKeyError, TransactionConflictError, type BindingStore, type BindingTx, type PhoneEvent, type PhoneIndexDoc, type UserDoc } from '../core/binding'
import type { Database, TransactionRef } from './cloud'
import { isDuplicateKey, isTransactionConflict } from './failures'
import { USERS } from './users'

export const PHONE_INDEX = 'phone_index'
export const PHONE_EVENTS = 'phone_events'

function withoutId<T extends { _id?: unknown }>(doc: T): Omit<T, '_id'> {
  // `doc().set()` rejects data containing `_id` client-side; the id is the doc reference.
  const { _id: _ignored, ...rest } = doc
  return rest
}

/** Core's typed errors pass through; SDK errors that mean "duplicate" / "conflict" become them. */
function translate(e: unknown, collection = 'unknown'): unknown {
  if (e instanceof DuplicateKeyError || e instanceof TransactionConflictError) return e
  if (isTransactionConflict(e)) return new TransactionConflictError()
  if (isDuplicateKey(e)) return new DuplicateKeyError(collection)
  return e
}

function txOps(t: TransactionRef): BindingTx {
  return {
    async getUser(openid) {
      const { data } = await t.collection(USERS).doc(openid).get()
      return (data as UserDoc | null) ?? null
    },
    async getPhoneIndex(id) {
      const { data } = await t.collection(PHONE_INDEX).doc(id).get()
      return (data as PhoneIndexDoc | null) ?? null
    },
    async insertPhoneIndex(doc) {
      try {
        await t.collection(PHONE_INDEX).add({ data: { ...doc } })
      } catch (e) {
        throw translate(e, PHONE_INDEX)
      }
    },
    async deletePhoneIndex(id) {
      await t.collection(PHONE_INDEX).doc(id).remove()
    },
    async putPhoneIndex(doc) {
      // Hand-over under the transfer policy: core read the current owner in this transaction,
      // so a replace is safe; delete + insert of one `_id` would trip the duplicate check.
      await t.collection(PHONE_INDEX).doc(doc._id).set({ data: withoutId(doc) })
    },
    async putUser(doc) {
      await t.collection(USERS).doc(doc._id).set({ data: withoutId(doc) })
    },
    async addEvent(event: PhoneEvent) {
      await t.collection(PHONE_EVENTS).add({ data: { ...event } })
    },
  }
}

/** The production store. `db` must be `cloud.database({ throwOnNotFound: false })`. */
export function cloudBindingStore(db: Database): BindingStore {
  return {
    async runTransaction(fn) {
      try {
        return await db.runTransaction((t) => fn(txOps(t)), 0)
      } catch (e) {
        // A conflict or duplicate detected at commit time arrives here, untyped.
        throw translate(e, PHONE_INDEX)
      }
    },
    async peekPhoneIndex(id) {
      // Committed state (no transactionId): who owns a number whose claim just failed.
      const { data } = await db.collection(PHONE_INDEX).doc(id).get()
      return (data as PhoneIndexDoc | null) ?? null
    },
    async appendEvent(event) {
      // The conflict trail: one insert, atomic on its own — not start + add + commit.
      await db.collection(PHONE_EVENTS).add({ data: { ...event } })
    },
  }
}
