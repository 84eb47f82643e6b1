/**
 * @module emulator/store/query — mingo evaluation over the store's documents.
 *
 * A filter that pins `_id` to one value is answered from the id map (no collection scan);
 * everything else is a mingo scan in insertion order, as a small emulator can afford.
 */
import { find } from 'mingo'
import { BSONRegExp, EJSON } from 'bson'
import { newQuery } from './operators'
import { idKey, type Entry } from './state'
import type { Doc, FindOptions, UpdateSpec } from './types'

// The package entry wraps every update in a copy of mingo's whole operator table (~0.3 ms per
// call); the updater entry builds only the operators updates need (~3x faster). Its types live
// under mingo/types because this project resolves modules without package "exports".
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { update: mingoUpdate } = require('mingo/updater') as typeof import('mingo/types/updater')

/** A plain object from any realm (jest's sandbox, structuredClone) or with a null prototype. */
export function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false
  const proto = Object.getPrototypeOf(v)
  return proto === null || Object.getPrototypeOf(proto) === null
}

/** Deep copy that keeps Dates and BSON value objects (which are never mutated in place). */
export function cloneValue<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(cloneValue) as T
  if (v instanceof Date) return new Date(v.getTime()) as T
  if (!isPlain(v)) return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = cloneValue(x)
  return out as T
}

/** The document with `_id` set and first, as Mongo stores it. */
export function withId(id: unknown, doc: Doc): Doc {
  const out: Doc = { _id: id }
  for (const k of Object.keys(doc)) if (k !== '_id') out[k] = doc[k]
  return out
}

/** Structural equality: Dates by time, BSON values by their canonical EJSON. */
export function isEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Number.isNaN(a) && Number.isNaN(b)
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((x, i) => isEqual(x, b[i]))
  }
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime()
  if (!isPlain(a) || !isPlain(b)) {
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
    return EJSON.stringify(a as object, { relaxed: false }) === EJSON.stringify(b as object, { relaxed: false })
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && isEqual((a as never)[k], (b as never)[k]))
}

/** BSON regular expressions become JS RegExps so mingo can evaluate them. */
export function toJsValues(v: unknown): unknown {
  if (v instanceof BSONRegExp) return new RegExp(v.pattern, v.options.replace(/[^gimsuy]/g, ''))
  if (v === null || typeof v !== 'object' || v instanceof Date) return v
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = toJsValues(v[i])
    return v
  }
  if (!isPlain(v)) return v
  const o = v
  for (const k of Object.keys(o)) o[k] = toJsValues(o[k])
  return o
}

/** The single `_id` a filter pins, if it pins exactly one by equality. */
export function pinnedId(filter: Record<string, unknown>): { id: unknown } | undefined {
  if (!Object.prototype.hasOwnProperty.call(filter, '_id')) return undefined
  const v = filter._id
  if (typeof v === 'string' || typeof v === 'number') return { id: v }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v)
    const eq = (v as Record<string, unknown>).$eq
    if (keys.length === 1 && (typeof eq === 'string' || typeof eq === 'number')) return { id: eq }
  }
  return undefined
}

/**
 * A test for one document. A filter that is only `{_id}` skips mingo: each mingo Query copies
 * its whole operator table, and document reads by id are the hot path of every bind.
 */
export function matcher(filter: Record<string, unknown>): (doc: Doc) => boolean {
  const pinned = pinnedId(filter)
  if (pinned && Object.keys(filter).length === 1) return () => true
  // The emulator's operator set (./operators): mingo's, with MongoDB's $elemMatch, geo and $jsonSchema.
  const query = newQuery(filter)
  return (doc) => query.test(doc)
}

/** Entries matching a filter, in insertion order. */
export function matchEntries(coll: Map<string, Entry> | undefined, filter: Record<string, unknown>, max = Infinity): Entry[] {
  if (!coll || max <= 0) return []
  const pinned = pinnedId(filter)
  const test = matcher(filter)
  if (pinned) {
    const e = coll.get(idKey(pinned.id))
    return e && test(e.doc) ? [e] : []
  }
  const out: Entry[] = []
  for (const e of coll.values()) {
    if (test(e.doc)) {
      out.push(e)
      if (out.length >= max) break
    }
  }
  return out
}

export { runPipeline } from './operators'

/** Sort, skip, limit and project already-matched documents; results are copies. */
export function shape(docs: Doc[], opts: FindOptions = {}): Doc[] {
  const hasSort = opts.sort && Object.keys(opts.sort).length > 0
  const hasProj = opts.projection && Object.keys(opts.projection).length > 0
  if (!hasSort && !hasProj) {
    const start = opts.skip ?? 0
    const end = opts.limit === undefined ? undefined : start + opts.limit
    return docs.slice(start, end).map(cloneValue)
  }
  let cursor = find(docs, {}, hasProj ? opts.projection : undefined)
  if (hasSort) cursor = cursor.sort(opts.sort as Record<string, 1 | -1>)
  if (opts.skip) cursor = cursor.skip(opts.skip)
  if (opts.limit !== undefined) cursor = cursor.limit(opts.limit)
  return (cursor.all() as Doc[]).map(cloneValue)
}

/** Applies an update to a copy of `doc`; `modified` follows Mongo's nModified. */
export function applyUpdate(doc: Doc, spec: UpdateSpec): { doc: Doc; modified: boolean } {
  if ('replacement' in spec) {
    const next: Doc = { _id: doc._id, ...cloneValue(spec.replacement) }
    next._id = doc._id
    return { doc: next, modified: !isEqual(next, doc) }
  }
  const fast = setOnly(doc, spec.modifier)
  if (fast) return fast
  const next = cloneValue(doc)
  const changed = mingoUpdate(next, spec.modifier as never, undefined, undefined, { cloneMode: 'deep' })
  if (next._id !== doc._id && !isEqual(next._id, doc._id)) throw new Error("the update would change the document's _id")
  return { doc: next, modified: changed.length > 0 }
}

