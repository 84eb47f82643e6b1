import fc from 'fast-check'
import { Query } from 'mingo'
import { applyUpdate, cloneValue, isEqual, matcher, matchEntries, MAX_REGEX_LENGTH, regexRefusal, runPipeline } from './query'
import type { Entry } from './state'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { update: mingoUpdate } = require('mingo/updater') as typeof import('mingo/types/updater')

const key = fc.constantFrom('a', 'b', 'c', 'n')
const scalar = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('x', 'y', null, true), fc.date({ min: new Date(0), max: new Date(1e12), noInvalidDate: true }))
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 2 }), fc.dictionary(key, tie('v'), { maxKeys: 2, noNullPrototype: true })),
})).v
const doc = fc.dictionary(key, value, { maxKeys: 4, noNullPrototype: true }).map((d) => ({ ...d, _id: 'id' }))
const path = fc.array(key, { minLength: 1, maxLength: 3 }).map((p) => p.join('.'))

describe('store evaluation', () => {
  it('applies $set exactly as mingo does, including the modified flag', () => {
    fc.assert(
      fc.property(doc, fc.dictionary(path, value, { minKeys: 1, maxKeys: 3, noNullPrototype: true }), (d, set) => {
        // Overlapping paths ("a" and "a.b") are a Mongo error; keep the generated ones disjoint.
        const paths = Object.keys(set)
        fc.pre(!paths.some((p) => paths.some((q) => q !== p && q.startsWith(p + '.'))))
        const expected = cloneValue(d)
        let expectedChanged: boolean
        try {
          expectedChanged = mingoUpdate(expected, { $set: set } as never, undefined, undefined, { cloneMode: 'deep' }).length > 0
        } catch {
          return // mingo refuses (e.g. a path through a scalar); nothing to compare
        }
        const got = applyUpdate(d, { modifier: { $set: set } })
        expect(got.modified).toBe(expectedChanged)
        expect(isEqual(got.doc, expected)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('answers equality queries like a naive filter, with or without an _id', () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(key, scalar, { maxKeys: 3, noNullPrototype: true }), { maxLength: 8 }), key, scalar, fc.boolean(), (docs, k, v, byId) => {
        const coll = new Map<string, Entry>(docs.map((d, i) => [`d${i}`, { doc: { ...d, _id: `d${i}` } }]))
        const filter: Record<string, unknown> = byId ? { _id: 'd0', [k]: v } : { [k]: v }
        const naive = [...coll.values()].filter((e) => (!byId || e.doc._id === 'd0') && isEqual(e.doc[k] ?? null, v))
        // Mongo: {k: null} also matches a missing field.
        expect(matchEntries(coll, filter).map((e) => e.doc._id)).toEqual(naive.map((e) => e.doc._id))
        expect(matchEntries(coll, filter).length).toBe([...coll.values()].filter((e) => new Query(filter).test(e.doc)).length)
      }),
      { numRuns: 300 },
    )
  })
})

describe('regexRefusal (the bound on query regexes, red-team F12)', () => {
  it('refuses nested quantifiers, which backtrack exponentially', () => {
    for (const p of ['^(a+)+$', '(a*)*', '((a+))+', '(?:ab+c)*', '(a+){2}', '^(\\w+\\s?)*$', '(x+x+)+y', '(.*a){12}', '(a{1,3})+', '(a+?)+', '[](a+)+', '[]|(a+)+$', '[^](a+)+']) {
      expect([p, regexRefusal(p)]).toEqual([p, expect.stringMatching(/nested quantifier/)])
    }
  })

  it('accepts ordinary patterns, including repeated groups of fixed width', () => {
    for (const p of ['^S[12]$', '^\\d+(\\.\\d+)?$', '(\\d{3}-)+', '[(a+)]+', '\\(a+\\)+', '(foo|bar)+', 'a{2,}', '([a-z]+)@', '^1[3-9]\\d{9}$', '[\\]a+]+', 'x{', '(a?)+']) {
      expect([p, regexRefusal(p)]).toEqual([p, undefined])
    }
  })

  it('bounds the length and the number of repeats, so the check and the match stay small', () => {
    expect(regexRefusal('a'.repeat(MAX_REGEX_LENGTH + 1))).toMatch(/longer than/)
    expect(regexRefusal('a*'.repeat(26))).toMatch(/more than 25/)
    expect(regexRefusal('a*'.repeat(25))).toBeUndefined()
  })
})

describe('the operator set the store evaluates with (./operators.ts)', () => {
  it('mingo 7.2.7 alone matches an object-form $elemMatch against arrays of plain values (the upstream bug)', () => {
    // If this starts failing, mingo fixed it: the $elemMatch override in ./operators.ts can go.
    expect(new Query({ arr: { $elemMatch: { value: { $gt: 0 } } } }).test({ arr: [1, 2] })).toBe(true)
    expect(new Query({ arr: { $elemMatch: { value: 1 } } }).test({ arr: [1] })).toBe(true)
  })

  it('the store matches an object-form $elemMatch against embedded documents (and arrays) only, as MongoDB does', () => {
    const m = (filter: Record<string, unknown>, doc: Record<string, unknown>) => matcher(filter)(doc)
    expect(m({ arr: { $elemMatch: { value: { $gt: 0 } } } }, { arr: [1, 2] })).toBe(false)
    expect(m({ arr: { $elemMatch: { value: { $exists: true } } } }, { arr: ['a', 'b'] })).toBe(false)
    expect(m({ arr: { $elemMatch: { value: 1 } } }, { arr: [1] })).toBe(false)
    expect(m({ arr: { $elemMatch: { value: { $gt: 0 } } } }, { arr: [3, { value: 1 }] })).toBe(true)
    expect(m({ arr: { $elemMatch: { $or: [{ value: 1 }, { value: 2 }] } } }, { arr: [1, 2] })).toBe(false)
    expect(m({ arr: { $elemMatch: { $or: [{ value: 1 }, { value: 2 }] } } }, { arr: [{ value: 2 }] })).toBe(true)
    // The value form is mingo's own and was right: it still matches plain values.
    expect(m({ arr: { $elemMatch: { $gt: 1, $lt: 3 } } }, { arr: [1, 2] })).toBe(true)
    expect(m({ 'a.b': { $elemMatch: { v: 1 } } }, { a: { b: [{ v: 1 }] } })).toBe(true)
    // $all with $elemMatch items (MongoDB: the $and of the $elemMatch queries) is fixed the same way.
    expect(new Query({ arr: { $all: [{ $elemMatch: { value: { $gt: 0 } } }] } }).test({ arr: [1, 2] })).toBe(true) // mingo alone
    expect(m({ arr: { $all: [{ $elemMatch: { value: { $gt: 0 } } }] } }, { arr: [1, 2] })).toBe(false)
    expect(m({ arr: { $all: [{ $elemMatch: { value: { $gt: 0 } } }, { $elemMatch: { n: 'x' } }] } }, { arr: [{ value: 1 }, { n: 'x' }] })).toBe(true)
    expect(m({ arr: { $all: [{ $elemMatch: { value: { $gt: 0 } } }, { $elemMatch: { n: 'y' } }] } }, { arr: [{ value: 1 }, { n: 'x' }] })).toBe(false)
    expect(m({ tags: { $all: ['Go', 'C#'] } }, { tags: ['Go', 'C#', 'x'] })).toBe(true)
  })

  it('$week is MongoDB\'s: weeks start on Sunday, days before the first Sunday are week 0', () => {
    const DAY = 86_400_000
    const reference = (t: number) => {
      const d = new Date(t)
      const jan1 = Date.UTC(d.getUTCFullYear(), 0, 1)
      const firstSunday = jan1 + ((7 - new Date(jan1).getUTCDay()) % 7) * DAY
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
      return day < firstSunday ? 0 : Math.floor((day - firstSunday) / (7 * DAY)) + 1
    }
    fc.assert(
      fc.property(fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        const [out] = runPipeline([{ date }], [{ $project: { w: { $week: '$date' } } }], () => [])
        expect(out.w).toBe(reference(date.getTime()))
      }),
      { numRuns: 500 },
    )
  })

  it('$indexOfCP counts code points and honours start and end; $substrBytes with a negative length takes the rest', () => {
    const run = (expr: unknown) => runPipeline([{ s: '𝒳心谭abca' }], [{ $project: { _id: 0, v: expr } }], () => [])[0].v
    expect(run({ $indexOfCP: ['$s', 'a'] })).toBe(3)
    expect(run({ $indexOfCP: ['$s', 'a', 4] })).toBe(6)
    expect(run({ $indexOfCP: ['$s', 'a', 4, 6] })).toBe(-1)
    expect(run({ $indexOfCP: ['$missing', 'a'] })).toBeNull()
    expect(run({ $substrBytes: ['$s', 4, -1] })).toBe('心谭abca')
    expect(run({ $substr: ['$s', 10, -5] })).toBe('abca')
    expect(run({ $substrBytes: ['$s', 10, 2] })).toBe('ab')
  })
})
