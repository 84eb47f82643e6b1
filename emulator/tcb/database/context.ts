/**
 * @module emulator/tcb/database/context — what every database action shares: the store, the
 * clock (for `$tcb_server_date`), and parameter parsing with CloudBase's error codes.
 */
import type { DocumentStore, Transaction } from '../../store'
import { TcbError, type ActionHandler, type AdminBody, type AdminReply, type Clock } from '../../types'
import { decodeObject } from './codec'
import { collectionNotExist, toTcbError } from './errors'

export interface DatabaseContext {
  store: DocumentStore
  clock: Clock
  autoCreateCollections: boolean
}

/** The collection named by the request; missing ones fail unless auto-creation is on. */
export function collectionOf(body: AdminBody, db: DatabaseContext): string {
  const c = body.collectionName
  if (typeof c !== 'string' || !c) throw new TcbError('INVALID_PARAM', 'collectionName is required')
  if (!db.autoCreateCollections && !db.store.hasCollection(c)) throw collectionNotExist(c)
  return c
}

/** The query filter; `DOC` queries must name an `_id`. */
export function queryOf(body: AdminBody, now: number): Record<string, unknown> {
  const query = body.query === undefined || body.query === '' ? {} : decodeObject(body.query, 'query', now)
  if (body.queryType === 'DOC' && !Object.prototype.hasOwnProperty.call(query, '_id')) {
    throw new TcbError('INVALID_PARAM', 'a DOC query must contain _id')
  }
  return query
}

/** The transaction a request belongs to, if it names one. */
export function transactionOf(body: AdminBody, db: DatabaseContext): Transaction | undefined {
  const id = body.transactionId
  if (id === undefined || id === null || id === '') return undefined
  if (typeof id !== 'string') throw new TcbError('INVALID_PARAM', 'transactionId must be a string')
  try {
    return db.store.transaction(id)
  } catch (err) {
    throw toTcbError(err)
  }
}

export function ok(json: Record<string, unknown> = {}): AdminReply {
  return { json }
}

/** Runs a handler and reports store and evaluation failures in CloudBase's envelope. */
export function handler(fn: (body: AdminBody) => Promise<AdminReply> | AdminReply): ActionHandler {
  return async (body) => {
    try {
      return await fn(body)
    } catch (err) {
      throw toTcbError(err)
    }
  }
}
