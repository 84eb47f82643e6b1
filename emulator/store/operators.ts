/**
 * @module emulator/store/operators — the operator set the store evaluates with: all of mingo
 * 7.2.7's, with fixes where mingo differs from MongoDB (CloudBase's database) and the operators
 * mingo lacks (geo: ./geo.ts; `$jsonSchema`: ./jsonSchema.ts).
 *
 * One context is built once: mingo copies a context per Query, so a merged context per call
 * would cost a second copy on every read.
 */
import { Context } from 'mingo'
import type { Options } from 'mingo/types/types'
import { geoNearStage, geoQueryOperators } from './geo'
import { jsonSchemaValidator } from './jsonSchema'

/* eslint-disable @typescript-eslint/no-require-imports -- the subpath entries ("exports") exist
   at run time; this project resolves types without "exports", hence mingo/types/... */
const accumulator = require('mingo/operators/accumulator') as typeof import('mingo/types/operators/accumulator')
const expression = require('mingo/operators/expression') as typeof import('mingo/types/operators/expression')
const pipeline = require('mingo/operators/pipeline') as typeof import('mingo/types/operators/pipeline')
const projection = require('mingo/operators/projection') as typeof import('mingo/types/operators/projection')
const query = require('mingo/operators/query') as typeof import('mingo/types/operators/query')
const window = require('mingo/operators/window') as typeof import('mingo/types/operators/window')
const { Query: QueryBase } = require('mingo/query') as typeof import('mingo/types/query')
const { Aggregator: AggregatorBase } = require('mingo/aggregator') as typeof import('mingo/types/aggregator')
const { evalExpr } = require('mingo/core') as typeof import('mingo/types/core')
const { resolve } = require('mingo/util') as typeof import('mingo/types/util')
/* eslint-enable @typescript-eslint/no-require-imports */

type Doc = Record<string, unknown>
type QueryOp = (selector: string, value: unknown, options: Options) => (doc: Doc) => boolean
type ExprOp = (obj: unknown, expr: unknown, options: Options) => unknown

const isOperatorKey = (k: string) => k.startsWith('$')
/** What MongoDB lets an object-form `$elemMatch` look inside: embedded documents and arrays. */
const isDocLike = (v: unknown) =>
  v !== null && typeof v === 'object' && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)

/**
 * mingo 7.2.7's `$elemMatch` runs a field query (`{value: {$gt: 0}}`) against every element,
 * and on a plain value (`1`, `'Go'`) the field resolves to the value itself, so `[1, 2]`
 * matches. MongoDB's object form (`ElemMatchObjectMatchExpression`) skips elements that are not
 * documents or arrays; the value form (`{$gt: 0}`) is mingo's and correct, so it is kept.
 * Same fix as upstream's `elemMatchPredicate` would need: test the element kind first.
 */
const $elemMatch: QueryOp = (selector, criteria, options) => {
  const keys = Object.keys((criteria ?? {}) as object)
  const valueForm = keys.length > 0 && keys.every((k) => isOperatorKey(k) && k !== '$and' && k !== '$or' && k !== '$nor')
  if (valueForm) return (query.$elemMatch as unknown as QueryOp)(selector, criteria, options)
  const q = new QueryBase(criteria as Doc, options)
  return (doc) => {
    const lhs = resolve(doc as never, selector, { unwrapArray: true })
    return Array.isArray(lhs) && lhs.some((el) => isDocLike(el) && q.test(el as Doc))
  }
}

/**
 * `{field: {$all: [{$elemMatch: …}, …]}}` is `$and` of one `$elemMatch` per item (MongoDB manual,
 * $all "Use $all with $elemMatch"); mingo evaluates those items with the same faulty predicate,
 * so each goes through the `$elemMatch` above and the other items through mingo's own `$all`.
 */
const $all: QueryOp = (selector, items, options) => {
  const isElem = (x: unknown) => x !== null && typeof x === 'object' && Object.keys(x as object)[0] === '$elemMatch'
  if (!Array.isArray(items) || !items.some(isElem)) return (query.$all as unknown as QueryOp)(selector, items, options)
  const tests = items.map((x) =>
    isElem(x) ? $elemMatch(selector, (x as { $elemMatch: unknown }).$elemMatch, options) : (query.$all as unknown as QueryOp)(selector, [x], options),
  )
  return (doc) => tests.every((t) => t(doc))
}

