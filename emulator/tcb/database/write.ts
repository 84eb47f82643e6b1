/**
 * @module emulator/tcb/database/write — insertDocument, modifyDocument, removeDocument, addCollection.
 *
 * `modifyDocument` carries three SDK calls (reference §8): `doc().set()` (DOC, merge:false,
 * upsert:true, a whole document → replace-or-insert), `update()` (merge:true, Mongo operators,
 * nested objects already flattened by the SDK) and `where().update()` (multi:true).
 */
import { calculateObjectSize } from 'bson'
import { isPlain, type UpdateSpec } from '../../store'
import { TcbError, type ActionTable, type AdminBody } from '../../types'
import { decodeObject } from './codec'
import { collectionOf, handler, ok, queryOf, transactionOf, type DatabaseContext } from './context'

export function writeActions(db: DatabaseContext): ActionTable {
  return {
    'database.addCollection': handler(async (body) => {
      const c = body.collectionName
      if (typeof c !== 'string' || !c) throw new TcbError('INVALID_PARAM', 'collectionName is required')
      if (!(await db.store.createCollection(c))) {
        throw new TcbError('DATABASE_COLLECTION_ALREADY_EXIST', `collection ${c} already exists`)
      }
      return ok()
    }),

    'database.insertDocument': handler(async (body) => {
      const now = db.clock.now()
      const c = collectionOf(body, db)
      const raw = Array.isArray(body.data) ? body.data : [body.data]
      if (!raw.length) throw new TcbError('INVALID_PARAM', 'data must not be empty')
      const docs = raw.map((d: unknown, i: number) => decodeObject(d, `data[${i}]`, now))
      for (const d of docs) refuseUnstorable(d)
      const tx = transactionOf(body, db)
      const insertedIds = tx ? docs.map((d) => tx.insert(c, d)) : await db.store.insert(c, docs)
      return ok({ data: { insertedIds } })
    }),

    'database.modifyDocument': handler(async (body) => {
      const now = db.clock.now()
      const c = collectionOf(body, db)
      refuseMissingWhere(body, 'update')
      const filter = queryOf(body, now)
      const payload = decodeObject(body.data, 'data', now)
      // A replacement (`doc().set()`) is stored as given; an update's `$` keys are its operators.
      if (body.merge === false && !Object.keys(payload).some((k) => k.startsWith('$'))) refuseUnstorable(payload)
      else refuseOversize(payload)
      const spec = updateSpecOf(payload, body.merge !== false)
      const opts = { multi: body.queryType !== 'DOC' && body.multi === true, upsert: body.upsert === true }
      const tx = transactionOf(body, db)
      const r = tx ? tx.update(c, filter, spec, opts) : await db.store.update(c, filter, spec, opts)
      const data: Record<string, unknown> = { updated: r.modified }
      if (r.upsertedId !== undefined) data.upsert_id = r.upsertedId
      return ok({ data })
    }),

    'database.removeDocument': handler(async (body) => {
      const c = collectionOf(body, db)
      refuseMissingWhere(body, 'remove')
      const filter = queryOf(body, db.clock.now())
      const tx = transactionOf(body, db)
      const multi = body.queryType !== 'DOC' && body.multi !== false
      const deleted = tx ? tx.remove(c, filter) : await db.store.remove(c, filter, { multi })
      return ok({ data: { deleted } })
    }),
  }
}

/** Operators as given; plain data is `$set` when merging, a replacement otherwise. */
function updateSpecOf(data: Record<string, unknown>, merge: boolean): UpdateSpec {
  const keys = Object.keys(data)
  const operators = keys.filter((k) => k.startsWith('$'))
  if (operators.length && operators.length !== keys.length) {
    throw new TcbError('INVALID_PARAM', 'update data mixes operators and plain fields')
  }
  if (operators.length) return { modifier: data }
  const { _id: _ignored, ...fields } = data
  if (!keys.length && merge) throw new TcbError('INVALID_PARAM', 'update data must not be empty')
  return merge ? { modifier: { $set: fields } } : { replacement: fields }
}

/**
 * `collection.update(data)` / `collection.remove()` without `where()` send no `query` at all.
 * CloudBase refuses them with INVALID_PARAM (Tencent's node-sdk test/database/index.test.ts
 * "验证 无 query update", run against the real backend), so a mistaken whole-collection write
 * fails locally as it would in production. `where({})` sends a query and stays allowed. For
 * `remove()` the refusal is inferred from the same request shape (Tencent's own test helper
 * empties collections with `where({_id: /.*\/}).remove()`, test/common/index.ts).
 */
function refuseMissingWhere(body: AdminBody, what: 'update' | 'remove'): void {
  if (body.queryType === 'DOC') return
  if (body.query === undefined || body.query === null || body.query === '') {
    throw new TcbError('INVALID_PARAM', `${what} requires a query condition: use where() (where({}) to mean every document)`)
  }
}

/** MongoDB's document limit (16 MiB of BSON), which CloudBase's quota repeats per packet. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

/**
 * What CloudBase cannot store. Field names starting with `$`: `add({$_key: 1})` fails with
 * DATABASE_REQUEST_FAILED (Tencent's node-sdk test/database/index.test.ts "验证throwOnCode");
 * the message is MongoDB's storage-validation text, a guess at CloudBase's wording.
 */
function refuseUnstorable(doc: Record<string, unknown>): void {
  const bad = dollarField(doc, '')
  if (bad) throw new TcbError('DATABASE_REQUEST_FAILED', `The dollar ($) prefixed field '${bad.name}' in '${bad.path}' is not valid for storage.`)
  refuseOversize(doc)
}

/**
 * Documents over 16 MiB (WeChat's quota page: "16 MB in each packet"; MongoDB: 16 MiB BSON).
 * CloudBase's exact answer is not documented: DATABASE_REQUEST_FAILED and this text are the
 * emulator's GUESS (emulator/README.md). A document that grows past the limit through update
 * operators ($push…) is not caught: only what a request carries is measured.
 */
function refuseOversize(doc: Record<string, unknown>): void {
  const size = calculateObjectSize(doc)
  if (size > MAX_DOCUMENT_BYTES) {
    throw new TcbError('DATABASE_REQUEST_FAILED', `document too large: ${size} bytes of BSON, the limit is ${MAX_DOCUMENT_BYTES} (16 MB)`)
  }
}

function dollarField(v: unknown, path: string): { name: string; path: string } | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = dollarField(v[i], path ? `${path}.${i}` : String(i))
      if (bad) return bad
    }
    return undefined
  }
  if (!isPlain(v)) return undefined
  for (const [k, x] of Object.entries(v)) {
    const p = path ? `${path}.${k}` : k
    if (k.startsWith('$')) return { name: k, path: p }
    const bad = dollarField(x, p)
    if (bad) return bad
  }
  return undefined
}
