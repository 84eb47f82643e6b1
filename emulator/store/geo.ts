/**
 * @module emulator/store/geo — CloudBase's geo queries over GeoJSON values, with @turf/*.
 *
 * What the SDK sends (@cloudbase/database serializer/query.js): `_.geoNear` → `$nearSphere:
 * {$geometry: Point, $maxDistance, $minDistance}` (metres); `_.geoWithin` → `$geoWithin:
 * {$geometry: Polygon|MultiPolygon}` or `{$centerSphere: [[lng, lat], radians]}`;
 * `_.geoIntersects` → `$geoIntersects: {$geometry}`; aggregate `.geoNear({...})` → a `$geoNear`
 * stage. Expected results: Tencent's node-sdk test/database/unit/geo-advanced.test.ts and
 * aggregation.test.ts "geoNear" (6643.52 m).
 *
 * Differences from CloudBase (also in emulator/README.md):
 * - distances are great-circle distances on a sphere of MongoDB's radius (6378.1 km,
 *   `kRadiusOfEarthInMeters`) by the haversine formula: they agree with the platform to well
 *   under a millimetre, not to the last bit;
 * - within/intersects tests are planar in longitude/latitude (turf), where MongoDB's 2dsphere
 *   uses geodesic edges: shapes spanning many degrees can differ near their edges;
 * - the distance to a line or polygon is to its nearest vertex (a guess at what matters:
 *   points are what mini programs store);
 * - no geo index is needed (CloudBase requires one for geo queries: create it in the console).
 */
import { booleanIntersects } from '@turf/boolean-intersects'
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { booleanWithin } from '@turf/boolean-within'
import { distance } from '@turf/distance'
import type { Geometry, MultiPolygon, Polygon, Position } from 'geojson'
import type { Options } from 'mingo/types/types'

/* eslint-disable @typescript-eslint/no-require-imports -- see ./operators.ts */
const { Query: QueryBase } = require('mingo/query') as typeof import('mingo/types/query')
const { Lazy } = require('mingo/lazy') as typeof import('mingo/types/lazy')
const { resolve } = require('mingo/util') as typeof import('mingo/types/util')
/* eslint-enable @typescript-eslint/no-require-imports */

type Doc = Record<string, unknown>
type Iter = ReturnType<typeof Lazy>

/** MongoDB's `kRadiusOfEarthInMeters`, used for every spherical distance in metres. */
export const EARTH_RADIUS_M = 6378100

const GEO_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection'])

function asGeometry(v: unknown): Geometry | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined
  const g = v as { type?: unknown; coordinates?: unknown; geometries?: unknown }
  if (typeof g.type !== 'string' || !GEO_TYPES.has(g.type)) return undefined
  return g.type === 'GeometryCollection' ? (Array.isArray(g.geometries) ? (v as Geometry) : undefined) : Array.isArray(g.coordinates) ? (v as Geometry) : undefined
}

function requireGeometry(v: unknown, what: string): Geometry {
  const g = asGeometry(v)
  if (!g) throw new Error(`${what} must be a GeoJSON geometry`)
  return g
}

/** The geometries a field holds: one value, or each element of an array of them. */
function geometriesAt(doc: Doc, path: string): Geometry[] {
  const v = resolve(doc as never, path)
  const one = asGeometry(v)
  if (one) return [one]
  return Array.isArray(v) ? v.map(asGeometry).filter((g): g is Geometry => g !== undefined) : []
}

/** Every position of a geometry. */
function positions(g: Geometry): Position[] {
  if (g.type === 'GeometryCollection') return g.geometries.flatMap(positions)
  const flat = (c: unknown): Position[] => (typeof (c as unknown[])[0] === 'number' ? [c as Position] : (c as unknown[]).flatMap(flat))
  return flat(g.coordinates)
}

/** The parts turf can test one by one: points, lines and polygons. */
function parts(g: Geometry): Geometry[] {
  switch (g.type) {
    case 'MultiPoint':
      return g.coordinates.map((coordinates) => ({ type: 'Point', coordinates }))
    case 'MultiLineString':
      return g.coordinates.map((coordinates) => ({ type: 'LineString', coordinates }))
    case 'MultiPolygon':
      return g.coordinates.map((coordinates) => ({ type: 'Polygon', coordinates }))
    case 'GeometryCollection':
      return g.geometries.flatMap(parts)
    default:
      return [g]
  }
}

const radiansBetween = (a: Position, b: Position) => distance(a, b, { units: 'radians' })

/** Metres from a point to a geometry (its nearest vertex). */
export function metresTo(center: Position, g: Geometry): number {
  return Math.min(...positions(g).map((p) => radiansBetween(center, p))) * EARTH_RADIUS_M
}

function within(g: Geometry, container: Polygon | MultiPolygon): boolean {
  return parts(g).every((p) => (p.type === 'Point' ? booleanPointInPolygon(p.coordinates, container) : booleanWithin(p, container)))
}

function centerOf(spec: unknown, what: string): Position {
  const p = requireGeometry(spec, what)
  if (p.type !== 'Point') throw new Error(`${what} must be a GeoJSON Point`)
  return p.coordinates
}

function metres(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !(v >= 0)) throw new Error(`${what} must be a non-negative number`)
  return v
}

type QueryOp = (selector: string, value: unknown, options: Options) => (doc: Doc) => boolean

