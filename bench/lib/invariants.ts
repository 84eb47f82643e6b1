/**
 * @module bench/lib/invariants — what must hold in the database after any load, fault or crash,
 * checked against what the clients were told. Shared by the reliability tests and the bench.
 *
 * Rules (DESIGN.md "Data"):
 * 1. every `phone_index` entry points at a user whose phone is that number (no dangling index);
 * 2. every user's phone is indexed, to that user (no phone indexed to someone else);
 * 3. no number has two owners (duplicated);
 * 4. every `ok: true` a client saw is in the database, unless a later acknowledged operation of
 *    the same user replaced it (lost). An operation whose outcome the client never learnt
 *    (transport failure, -504002, timeout) may or may not have happened, so the state it would
 *    leave is accepted too. An `{ok:false}` result is a promise that nothing changed;
 * 5. every `{ok:false}` carries a catalog code.
 *
 * `checkTrail` checks the audit trail on its own terms: replayed by its versions (never by
 * `at` or storage order), it must give every user exactly its stored phone and version.
 *
 * Violation texts show masked numbers only: they end up in test output and CI logs.
 */
import { replayTrail, type TrailEvent } from '../../core/auditTrail'
import { isErrorCode } from '../../core/errors'
import { maskPhone, phoneIndexId } from '../../core/phone'
import type { DbSnapshot } from './driver'

/** One client operation as the client saw it. Ops of one user never overlap. */
export interface OpRecord {
  openid: string
  kind: 'bind' | 'unbind'
  /** bind: the number (E.164) the user's WeChat account had when tapping. */
  e164?: string
  /** Per-user order (0, 1, 2 … in the order the user issued them). */
  seq: number
  /** ok = `{ok:true}`; failed = `{ok:false}`; unknown = the client got no result (ambiguous). */
  outcome: 'ok' | 'failed' | 'unknown'
  /** failed: `error.code`; unknown: the callFunction errCode or 'TRANSPORT'. */
  code?: string
}

export interface InvariantReport {
  ok: boolean
  users: number
  boundUsers: number
  indexEntries: number
  acknowledged: number
  /** Acknowledged bindings (or unbindings) the database does not reflect. */
  lost: number
  /** Numbers held by more than one user. */
  duplicated: number
  /** `phone_index` entries whose user is missing or holds another number. */
  danglingIndex: number
  /** Users whose number has no index entry, or one owned by someone else. */
  unindexedPhones: number
  /** `{ok:false}` results without a catalog code. */
  uncodedFailures: number
  /** Operations with no function result (callFunction error / transport). */
  unknownOutcomes: number
  violations: string[]
}

interface UserRow {
  _id?: unknown
  phone?: { e164?: unknown; masked?: unknown } | null
  phoneVersion?: unknown
}

const MAX_VIOLATIONS = 20

/** `+8613800001234` → `+86 138****1234` (best effort, never the full number). */
export function maskE164(e164: string): string {
  const m = /^\+(86)(\d{11})$/.exec(e164) ?? /^\+(\d{1,3})(\d{4,})$/.exec(e164)
  return m ? `+${m[1]} ${maskPhone(m[2]!, m[1]!)}` : '(malformed)'
}

function phoneOf(u: UserRow | undefined): string | null {
  const e = u?.phone?.e164
  return typeof e === 'string' ? e : null
}

export interface InvariantOptions {
  /**
   * The deployment's conflict policy. Under `transfer` another account may take a number after
   * its bind was acknowledged, so "no phone" is accepted too; `checkTrail` then shows the
   * transfer that took it (the replayed trail must equal the database).
   */
  policy?: 'reject' | 'transfer'
}

