/**
 * @module auditTrail — replays `phone_events` into each user's phone, ordered by the versions
 * the binding transactions wrote (./binding.ts "Audit order"), never by `at` or by storage order.
 *
 * Each user's history is the events that changed its phone, sorted by `phoneVersion`: the
 * events it made (`openid`), plus the transfers that took a number from it (`otherOpenid`,
 * at `otherPhoneVersion`). In CloudBase terms: `where({openid}).orderBy('phoneVersion','asc')`
 * and `where({otherOpenid, type:'transfer'}).orderBy('otherPhoneVersion','asc')`, merged. Its
 * versions must run 1, 2, 3 … without a gap or a repeat, and every step must start from what
 * the previous one left: a rebind from the number held, a transfer taking a number its
 * previous owner held at that version. `conflict` events change nothing and are checked as
 * observations: the owner held the number at the version the refused claim saw.
 *
 * Only masked numbers are compared, and violation texts hold masked numbers and openids only.
 * The trail has no per-number key (it never stores the number), so it orders a user's history
 * exactly but does not order two users' histories against each other except through a transfer.
 */
import type { PhoneEvent } from './binding'

/** A stored event as read back: times may be strings, older events may lack versions. */
export type TrailEvent = Omit<PhoneEvent, 'phoneVersion' | 'at'> & { phoneVersion?: number; at?: unknown }

export interface UserHistory {
  /** The masked number the user holds after its last change, or null. */
  masked: string | null
  /** The version of its last change (0: none in the trail). */
  phoneVersion: number
}

export interface TrailReplay {
  users: Map<string, UserHistory>
  /** Events without `phoneVersion` (written before versions existed): not replayed. */
  unversioned: number
  violations: string[]
}

interface Step {
  version: number
  /** What the user must hold before this step (undefined: anything). */
  before: Array<string | null>
  after: string | null
  what: string
}

const MAX_VIOLATIONS = 20

export function replayTrail(events: readonly TrailEvent[]): TrailReplay {
  const violations: string[] = []
  const note = (v: string) => {
    if (violations.length < MAX_VIOLATIONS) violations.push(v)
  }
  const steps = new Map<string, Step[]>()
  // Observations: at `version`, the user held `expect` (a masked number or null; undefined: not checked).
  const seen: Array<{ openid: string; version: number; expect?: string | null; what: string }> = []
  const add = (openid: string, step: Step) => steps.set(openid, [...(steps.get(openid) ?? []), step])
  let unversioned = 0

  for (const e of events) {
    if (typeof e.phoneVersion !== 'number') {
      unversioned++
      continue
    }
    const v = e.phoneVersion
    switch (e.type) {
      case 'bind':
        // A first bind, or a repaired index (the user document already held the number).
        add(e.openid, { version: v, before: [null, e.masked], after: e.masked, what: `bind ${e.masked}` })
        break
      case 'rebind':
        add(e.openid, { version: v, before: [e.previousMasked ?? null], after: e.masked, what: `rebind ${e.previousMasked} → ${e.masked}` })
        break
      case 'unbind':
        add(e.openid, { version: v, before: [e.masked], after: null, what: `unbind ${e.masked}` })
        break
      case 'transfer':
        // previousMasked: the caller's other number, released; none: it held nothing (or, with
        // damaged data, already this number).
        add(e.openid, { version: v, before: e.previousMasked ? [e.previousMasked] : [null, e.masked], after: e.masked, what: `transfer of ${e.masked} from ${e.otherOpenid}` })
        if (e.otherOpenid && typeof e.otherPhoneVersion === 'number') {
          add(e.otherOpenid, { version: e.otherPhoneVersion, before: [e.masked], after: null, what: `${e.masked} taken by ${e.openid}` })
        }
        break
      case 'conflict':
        seen.push({ openid: e.openid, version: v, what: `conflict over ${e.masked}` })
        if (e.otherOpenid && typeof e.otherPhoneVersion === 'number') {
          seen.push({ openid: e.otherOpenid, version: e.otherPhoneVersion, expect: e.masked, what: `${e.openid} refused ${e.masked}` })
        }
        break
      case 'merge':
        // An account fold (./accounts.ts): the numbers it moved have their own transfer/unbind
        // events; the merge itself is an observation of both accounts right after it.
        seen.push({ openid: e.openid, version: v, expect: e.masked || null, what: `merge of ${e.otherOpenid}` })
        if (e.otherOpenid && typeof e.otherPhoneVersion === 'number') {
          seen.push({ openid: e.otherOpenid, version: e.otherPhoneVersion, expect: null, what: `merged into ${e.openid}` })
        }
        break
    }
  }

  const users = new Map<string, UserHistory>()
  const held = new Map<string, Array<string | null>>() // per user: what it held after version i
  for (const [openid, list] of steps) {
    list.sort((a, b) => a.version - b.version)
    const states: Array<string | null> = [null]
    list.forEach((step, i) => {
      if (step.version !== i + 1) note(`${openid}: ${step.what} has version ${step.version}, expected ${i + 1} (an event is missing or repeated)`)
      const before = states[states.length - 1]!
      if (!step.before.includes(before)) note(`${openid}: ${step.what} at version ${step.version}, but it held ${before ?? 'nothing'}`)
      states.push(step.after)
    })
    held.set(openid, states)
    users.set(openid, { masked: states[states.length - 1]!, phoneVersion: list.length ? list[list.length - 1]!.version : 0 })
  }
  for (const o of seen) {
    const states = held.get(o.openid) ?? [null]
    if (o.version >= states.length) note(`${o.openid}: ${o.what} saw version ${o.version}, but its history ends at ${states.length - 1}`)
    else if (o.expect !== undefined && states[o.version] !== o.expect) note(`${o.openid}: ${o.what} at version ${o.version}, but it held ${states[o.version] ?? 'nothing'}`)
    if (!users.has(o.openid)) users.set(o.openid, { masked: null, phoneVersion: 0 })
  }
  return { users, unversioned, violations }
}
