/**
 * The invariant checker itself: it must catch each kind of damage, or the load and crash tests
 * prove nothing.
 */
import { checkInvariants, checkTrail, type OpRecord } from '../../bench/lib/invariants'

const A = '+8619900000001'
const B = '+8619900000002'
const user = (openid: string, e164?: string) => ({ _id: openid, openid, phone: e164 ? { e164 } : null })
const idx = (e164: string, openid: string) => ({ _id: `p${e164.slice(1)}`, openid })
const bind = (openid: string, e164: string, seq: number, outcome: OpRecord['outcome'] = 'ok', code?: string): OpRecord => ({ openid, kind: 'bind', e164, seq, outcome, code })
const unbind = (openid: string, seq: number, outcome: OpRecord['outcome'] = 'ok'): OpRecord => ({ openid, kind: 'unbind', seq, outcome })

test('a consistent database passes', () => {
  const r = checkInvariants({ users: [user('u1', A), user('u2')], phone_index: [idx(A, 'u1')] }, [bind('u1', A, 0), bind('u2', A, 0, 'failed', 'PHONE_ALREADY_BOUND')])
  expect(r).toMatchObject({ ok: true, lost: 0, duplicated: 0, acknowledged: 1, boundUsers: 1 })
})

test('reports a number held by two users', () => {
  const r = checkInvariants({ users: [user('u1', A), user('u2', A)], phone_index: [idx(A, 'u1')] }, [])
  expect(r.duplicated).toBe(1)
  expect(r.unindexedPhones).toBe(1) // u2's number is indexed to u1
  expect(r.ok).toBe(false)
})

test('reports an index entry whose user holds another number or none', () => {
  const r = checkInvariants({ users: [user('u1', B)], phone_index: [idx(A, 'u1'), idx(B, 'u1')] }, [])
  expect(r.danglingIndex).toBe(1)
  expect(r.violations.join('\n')).not.toContain('19900000001') // masked
})

test('reports an acknowledged binding that is missing, and an acknowledged unbind that was not', () => {
  const r = checkInvariants({ users: [user('u1'), user('u2', B)], phone_index: [idx(B, 'u2')] }, [bind('u1', A, 0), bind('u2', B, 0), unbind('u2', 1)])
  expect(r.lost).toBe(2)
})

test('a later acknowledged operation supersedes an earlier one; an unknown outcome may or may not have happened', () => {
  const db = { users: [user('u1', B)], phone_index: [idx(B, 'u1')] }
  expect(checkInvariants(db, [bind('u1', A, 0), bind('u1', B, 1)]).lost).toBe(0)
  expect(checkInvariants(db, [bind('u1', A, 0), bind('u1', B, 1, 'unknown')]).lost).toBe(0)
  // A failed result promises nothing changed.
  expect(checkInvariants(db, [bind('u1', A, 0), bind('u1', B, 1, 'failed', 'WECHAT_BUSY')]).lost).toBe(1)
})

test('reports failures without a catalog code', () => {
  const r = checkInvariants({ users: [], phone_index: [] }, [bind('u1', A, 0, 'failed', 'SOMETHING_ELSE')])
  expect(r.uncodedFailures).toBe(1)
})

test('under the transfer policy an acknowledged bind may since have been taken by another account', () => {
  const db = { users: [user('u1'), user('u2', A)], phone_index: [idx(A, 'u2')] }
  const ops = [bind('u1', A, 0), bind('u2', A, 0)]
  expect(checkInvariants(db, ops).lost).toBe(1)
  expect(checkInvariants(db, ops, { policy: 'transfer' })).toMatchObject({ ok: true, lost: 0 })
})

describe('checkTrail', () => {
  const PA = '199****0001'
  const PB = '199****0002'
  const vuser = (openid: string, masked: string | null, phoneVersion: number) => ({ _id: openid, openid, phone: masked ? { masked } : null, phoneVersion })
  const trail = [
    { type: 'bind', openid: 'u1', masked: PA, phoneVersion: 1, at: '2026-01-01T00:00:02Z' },
    { type: 'transfer', openid: 'u2', otherOpenid: 'u1', masked: PA, phoneVersion: 1, otherPhoneVersion: 2, at: '2026-01-01T00:00:01Z' },
    { type: 'conflict', openid: 'u3', otherOpenid: 'u2', masked: PA, phoneVersion: 0, otherPhoneVersion: 1, at: '2026-01-01T00:00:00Z' },
  ]
  const db = { users: [vuser('u1', null, 2), vuser('u2', PA, 1)], phone_index: [{ ...idx(A, 'u2'), phoneVersion: 1 }] }

  test('a trail that replays, by version, to the database passes in any storage order', () => {
    expect(checkTrail({ ...db, phone_events: trail })).toMatchObject({ ok: true, violations: [], events: 3 })
    expect(checkTrail({ ...db, phone_events: [...trail].reverse() })).toMatchObject({ ok: true, violations: [] })
  })

  test('reports a database the trail does not explain, an index entry with a stale owner version, and unversioned events', () => {
    const r = checkTrail({ users: [vuser('u1', PB, 2), vuser('u2', PA, 1)], phone_index: [{ ...idx(A, 'u2'), phoneVersion: 3 }], phone_events: trail })
    expect(r).toMatchObject({ ok: false, mismatched: 1, staleIndexVersions: 1 })
    expect(r.violations.join('\n')).not.toContain('19900000001')
    expect(checkTrail({ ...db, phone_events: [{ type: 'bind', openid: 'u1', masked: PA }] })).toMatchObject({ ok: false, unversioned: 1 })
  })
})