export function checkInvariants(db: DbSnapshot, ops: readonly OpRecord[], options: InvariantOptions = {}): InvariantReport {
  const violations: string[] = []
  const note = (v: string) => {
    if (violations.length < MAX_VIOLATIONS) violations.push(v)
  }
  const users = new Map<string, UserRow>()
  for (const u of (db.users ?? []) as UserRow[]) users.set(String(u._id), u)
  const index = new Map<string, string>()
  for (const e of db.phone_index ?? []) index.set(String(e._id), String(e.openid))

  // 1. index → user
  let danglingIndex = 0
  for (const [id, owner] of index) {
    const phone = phoneOf(users.get(owner))
    if (phone === null || phoneIndexId(phone) !== id) {
      danglingIndex++
      note(`phone_index ${id.slice(0, 4)}… points at ${owner}, whose phone is ${phone === null ? 'none' : maskE164(phone)}`)
    }
  }

  // 2. user → index, and 3. one owner per number
  let unindexedPhones = 0
  let boundUsers = 0
  const owners = new Map<string, string[]>()
  for (const [openid, u] of users) {
    const phone = phoneOf(u)
    if (phone === null) continue
    boundUsers++
    owners.set(phone, [...(owners.get(phone) ?? []), openid])
    let id: string | null = null
    try {
      id = phoneIndexId(phone)
    } catch {
      note(`user ${openid} holds a malformed number`)
    }
    const owner = id === null ? undefined : index.get(id)
    if (owner !== openid) {
      unindexedPhones++
      note(`user ${openid} holds ${maskE164(phone)} but the index says ${owner ?? 'nobody'}`)
    }
  }
  let duplicated = 0
  for (const [phone, who] of owners) {
    if (who.length > 1) {
      duplicated++
      note(`${maskE164(phone)} is held by ${who.length} users: ${who.join(', ')}`)
    }
  }

  // 4. acknowledged operations are reflected; 5. failures carry catalog codes
  let uncodedFailures = 0
  let unknownOutcomes = 0
  let acknowledged = 0
  const byUser = new Map<string, OpRecord[]>()
  for (const op of ops) {
    if (op.outcome === 'ok') acknowledged++
    if (op.outcome === 'unknown') unknownOutcomes++
    if (op.outcome === 'failed' && !isErrorCode(op.code)) {
      uncodedFailures++
      note(`${op.kind} of ${op.openid} failed without a catalog code (${String(op.code)})`)
    }
    byUser.set(op.openid, [...(byUser.get(op.openid) ?? []), op])
  }
  let lost = 0
  for (const [openid, list] of byUser) {
    const sorted = [...list].sort((a, b) => a.seq - b.seq)
    let lastAck = -1
    sorted.forEach((op, i) => {
      if (op.outcome === 'ok') lastAck = i
    })
    if (lastAck < 0) continue // nothing acknowledged: nothing can be lost
    // The states the user may be in: after the last acknowledged op, or after any later
    // operation whose outcome is unknown (it may have committed before the lights went out).
    const acceptable = new Set<string | null>([effect(sorted[lastAck]!)])
    for (const op of sorted.slice(lastAck + 1)) if (op.outcome === 'unknown') acceptable.add(effect(op))
    if (options.policy === 'transfer') acceptable.add(null)
    const actual = phoneOf(users.get(openid))
    if (!acceptable.has(actual)) {
      lost++
      const want = effect(sorted[lastAck]!)
      note(`user ${openid}: acknowledged ${sorted[lastAck]!.kind} (${want === null ? 'no phone' : maskE164(want)}) but the database has ${actual === null ? 'no phone' : maskE164(actual)}`)
    }
  }

  return {
    ok: danglingIndex + unindexedPhones + duplicated + lost + uncodedFailures === 0,
    users: users.size,
    boundUsers,
    indexEntries: index.size,
    acknowledged,
    lost,
    duplicated,
    danglingIndex,
    unindexedPhones,
    uncodedFailures,
    unknownOutcomes,
    violations,
  }
}

/** The phone a user holds right after `op` took effect. */
function effect(op: OpRecord): string | null {
  return op.kind === 'bind' ? (op.e164 ?? null) : null
}

/** Classifies what a bind/unbind call returned, for an `OpRecord`. */
export function classify(outcome: { kind: 'result'; result: unknown } | { kind: 'callError'; errCode: number } | { kind: 'transport' }): Pick<OpRecord, 'outcome' | 'code'> {
  if (outcome.kind === 'transport') return { outcome: 'unknown', code: 'TRANSPORT' }
  if (outcome.kind === 'callError') return { outcome: 'unknown', code: String(outcome.errCode) }
  const r = outcome.result as { ok?: unknown; error?: { code?: unknown } } | null
  if (r && r.ok === true) return { outcome: 'ok' }
  return { outcome: 'failed', code: typeof r?.error?.code === 'string' ? r.error.code : String(r?.error?.code) }
}

export interface TrailReport {
  ok: boolean
  events: number
  /** Events without versions (written before they existed). */
  unversioned: number
  /** Users whose replayed phone or version differs from the stored user document. */
  mismatched: number
  /** `phone_index` entries whose `phoneVersion` is not their owner's current one. */
  staleIndexVersions: number
  violations: string[]
}

/**
 * Replays `phone_events` by version (core/auditTrail.ts) and compares the result with `users`
 * and `phone_index`. The order the snapshot lists events in is ignored.
 */
export function checkTrail(db: DbSnapshot): TrailReport {
  const events = (db.phone_events ?? []) as unknown as TrailEvent[]
  const replay = replayTrail(events)
  const violations = [...replay.violations]
  const note = (v: string) => {
    if (violations.length < MAX_VIOLATIONS) violations.push(v)
  }
  const users = new Map<string, UserRow>()
  for (const u of (db.users ?? []) as UserRow[]) users.set(String(u._id), u)
  let mismatched = 0
  for (const openid of new Set([...users.keys(), ...replay.users.keys()])) {
    const u = users.get(openid)
    const stored = { masked: typeof u?.phone?.masked === 'string' ? u.phone.masked : null, phoneVersion: typeof u?.phoneVersion === 'number' ? u.phoneVersion : 0 }
    const replayed = replay.users.get(openid) ?? { masked: null, phoneVersion: 0 }
    if (stored.masked !== replayed.masked || stored.phoneVersion !== replayed.phoneVersion) {
      mismatched++
      note(`user ${openid}: the trail replays to ${replayed.masked ?? 'no phone'} at version ${replayed.phoneVersion}, the database has ${stored.masked ?? 'no phone'} at version ${stored.phoneVersion}`)
    }
  }
  let staleIndexVersions = 0
  for (const e of db.phone_index ?? []) {
    const owner = users.get(String(e.openid))
    if (e.phoneVersion !== undefined && e.phoneVersion !== owner?.phoneVersion) {
      staleIndexVersions++
      note(`phone_index ${String(e._id).slice(0, 4)}… records version ${String(e.phoneVersion)}, its owner ${String(e.openid)} is at ${String(owner?.phoneVersion)}`)
    }
  }
  return {
    ok: violations.length === 0 && replay.unversioned === 0,
    events: events.length,
    unversioned: replay.unversioned,
    mismatched,
    staleIndexVersions,
    violations,
  }
}
