/**
 * @module emulator/store/jsonSchema — `$jsonSchema` in queries (`_.jsonSchema(...)`), with ajv.
 *
 * MongoDB's dialect is JSON Schema draft 4 plus `bsonType`, without `$ref`, `$schema`,
 * `default`, `definitions`, `format` and `id` (MongoDB manual, $jsonSchema "Omissions"); those
 * six are refused here as MongoDB refuses them. Expected results: Tencent's node-sdk
 * test/database/unit/advanced-operator.test.ts "jsonSchema" (`required`, and inside `_.nor`).
 *
 * `bsonType` names supported, over the values the emulator stores (EJSON decoded to JS):
 * string, object, array, bool, date, null, regex, objectId, binData, decimal, timestamp,
 * javascript, minKey, maxKey, undefined, and the numbers: `int` (an integer in int32 range),
 * `long` (any other integer), `double` (a number with a fraction), `number` (any number or decimal).
 * The int/long/double split is a guess at what the SDK's canonical EJSON makes of a JS number
 * (the decoder keeps only the number): MongoDB itself tells them apart by stored type.
 * Also differs: JSON `type: "object"` accepts a Date or ObjectId here (ajv sees JS objects).
 */
import Ajv from 'ajv-draft-04'
import type { ValidateFunction } from 'ajv-draft-04'

const INT32 = 2 ** 31
const bsonTag = (v: unknown) => (v !== null && typeof v === 'object' ? (v as { _bsontype?: unknown })._bsontype : undefined)
const isPlainObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)
const isInt32 = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= -INT32 && v < INT32

const BSON_TYPES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  object: isPlainObject,
  array: Array.isArray,
  bool: (v) => typeof v === 'boolean',
  date: (v) => v instanceof Date,
  null: (v) => v === null,
  regex: (v) => v instanceof RegExp || bsonTag(v) === 'BSONRegExp',
  objectId: (v) => bsonTag(v) === 'ObjectId',
  binData: (v) => bsonTag(v) === 'Binary',
  decimal: (v) => bsonTag(v) === 'Decimal128',
  timestamp: (v) => bsonTag(v) === 'Timestamp',
  javascript: (v) => bsonTag(v) === 'Code',
  minKey: (v) => bsonTag(v) === 'MinKey',
  maxKey: (v) => bsonTag(v) === 'MaxKey',
  undefined: (v) => v === undefined,
  int: isInt32,
  long: (v) => (typeof v === 'number' && Number.isInteger(v) && !isInt32(v)) || bsonTag(v) === 'Long',
  double: (v) => typeof v === 'number' && !Number.isInteger(v),
  number: (v) => typeof v === 'number' || bsonTag(v) === 'Decimal128' || bsonTag(v) === 'Long',
}

const OMITTED = ['$ref', '$schema', 'default', 'definitions', 'format', 'id']

const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: true })
ajv.addKeyword({
  keyword: 'bsonType',
  schemaType: ['string', 'array'],
  errors: false,
  compile(schema: string | string[]) {
    const names = Array.isArray(schema) ? schema : [schema]
    const tests = names.map((n) => {
      const t = Object.prototype.hasOwnProperty.call(BSON_TYPES, n) ? BSON_TYPES[n] : undefined
      if (!t) throw new Error(`$jsonSchema: unknown bsonType ${JSON.stringify(n)}`)
      return t
    })
    return (data: unknown) => tests.some((t) => t(data))
  },
})

function refuseOmitted(schema: unknown, path = '$jsonSchema'): void {
  if (Array.isArray(schema)) return schema.forEach((s, i) => refuseOmitted(s, `${path}[${i}]`))
  if (!schema || typeof schema !== 'object') return
  for (const [k, v] of Object.entries(schema)) {
    // `properties` / `patternProperties` / `dependencies` name fields, which may be called anything.
    if (OMITTED.includes(k) && !/\.(properties|patternProperties|dependencies)$/.test(path)) {
      throw new Error(`$jsonSchema keyword '${k}' is not currently supported`)
    }
    refuseOmitted(v, `${path}.${k}`)
  }
}

// Compiling is the slow part (code generation) and a query is rebuilt per request: keep a few.
const cache = new Map<string, ValidateFunction>()
const CACHE_MAX = 64

/** mingo's `jsonSchemaValidator` option: a schema → a predicate over documents. */
export function jsonSchemaValidator(schema: Record<string, unknown>): (doc: unknown) => boolean {
  const key = JSON.stringify(schema)
  let validate = cache.get(key)
  if (!validate) {
    refuseOmitted(schema)
    validate = ajv.compile(schema)
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string)
    cache.set(key, validate)
  }
  const v = validate
  return (doc) => v(doc) === true
}
