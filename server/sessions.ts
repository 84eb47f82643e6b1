/**
 * @module server/sessions — the server-side `session_key` store (`sessions` collection, `_id`
 * = openid). One row per user because WeChat keeps only one valid key per user: the latest
 * `jscode2session` wins, and decrypting uses the row exactly as it was read (reference §8).
 *
 * The collection's security rules deny every client read and write; only functions touch it.
 */
import type { Database } from './cloud'

export const SESSIONS = 'sessions'

export interface StoredSession {
  sessionKey: string
  updatedAt: Date
}

export interface SessionStore {
  get(openid: string): Promise<StoredSession | null>
  put(openid: string, sessionKey: string, now: Date): Promise<void>
}

export function cloudSessionStore(db: Database): SessionStore {
  return {
    async get(openid) {
      const { data } = await db.collection(SESSIONS).doc(openid).get()
      const key = data?.session_key
      if (typeof key !== 'string' || key === '') return null
      const at = data?.updatedAt
      return { sessionKey: key, updatedAt: at instanceof Date ? at : new Date(String(at)) }
    },
    async put(openid, sessionKey, now) {
      // set() replaces: the previous key is dead anyway once WeChat issued this one.
      await db.collection(SESSIONS).doc(openid).set({ data: { session_key: sessionKey, updatedAt: now } })
    },
  }
}