/**
 * `$substr` / `$substrBytes` with a negative length return the rest of the string on CloudBase
 * (Tencent's node-sdk test/database/unit/command.test.ts "字符串操作符": `substr(['$birthday', 8,
 * -1])` is `'12'`) as in MongoDB ("a negative length means take the rest of the string");
 * mingo refuses it. The rest is computed here and mingo does the byte-exact slicing.
 */
const substrRest: ExprOp = (obj, expr, options) => {
  if (!Array.isArray(expr) || expr.length !== 3) return (expression.$substrBytes as unknown as ExprOp)(obj, expr, options)
  const [s, start, count] = evalExpr(obj, expr, options) as [unknown, unknown, unknown]
  const rest = typeof count === 'number' && count < 0 && typeof s === 'string' && typeof start === 'number'
  const n = rest ? Math.max(0, Buffer.byteLength(s) - start) : count
  return (expression.$substrBytes as unknown as ExprOp)(obj, [{ $literal: s }, { $literal: start }, { $literal: n }], options)
}

/**
 * `$indexOfCP` (missing from mingo 7.2.7): MongoDB's definition, in code points —
 * `[string, substring, start?, end?]`, null for a null/missing string, -1 when not found.
 * Expected by Tencent's node-sdk command.test.ts "indexOfCP".
 */
const $indexOfCP: ExprOp = (obj, expr, options) => {
  if (!Array.isArray(expr) || expr.length < 2 || expr.length > 4) throw new Error('$indexOfCP expects 2 to 4 arguments')
  const [s, sub, start = 0, end] = evalExpr(obj, expr, options) as unknown[]
  if (s === null || s === undefined) return null
  if (typeof s !== 'string') throw new Error('$indexOfCP requires a string as the first argument')
  if (typeof sub !== 'string') throw new Error('$indexOfCP requires a string as the second argument')
  const cps = Array.from(s)
  const to = end === undefined ? cps.length : end
  if (!Number.isInteger(start) || (start as number) < 0 || !Number.isInteger(to) || (to as number) < 0) {
    throw new Error('$indexOfCP start and end must be non-negative integers')
  }
  const needle = Array.from(sub)
  const last = Math.min(to as number, cps.length) - needle.length
  for (let i = start as number; i <= last; i++) {
    if (needle.every((c, j) => cps[i + j] === c)) return i
  }
  return -1
}

/**
 * `$week`: MongoDB numbers weeks from 0 with weeks starting on Sunday; days before the year's
 * first Sunday are week 0 (strftime `%U`). mingo 7.2.7 derives it from the ISO week and is one
 * too high on most dates (2019-05-14: 20; MongoDB and CloudBase: 19, Tencent's node-sdk
 * aggregation.test.ts "Date的各种操作符"). %U = floor((dayOfYear - dayOfWeek + 7) / 7) with
 * MongoDB's 1-based $dayOfYear and Sunday=1 $dayOfWeek, reusing mingo's date/timezone parsing.
 */
const $week: ExprOp = (obj, expr, options) => {
  const doy = (expression.$dayOfYear as unknown as ExprOp)(obj, expr, options)
  const dow = (expression.$dayOfWeek as unknown as ExprOp)(obj, expr, options)
  if (typeof doy !== 'number' || typeof dow !== 'number') return null
  return Math.floor((doy - dow + 7) / 7)
}

const CONTEXT = Context.init({
  accumulator,
  expression: { ...expression, $substr: substrRest, $substrBytes: substrRest, $indexOfCP, $week },
  pipeline: { ...pipeline, $geoNear: geoNearStage },
  projection,
  query: { ...query, $elemMatch, $all, ...geoQueryOperators },
  window,
} as never)

/** The options every evaluation uses: the context above and the `$jsonSchema` validator. */
export const EVAL_OPTIONS: Partial<Options> = { context: CONTEXT, jsonSchemaValidator }

/** A mingo Query over the emulator's operator set. */
export function newQuery(filter: Doc): { test(doc: Doc): boolean } {
  return new QueryBase(filter, EVAL_OPTIONS)
}

/** Runs an aggregation pipeline; `$lookup` and friends resolve other collections by name. */
export function runPipeline(docs: Doc[], stages: Doc[], collectionResolver: (name: string) => Doc[]): Doc[] {
  stages.forEach((s, i) => {
    // MongoDB: "$geoNear is only valid as the first stage in a pipeline".
    if (i > 0 && Object.prototype.hasOwnProperty.call(s, '$geoNear')) throw new Error('$geoNear is only valid as the first stage in a pipeline')
  })
  return new AggregatorBase(stages, { ...EVAL_OPTIONS, collectionResolver }).run(docs) as Doc[]
}
