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
  /** Told once per collection that auto-creation let through. */
  warn: (line: string) => void
  /** Collections already warned about. */
  warned: Set<string>
}

/**
 * The collection named by the request. A missing one fails with -502005, as on CloudBase,
 * unless auto-creation is on: then the first write creates it and a warning names it once.
 */
export function collectionOf(body: AdminBody, db: DatabaseContext): string {
  const c = body.collectionName
  if (typeof c !== 'string' || !c) throw new TcbError('INVALID_PARAM', 'collectionName is required')
  if (!db.store.hasCollection(c)) {
    if (!db.autoCreateCollections) throw collectionNotExist()
    if (!db.warned.has(c)) {
      db.warned.add(c)
      db.warn(
        `⚠ collection "${c}" does not exist; auto-creation is on, so the emulator lets it through. On CloudBase this call fails with -502005 (DATABASE_COLLECTION_NOT_EXIST) until the collection is created / 集合 "${c}" 不存在：模拟器已自动放行，云开发上会报 -502005，请先创建集合`,
      )
    }
  }
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