const $geoWithin: QueryOp = (selector, spec) => {
  const s = (spec ?? {}) as { $geometry?: unknown; $centerSphere?: unknown }
  if (s.$centerSphere !== undefined) {
    const cs = s.$centerSphere as unknown[]
    if (!Array.isArray(cs) || cs.length !== 2 || !Array.isArray(cs[0]) || typeof cs[1] !== 'number') throw new Error('$centerSphere must be [[lng, lat], radians]')
    const [center, radius] = cs as [Position, number]
    return (doc) => geometriesAt(doc, selector).some((g) => positions(g).every((p) => radiansBetween(center, p) <= radius))
  }
  const container = requireGeometry(s.$geometry, '$geoWithin.$geometry')
  if (container.type !== 'Polygon' && container.type !== 'MultiPolygon') throw new Error('$geoWithin.$geometry must be a Polygon or MultiPolygon')
  return (doc) => geometriesAt(doc, selector).some((g) => within(g, container))
}

const $geoIntersects: QueryOp = (selector, spec) => {
  const other = requireGeometry((spec as { $geometry?: unknown } | null)?.$geometry, '$geoIntersects.$geometry')
  return (doc) => geometriesAt(doc, selector).some((g) => booleanIntersects(g, other))
}

/** `$nearSphere` as a filter (distance bounds). The ordering by distance is applied by the
 * reader (`nearSphereOrder`), since a filter cannot sort. */
const $nearSphere: QueryOp = (selector, spec) => {
  const { center, min, max } = nearSpec(spec)
  return (doc) =>
    geometriesAt(doc, selector).some((g) => {
      const d = metresTo(center, g)
      return (min === undefined || d >= min) && (max === undefined || d <= max)
    })
}

function nearSpec(spec: unknown): { center: Position; min?: number; max?: number } {
  const s = (spec ?? {}) as { $geometry?: unknown; $minDistance?: unknown; $maxDistance?: unknown }
  if (Array.isArray(spec)) throw new Error('legacy coordinate pairs are not supported by the emulator: use {$geometry: Point}')
  return { center: centerOf(s.$geometry, '$nearSphere.$geometry'), min: metres(s.$minDistance, '$minDistance'), max: metres(s.$maxDistance, '$maxDistance') }
}

export const geoQueryOperators = { $geoWithin, $geoIntersects, $nearSphere, $near: $nearSphere }

/**
 * The field and centre of a top-level `$nearSphere`/`$near` in a filter, so a reader can order
 * results by distance as MongoDB does (an explicit sort overrides it).
 */
export function nearSphereOrder(filter: Doc): ((docs: Doc[]) => Doc[]) | undefined {
  for (const [field, cond] of Object.entries(filter)) {
    if (field.startsWith('$') || !cond || typeof cond !== 'object') continue
    const spec = (cond as Doc).$nearSphere ?? (cond as Doc).$near
    if (spec === undefined) continue
    const { center } = nearSpec(spec)
    return (docs) =>
      docs
        .map((doc) => ({ doc, d: Math.min(...geometriesAt(doc, field).map((g) => metresTo(center, g))) }))
        .sort((a, b) => a.d - b.d)
        .map((x) => x.doc)
  }
  return undefined
}

/**
 * The `$geoNear` stage: documents with a geometry under `key` (or, without `key`, the first
 * top-level GeoJSON field — a guess: MongoDB uses the collection's only geo index), filtered by
 * `query`, `minDistance`/`maxDistance` (metres), sorted nearest first, with `distanceField`
 * (times `distanceMultiplier`) and `includeLocs` set.
 */
export function geoNearStage(coll: Iter, expr: unknown, options: Options): Iter {
  const o = (expr ?? {}) as Doc
  if (typeof o.distanceField !== 'string' || !o.distanceField) throw new Error('$geoNear requires a distanceField')
  const center = centerOf(o.near, '$geoNear.near')
  const min = metres(o.minDistance, 'minDistance')
  const max = metres(o.maxDistance, 'maxDistance')
  const multiplier = typeof o.distanceMultiplier === 'number' ? o.distanceMultiplier : 1
  const q = o.query && typeof o.query === 'object' ? new QueryBase(o.query as Doc, options) : undefined
  const keyOf = (doc: Doc) => (typeof o.key === 'string' ? o.key : Object.keys(doc).find((k) => asGeometry(doc[k]) !== undefined))
  const out: { doc: Doc; d: number }[] = []
  for (const doc of coll.collect<Doc>()) {
    const key = keyOf(doc)
    if (key === undefined || (q && !q.test(doc))) continue
    const geoms = geometriesAt(doc, key)
    if (!geoms.length) continue
    const d = Math.min(...geoms.map((g) => metresTo(center, g)))
    if ((min !== undefined && d < min) || (max !== undefined && d > max)) continue
    let copy = withField(doc, o.distanceField, d * multiplier)
    if (typeof o.includeLocs === 'string' && o.includeLocs) copy = withField(copy, o.includeLocs, resolve(doc as never, key))
    out.push({ doc: copy, d })
  }
  return Lazy(out.sort((a, b) => a.d - b.d).map((x) => x.doc))
}

/** `doc` with `path` (dotted) set, copying each object on the way: stored documents stay untouched. */
function withField(doc: Doc, path: string, value: unknown): Doc {
  const [head, ...rest] = path.split('.')
  const child = doc[head]
  const next = rest.length === 0 ? value : withField(child && typeof child === 'object' && !Array.isArray(child) ? (child as Doc) : {}, rest.join('.'), value)
  return { ...doc, [head]: next }
}
