/**
 * @module emulator/storage/grants — what stands in for COS signatures.
 *
 * Real uploads and temp URLs carry COS signatures. The emulator keeps the shape without the
 * cryptography of COS: an upload needs the `authorization` token that `getUploadMetadata` handed
 * out for that very path (10 minutes, like a COS upload signature's default validity; our pick),
 * and a temp URL carries an HMAC of its path and expiry under a per-process secret. So a stray
 * PUT or a made-up download URL is refused, and a URL stops working when it expires.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../types'

export const UPLOAD_GRANT_MS = 10 * 60 * 1000

export interface UploadGrants {
  /** A token allowing one path to be written until it expires. */
  grant(cloudPath: string): string
  /** True if `token` was granted for `cloudPath` and has not expired. */
  allows(token: string | undefined, cloudPath: string): boolean
}

export function createUploadGrants(clock: Clock): UploadGrants {
  const grants = new Map<string, { cloudPath: string; expiresAt: number }>()
  const prune = () => {
    const now = clock.now()
    for (const [token, g] of grants) if (g.expiresAt <= now) grants.delete(token)
  }
  return {
    grant(cloudPath) {
      prune()
      const token = randomBytes(24).toString('base64url')
      grants.set(token, { cloudPath, expiresAt: clock.now() + UPLOAD_GRANT_MS })
      return token
    },
    allows(token, cloudPath) {
      const g = token ? grants.get(token) : undefined
      return !!g && g.cloudPath === cloudPath && g.expiresAt > clock.now()
    },
  }
}

export interface UrlSigner {
  sign(cloudPath: string, expiresAtS: number): string
  /** True if `sign` matches and `expiresAtS` is still ahead of the clock. */
  verify(cloudPath: string, expiresAtS: number, sign: string | null): boolean
}

export function createUrlSigner(clock: Clock, secret = randomBytes(32)): UrlSigner {
  const sign = (cloudPath: string, t: number) => createHmac('sha256', secret).update(`${t}\n${cloudPath}`).digest('hex').slice(0, 32)
  return {
    sign,
    verify(cloudPath, t, given) {
      if (!given || !Number.isSafeInteger(t) || t * 1000 <= clock.now()) return false
      const want = Buffer.from(sign(cloudPath, t))
      const got = Buffer.from(given)
      return got.length === want.length && timingSafeEqual(got, want)
    },
  }
}
