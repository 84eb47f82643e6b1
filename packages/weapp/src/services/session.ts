/**
 * @module services/session — the user's phonebind session: `login` once at launch, shared by
 * every page. Identity itself comes from the cloud (`getWXContext`), so `wx.login` is only needed
 * for the legacy `encryptedData` path — and then only when WeChat's session is gone or the server
 * has no key, because each `wx.login` may rotate the session key and break data already encrypted.
 */
import type { LoginData, Result } from '../../../../core/contracts'
import { errorInfo } from '../../../../core/errors'
import { callFunction } from './cloud'
import { resetKnownPhone } from './knownPhone'
import { checkSession, loginCode } from './wxAsync'

export interface SessionOptions {
  /** Legacy path enabled: make sure the server holds a current session key. */
  legacy: boolean
}

let current: Promise<Result<LoginData>> | null = null
let options: SessionOptions = { legacy: false }

async function withCode(): Promise<Result<LoginData>> {
  const code = await loginCode()
  if (!code) return { ok: false, error: errorInfo('LOGIN_REQUIRED') }
  return callFunction('login', { code })
}

async function launch(opts: SessionOptions): Promise<Result<LoginData>> {
  if (!opts.legacy) return callFunction('login', {})
  // WeChat's session still valid: the key the server stored last time is the current one.
  if (await checkSession()) {
    const res = await callFunction('login', {})
    if (!res.ok || res.data.legacyReady) return res
  }
  return withCode()
}

/** Starts the session once (App.onLaunch); later calls return the same promise. */
export function startSession(opts: SessionOptions): Promise<Result<LoginData>> {
  if (!current) {
    options = opts
    current = remember(launch(opts))
  }
  return current
}

/** Keeps a login attempt as the session unless it fails: a failure must not stick, so the next
 * caller tries again. */
function remember(attempt: Promise<Result<LoginData>>): Promise<Result<LoginData>> {
  attempt.then((res) => { if (!res.ok && current === attempt) current = null }, () => { if (current === attempt) current = null })
  return attempt
}

/** The session for a page: the launch result, or a new attempt if launch failed or never ran. */
export function getSession(): Promise<Result<LoginData>> {
  return current ?? startSession(options)
}

/** Forces a fresh `wx.login` + `login`, e.g. after the legacy path found the session key stale.
 * The user must tap again afterwards: data from the earlier tap used the old key. */
export function relogin(): Promise<Result<LoginData>> {
  current = remember(withCode())
  return current
}

/** For tests: forget the launch. */
export function resetSession(): void {
  current = null
  options = { legacy: false }
  resetKnownPhone()
}
