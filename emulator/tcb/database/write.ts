/**
 * @module emulator/tcb/database/write — insertDocument, modifyDocument, removeDocument, addCollection.
 *
 * `modifyDocument` carries three SDK calls (reference §8): `doc().set()` (DOC, merge:false,
 * upsert:true, a whole document → replace-or-insert), `update()` (merge:true, Mongo operators,
 * nested objects already flattened by the SDK) and `where().update()` (multi:true).
 */
import type { UpdateSpec } from '../../store'
import { TcbError, type ActionTable } from '../../types'
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
      const tx = transactionOf(body, db)
      const insertedIds = tx ? docs.map((d) => tx.insert(c, d)) : await db.store.insert(c, docs)
      return ok({ data: { insertedIds } })
    }),

    'database.modifyDocument': handler(async (body) => {
      const now = db.clock.now()
      const c = collectionOf(body, db)
      const filter = queryOf(body, now)
      const spec = updateSpecOf(decodeObject(body.data, 'data', now), body.merge !== false)
      const opts = { multi: body.queryType !== 'DOC' && body.multi === true, upsert: body.upsert === true }
      const tx = transactionOf(body, db)
      const r = tx ? tx.update(c, filter, spec, opts) : await db.store.update(c, filter, spec, opts)
      const data: Record<string, unknown> = { updated: r.modified }
      if (r.upsertedId !== undefined) data.upsert_id = r.upsertedId
      return ok({ data })
    }),

    'database.removeDocument': handler(async (body) => {
      const c = collectionOf(body, db)
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
