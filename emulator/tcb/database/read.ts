/**
 * @module emulator/tcb/database/read — getDocument, calculateDocument, aggregateDocuments.
 */
import type { FindOptions } from '../../store'
import { nearSphereOrder } from '../../store/geo'
import { shape } from '../../store/query'
import { TcbError, type ActionTable } from '../../types'
import { decodeObject, decodeParam, encodeDoc } from './codec'
import { collectionOf, handler, ok, queryOf, transactionOf, type DatabaseContext } from './context'

const DEFAULT_LIMIT = 100
const MAX_LIMIT = 1000

export function readActions(db: DatabaseContext): ActionTable {
  return {
    'database.getDocument': handler((body) => {
      const now = db.clock.now()
      const c = collectionOf(body, db)
      const filter = queryOf(body, now)
      const tx = transactionOf(body, db)
      const requested = Number(body.limit)
      const limit = Number.isInteger(requested) && requested > 0 ? Math.min(requested, MAX_LIMIT) : DEFAULT_LIMIT
      const offset = Number.isInteger(Number(body.offset)) && Number(body.offset) > 0 ? Number(body.offset) : 0
      const opts: FindOptions = { skip: offset, limit }
      if (body.order) opts.sort = sortOf(decodeObject(body.order, 'order', now))
      if (body.projection) opts.projection = decodeObject(body.projection, 'projection', now)
      const source = tx ?? db.store
      // `geoNear` ($nearSphere) returns nearest first, as MongoDB does, unless an order is given.
      const near = opts.sort && Object.keys(opts.sort).length ? undefined : nearSphereOrder(filter)
      const list = near ? shape(near(source.find(c, filter)), { ...opts, sort: undefined }) : source.find(c, filter, opts)
      const total = tx ? tx.find(c, filter).length : db.store.count(c, filter)
      return ok({ data: { list: list.map(encodeDoc) }, total, limit, offset })
    }),

    'database.calculateDocument': handler((body) => {
      const c = collectionOf(body, db)
      return ok({ data: { total: db.store.count(c, queryOf(body, db.clock.now())) } })
    }),

    'database.aggregateDocuments': handler((body) => {
      const now = db.clock.now()
      const c = collectionOf(body, db)
      if (!Array.isArray(body.stages)) throw new TcbError('INVALID_PARAM', 'stages must be an array')
      const pipeline = body.stages.map((s: unknown, i: number) => {
        const { stageKey, stageValue } = (s ?? {}) as { stageKey?: unknown; stageValue?: unknown }
        if (typeof stageKey !== 'string' || !stageKey.startsWith('$')) throw new TcbError('INVALID_PARAM', `stage ${i} has no stageKey`)
        return { [stageKey]: decodeParam(stageValue, `stages[${i}].stageValue`, now) }
      })
      return ok({ data: { list: db.store.aggregate(c, pipeline).map(encodeDoc) } })
    }),
  }
}

function sortOf(order: Record<string, unknown>): Record<string, 1 | -1> {
  const sort: Record<string, 1 | -1> = {}
  for (const [field, dir] of Object.entries(order)) {
    if (dir === 1 || dir === 'asc') sort[field] = 1
    else if (dir === -1 || dir === 'desc') sort[field] = -1
    else throw new TcbError('INVALID_PARAM', `order of ${field} must be 1 or -1`)
  }
  return sort
}
