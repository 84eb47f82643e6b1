/**
 * @module emulator/tcb/database/codec — EJSON in and out of the database actions (reference §13).
 *
 * The SDK sends canonical Extended JSON strings and has already flattened nested objects and
 * rewritten TCB commands into Mongo operators. The one non-Mongo token, `$tcb_server_date`,
 * becomes `new Date(now + offset)` before anything is evaluated; BSON regexes become RegExps and
 * Longs become numbers so mingo sees plain JS values.
 */
import { BSONRegExp, EJSON, Long } from 'bson'
import { isPlain } from '../../store'
import { TcbError } from '../../types'

/** Parses one EJSON parameter (string, or an already-parsed object) and normalises it. */
export function decodeParam(value: unknown, name: string, now: number): unknown {
  let parsed: unknown
  try {
    // Strings are what the SDK sends; an object (hand-written JSON) may still hold EJSON wrappers.
    parsed =
      typeof value === 'string'
        ? EJSON.parse(value, { relaxed: true })
        : value !== null && typeof value === 'object'
          ? EJSON.deserialize(value as Record<string, unknown>, { relaxed: true })
          : value
  } catch (err) {
    throw new TcbError('INVALID_PARAM', `${name} is not valid Extended JSON: ${(err as Error).message}`)
  }
  return normalise(parsed, now)
}

/** As `decodeParam`, for parameters that must be a JSON object. */
export function decodeObject(value: unknown, name: string, now: number): Record<string, unknown> {
  const v = decodeParam(value, name, now)
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TcbError('INVALID_PARAM', `${name} must be an object`)
  return v as Record<string, unknown>
}

export function normalise(v: unknown, now: number): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Date) return v
  if (v instanceof BSONRegExp) return new RegExp(v.pattern, v.options.replace(/[^gimsuy]/g, ''))
  if (v instanceof Long) return v.toNumber()
  if (Array.isArray(v)) return v.map((x) => normalise(x, now))
  if (!isPlain(v)) return v
  const o = v
  const keys = Object.keys(o)
  if (keys.length === 1 && keys[0] === '$tcb_server_date') {
    const spec = o.$tcb_server_date as { offset?: unknown } | null
    const offset = Number(normalise(spec?.offset, now) ?? 0)
    return new Date(now + (Number.isFinite(offset) ? offset : 0))
  }
  const out: Record<string, unknown> = {}
  for (const k of keys) out[k] = normalise(o[k], now)
  return out
}

/** Canonical EJSON, as the SDK's `EJSON.parse` expects each list item. */
export function encodeDoc(doc: unknown): string {
  return EJSON.stringify(doc as object, { relaxed: false })
}
