import { replayTrail, type TrailEvent } from './auditTrail'

const P = '139****0001'
const Q = '139****0002'
const ev = (e: Partial<TrailEvent> & Pick<TrailEvent, 'type' | 'openid'>): TrailEvent => ({ masked: P, ...e })

describe('replayTrail', () => {
  it('orders each user by phoneVersion, whatever order the events are stored or timed in', () => {
    const trail = [
      ev({ type: 'transfer', openid: 'y', otherOpenid: 'x', masked: P, phoneVersion: 1, otherPhoneVersion: 3, at: '2026-01-01T00:00:00.001Z' }),
      ev({ type: 'rebind', openid: 'x', masked: P, previousMasked: Q, phoneVersion: 2, at: '2026-01-01T00:00:00.009Z' }),
      ev({ type: 'bind', openid: 'x', masked: Q, phoneVersion: 1, at: '2026-01-01T00:00:00.005Z' }),
    ]
    // x: bind Q (1), rebind Q→P (2), P taken by y (3) — stored newest first, `at` out of order.
    const r = replayTrail(trail)
    expect(r.violations).toEqual([])
    expect(r.users.get('x')).toEqual({ masked: null, phoneVersion: 3 })
    expect(r.users.get('y')).toEqual({ masked: P, phoneVersion: 1 })
  })

  it('reports a transfer whose previous owner, per its own history, held nothing (the F7 impossible history)', () => {
    const r = replayTrail([
      ev({ type: 'bind', openid: 'x', phoneVersion: 1 }),
      ev({ type: 'unbind', openid: 'x', phoneVersion: 2 }),
      ev({ type: 'transfer', openid: 'y', otherOpenid: 'x', phoneVersion: 1, otherPhoneVersion: 3 }),
    ])
    expect(r.violations).toEqual([expect.stringContaining('x: 139****0001 taken by y at version 3, but it held nothing')])
  })

  it('reports a gap or a repeated version: an event is missing or duplicated', () => {
    expect(replayTrail([ev({ type: 'bind', openid: 'x', phoneVersion: 1 }), ev({ type: 'unbind', openid: 'x', phoneVersion: 3 })]).violations).toEqual([
      expect.stringContaining('has version 3, expected 2'),
    ])
    expect(replayTrail([ev({ type: 'bind', openid: 'x', phoneVersion: 1 }), ev({ type: 'bind', openid: 'x', phoneVersion: 1 })]).violations).toHaveLength(1)
  })

  it('checks a conflict as an observation: the owner held the number at the version the claim saw', () => {
    const base = [ev({ type: 'bind', openid: 'x', phoneVersion: 1 }), ev({ type: 'unbind', openid: 'x', phoneVersion: 2 })]
    const good = replayTrail([...base, ev({ type: 'conflict', openid: 'z', otherOpenid: 'x', phoneVersion: 0, otherPhoneVersion: 1 })])
    expect(good.violations).toEqual([])
    expect(good.users.get('x')).toEqual({ masked: null, phoneVersion: 2 })
    expect(good.users.get('z')).toEqual({ masked: null, phoneVersion: 0 })
    const bad = replayTrail([...base, ev({ type: 'conflict', openid: 'z', otherOpenid: 'x', phoneVersion: 0, otherPhoneVersion: 2 })])
    expect(bad.violations).toEqual([expect.stringContaining('z refused 139****0001 at version 2, but it held nothing')])
  })

  it('counts events written before versions existed and does not replay them', () => {
    const r = replayTrail([ev({ type: 'bind', openid: 'x' })])
    expect(r).toMatchObject({ unversioned: 1, violations: [] })
    expect(r.users.size).toBe(0)
  })
})
