/**
 * @module server/functions/getOpenData — the cloudID and legacy (`encryptedData` + `iv`) paths.
 *
 * SECURITY — resolved cloudIDs. When the mini program passes a top-level
 * `wx.cloud.CloudID(id)`, the platform replaces it with `{cloudID, data}` before `main` runs.
 * But the event is otherwise exactly what the client sent, and nothing marks a substituted
 * object as platform-made: a client can send `{cloudID: {cloudID: 'x', data: {phoneNumber:
 * <anyone's number>, watermark: {appid}}}}` itself and it looks identical. So `data` from the
 * event is NEVER trusted. We take only the cloudID string (from a plain string or from the
 * object) and resolve it again server-side with `cloud.getOpenData`, which WeChat answers only
 * for the user who obtained the cloudID (-601007 otherwise). A cloudID is not single use
 * within its 5 minutes, so resolving it a second time is legitimate. An `{errCode}` object is
 * mapped directly: forging one can only fail the forger's own request.
 *
 * Legacy: decrypt with the session key stored by `login`, exactly as read. A missing key or
 * one that no longer decrypts means the client must `wx.login` → `login` BEFORE the next tap
 * (the data of this tap was encrypted with a key that is gone).
 *
 * SECURITY — the legacy path is a decryption oracle unless it answers alike (red-team F1). CBC
 * has no MAC: a client that learns whether ITS chosen ciphertext had good padding, valid UTF-8,
 * JSON, the right appid… can compute what any block decrypts to and build a ciphertext of
 * someone else's number. So once decryption has started, every failure — including the phone
 * fields, the age bound and a replay — is the one DECRYPT_FAILED (the exact cause goes to the
 * log), every one counts against the stored key's failure budget, and the third discards the
 * key. Only failures decided by the input's shape before decrypting (bad base64, '+' turned
 * into spaces, iv length) keep their own codes: they depend on nothing the key hides.
 */
import type { BindData, ResolvedCloudID, Result } from '../../core/contracts'
import { ciphertextDigest, decryptOpenData, isDecidedBeforeDecryption } from '../../core/crypto'
import { fail } from '../../core/errors'
import { normalisePhone } from '../../core/phone'
import { parseGetOpenDataRequest } from '../../core/validate'
import { fromCloudSdkError } from '../../core/wechatCodes'
import { bindForCaller } from '../bind'
import type { Invocation } from '../handler'
import { MAX_DATA_FUTURE_SECONDS } from '../config'
import { cloudSessionStore, type SessionStore } from '../sessions'

export async function getOpenData(event: unknown, inv: Invocation): Promise<Result<BindData>> {
  const req = parseGetOpenDataRequest(event)
  if (!req.ok) return req
  const r = req.data
  return 'cloudID' in r ? viaCloudId(r.cloudID, inv) : viaLegacy(r.encryptedData, r.iv, inv)
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

async function viaCloudId(input: string | ResolvedCloudID, inv: Invocation): Promise<Result<BindData>> {
  if (typeof input !== 'string' && 'errCode' in input) {
    return { ok: false, error: fromCloudSdkError({ errCode: input.errCode, errMsg: input.errMsg }, 'getOpenData') }
  }
  const cloudID = typeof input === 'string' ? input : input.cloudID
  let item: unknown
  try {
    const res = await inv.cloud.getOpenData({ list: [cloudID] })
    item = Array.isArray(res.list) ? res.list[0] : undefined
  } catch (e) {
    const error = fromCloudSdkError(e, 'getOpenData')
    inv.log.warn('cloudID resolution failed', { failure: error.code, errcode: error.wechatCode })
    return { ok: false, error }
  }
  if (!isRecord(item)) return fail('CLOUDID_INVALID')
  if (typeof item.errCode === 'number' && item.errCode !== 0) {
    return { ok: false, error: fromCloudSdkError({ errCode: item.errCode, errMsg: item.errMsg }, 'getOpenData') }
  }
  const data = item.data
  if (!isRecord(data)) return fail('CLOUDID_INVALID')
  return bindOpenData(data, inv)
}

async function viaLegacy(encryptedData: string, iv: string, inv: Invocation): Promise<Result<BindData>> {
  if (inv.config.appSecret === undefined) return fail('LEGACY_NOT_CONFIGURED')
  const sessions = cloudSessionStore(inv.db)
  const session = await sessions.get(inv.openid)
  if (!session) return fail('LOGIN_REQUIRED')
  const { sessionKey } = session
  const decrypted = decryptOpenData({
    appid: inv.appid,
    sessionKey,
    encryptedData,
    iv,
    maxAgeSeconds: inv.config.maxDataAgeSeconds,
    maxFutureSeconds: MAX_DATA_FUTURE_SECONDS,
    now: inv.now().getTime(),
  })
  if (!decrypted.ok) {
    if (isDecidedBeforeDecryption(decrypted.error.code)) {
      inv.log.warn('legacy data refused before decryption', { failure: decrypted.error.code, field: decrypted.error.field })
      return decrypted
    }
    return refuseDecrypted(sessions, sessionKey, inv, decrypted.error.code, decrypted.error.field)
  }
  const phone = normalisePhone(decrypted.data)
  if (!phone.ok) return refuseDecrypted(sessions, sessionKey, inv, phone.error.code, phone.error.field)
  // Consumed before binding, atomically: of two calls with one ciphertext exactly one binds,
  // and a replay writes no `conflict` row into phone_events.
  const digest = ciphertextDigest(encryptedData)
  if (digest === null || !(await sessions.consume(inv.openid, sessionKey, digest))) {
    return refuseDecrypted(sessions, sessionKey, inv, 'REPLAYED_OR_KEY_CHANGED')
  }
  return bindForCaller(inv, phone.data, 'legacy')
}

/** A failure after decryption started: logged with its cause, counted, answered alike. */
async function refuseDecrypted(sessions: SessionStore, sessionKey: string, inv: Invocation, cause: string, field?: string): Promise<Result<BindData>> {
  const { counted, discarded } = await sessions.recordFailure(inv.openid, sessionKey)
  inv.log.warn('legacy decryption failed', { cause, field, counted, keyDiscarded: discarded })
  return fail('DECRYPT_FAILED')
}

/** Binds the number of resolved cloudID data (the legacy path checks and binds its own). */
async function bindOpenData(data: Record<string, unknown>, inv: Invocation): Promise<Result<BindData>> {
  const wm = data.watermark
  if (!isRecord(wm) || wm.appid !== inv.appid) return fail('WATERMARK_APPID_MISMATCH', { field: 'watermark.appid' })
  const phone = normalisePhone(data)
  if (!phone.ok) return phone
  return bindForCaller(inv, phone.data, 'cloudID')
}