const unusualSegment = (s: string) => s === '' || /^\d+$/.test(s) || s.startsWith('$') || s === '__proto__' || s === 'constructor' || s === 'prototype'

/**
 * `{$set: {...}}` over plain-object paths — nearly every write a bind makes — without mingo.
 * Anything touching arrays or numeric path segments returns undefined and goes to mingo.
 */
function setOnly(doc: Doc, modifier: Record<string, unknown>): { doc: Doc; modified: boolean } | undefined {
  const keys = Object.keys(modifier)
  if (keys.length !== 1 || keys[0] !== '$set' || !isPlain(modifier.$set)) return undefined
  const entries = Object.entries(modifier.$set)
  const paths = entries.map(([p]) => p.split('.'))
  if (paths.some((segs) => segs.some(unusualSegment) || segs[0] === '_id')) return undefined
  const next = cloneValue(doc)
  let modified = false
  for (let i = 0; i < entries.length; i++) {
    const segs = paths[i]
    let target: Record<string, unknown> = next
    for (const seg of segs.slice(0, -1)) {
      const child = target[seg]
      if (child === undefined) target = target[seg] = {}
      else if (isPlain(child)) target = child
      else return undefined
    }
    const last = segs[segs.length - 1]
    const value = entries[i][1]
    if (!Object.prototype.hasOwnProperty.call(target, last) || !isEqual(target[last], value)) {
      target[last] = cloneValue(value)
      modified = true
    }
  }
  return { doc: next, modified }
}

/** The document an upsert starts from: the filter's top-level equality fields (Mongo semantics). */
export function upsertBase(filter: Record<string, unknown>): Doc {
  const base: Doc = {}
  for (const [k, v] of Object.entries(filter)) {
    if (k.startsWith('$') || k.includes('.')) continue
    if (v && typeof v === 'object' && !(v instanceof Date) && !Array.isArray(v)) {
      const ops = Object.keys(v)
      if (ops.length === 1 && ops[0] === '$eq') base[k] = cloneValue((v as Record<string, unknown>).$eq)
      else if (ops.some((o) => o.startsWith('$'))) continue
      else base[k] = cloneValue(v)
    } else base[k] = cloneValue(v)
  }
  return base
}

/** Longest regular expression source accepted in a query (the check below is linear in it). */
export const MAX_REGEX_LENGTH = 1024
/** Most variable-length repeats (`*`, `+`, `{n,}`, `{n,m}` with m > 1) in one regular expression. */
export const MAX_REGEX_REPEATS = 25

/** `*`, `+`, `{n}`, `{n,}` or `{n,m}` at `i`: its bounds and length, if there is one. */
function quantifierAt(source: string, i: number): { min: number; max: number; length: number } | undefined {
  const c = source[i]
  if (c === '*') return { min: 0, max: Infinity, length: 1 }
  if (c === '+') return { min: 1, max: Infinity, length: 1 }
  if (c !== '{') return undefined
  const m = /^\{(\d{1,9})(,(\d{0,9}))?\}/.exec(source.slice(i, i + 24))
  if (!m) return undefined // a literal "{"
  const min = Number(m[1])
  const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3])
  return { min, max, length: m[0].length }
}

/**
 * Why a regular expression is refused, or undefined if it is accepted.
 *
 * JavaScript cannot interrupt a backtracking match, so `^(a+)+$` over 25 characters held the event
 * loop for a second and doubled with each character (red-team F12). MongoDB, CloudBase's database,
 * runs PCRE with a match limit, so there such a query fails rather than hangs; what CloudBase
 * answers then is not documented. The emulator refuses the usual cause up front, in one linear
 * pass: a group repeated more than once that contains a variable-length repeat (star height above
 * 1, the rule of safe-regex), plus bounds on length and on the number of repeats. It is a
 * heuristic (overlapping alternatives such as `(a|a)*` still pass), chosen over a new dependency.
 */
export function regexRefusal(source: string): string | undefined {
  if (source.length > MAX_REGEX_LENGTH) return `longer than ${MAX_REGEX_LENGTH} characters`
  // One frame per open group: whether it contains a variable-length repeat, at any depth.
  const groups: boolean[] = [false]
  let repeats = 0
  let closedVariable = false // the group that just closed (a quantifier may follow) had one
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    const afterGroup = closedVariable
    closedVariable = false
    if (c === '\\') {
      i++
    } else if (c === '[') {
      // A character class: skip to its first unescaped "]". JavaScript runs the pattern, and in
      // JavaScript "[]" is an empty class and "[^]" any character (in PCRE the "]" would be literal).
      i += source[i + 1] === '^' ? 2 : 1
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1
    } else if (c === '(') {
      groups.push(false)
    } else if (c === ')') {
      closedVariable = groups.length > 1 ? groups.pop()! : false
      if (closedVariable) groups[groups.length - 1] = true
    } else {
      const q = quantifierAt(source, i)
      if (!q) continue
      i += q.length - 1
      if (afterGroup && q.max > 1) return 'a repeated group contains a repeat (nested quantifier), which can backtrack exponentially'
      if (q.max > 1 && q.max > q.min) {
        if (++repeats > MAX_REGEX_REPEATS) return `more than ${MAX_REGEX_REPEATS} variable-length repeats`
        groups[groups.length - 1] = true
      }
    }
  }
  return undefined
}
