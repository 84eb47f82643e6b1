/**
 * Bad input, property-based: every function gets events with wrong types, 1 MB strings,
 * unicode, `__proto__` / `constructor` keys, missing and extra fields. It must always answer
 * `{ok:false, error:{code}}` with a catalog code — never throw (-504002) — and the database
 * must be exactly as before.
 *
 * Events are built as JSON text and parsed, so `__proto__` arrives as an own key, exactly as
 * it would after the platform's JSON transport. The caller is a user with a bound number and
 * a stored session key, so a forged request has something to damage.
 */
import fc from 'fast-check'
import type { RunningEmulator } from '../../emulator'
import { isErrorCode } from '../../core/errors'
import { parseLoginRequest } from '../../core/validate'
import { inProcessDriver, type Driver } from '../../bench/lib/driver'
import { buildIntoTemp, FUNCTIONS, startBenchEmulator, type BuiltFunctions } from '../../bench/lib/emulator'

jest.setTimeout(120_000)

const MB = 1024 * 1024
const PLATFORM_KEYS = new Set(['userInfo', 'tcbContext'])

let built: BuiltFunctions
let emu: RunningEmulator
let driver: Driver
let openid: string

beforeAll(async () => {
  built = await buildIntoTemp('phonebind-badinput-')
  emu = await startBenchEmulator(built.dir, { poolSize: 2, seed: 'bad-input' })
  driver = inProcessDriver(emu)
  openid = (await driver.createUser({ purePhoneNumber: '16600000001' })).openid
  const login = await driver.call(openid, 'login', { code: await driver.login(openid) })
  expect(login).toMatchObject({ kind: 'result', result: { ok: true, data: { legacyReady: true } } })
  const detail = await driver.tap(openid)
  expect(await driver.call(openid, 'getPhoneNumber', { code: detail.code })).toMatchObject({ kind: 'result', result: { ok: true } })
})

afterAll(async () => {
  await emu?.stop()
  built?.cleanup()
})

const key = fc.oneof(
  fc.constantFrom('code', 'cloudID', 'encryptedData', 'iv', '__proto__', 'constructor', 'prototype', 'openid', 'OPENID', 'phone', 'userInfo', 'tcbContext', ''),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
)

const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('x'.repeat(MB), '手'.repeat(MB / 3), '+/='.repeat(MB / 3)),
  fc.base64String({ maxLength: 64 }),
)

const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: leaf },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(key, leaf, { maxKeys: 3 }) },
  // What a forged "already resolved" cloudID or a CloudID marker looks like.
  { weight: 1, arbitrary: fc.record({ cloudID: leaf, data: fc.dictionary(key, leaf, { maxKeys: 3 }) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.record({ $cloudID: fc.string({ maxLength: 40 }) }) },
)

const FIELDS: Record<(typeof FUNCTIONS)[number], string[]> = {
  login: ['code'],
  getPhoneNumber: ['code'],
  getOpenData: ['cloudID', 'encryptedData', 'iv'],
  unbindPhone: [],
  mergeAccounts: ['after', 'limit'],
  phoneQuota: ['alert'],
  sendSmsCode: ['phone'],
  verifySmsCode: ['phone', 'code'],
}

/** A JSON event: own keys only (`__proto__` included), as the platform delivers it. Half are
 * shaped like the function's contract (its own fields, wrong or garbage values, maybe extras). */
function eventFor(name: (typeof FUNCTIONS)[number]): fc.Arbitrary<Record<string, unknown>> {
  const random = fc.array(fc.tuple(key, value), { maxLength: 4 })
  const own = FIELDS[name].length ? fc.subarray(FIELDS[name]).chain((keys) => fc.tuple(...keys.map((k) => fc.tuple(fc.constant(k), value)))) : fc.constant([])
  const shaped = fc.tuple(own, fc.array(fc.tuple(key, value), { maxLength: 1 })).map(([a, b]) => [...(a as [string, unknown][]), ...b])
  // Well-typed garbage that passes validation and reaches WeChat, crypto or the session store.
  const text = fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }), fc.base64String({ minLength: 4, maxLength: 64 }))
  const plausible: fc.Arbitrary<[string, unknown][]> =
    name === 'getOpenData'
      ? fc.oneof(
          text.map((t) => [['cloudID', t]] as [string, unknown][]),
          fc.tuple(text, text).map(([d, iv]) => [['encryptedData', d], ['iv', iv]] as [string, unknown][]),
        )
      : name === 'getPhoneNumber'
        ? text.map((t) => [['code', t]] as [string, unknown][])
        : shaped
  return fc.oneof(random, shaped, plausible).map((entries) => {
    const text = `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`
    return JSON.parse(text) as Record<string, unknown>
  })
}

/** Events that are, by the contract, valid requests (and so may change data) are not bad input. */
function isBadInput(name: (typeof FUNCTIONS)[number], e: Record<string, unknown>): boolean {
  const business = Object.keys(e).filter((k) => !PLATFORM_KEYS.has(k))
  // mergeAccounts from a client takes no field (after/limit are the migration's, without a client).
  if (name === 'unbindPhone' || name === 'mergeAccounts') return business.length > 0
  // A well-formed `code` makes login record the visit (and try the exchange): valid shape.
  if (name === 'login') return !parseLoginRequest(e).ok
  return true
}

async function snapshot(): Promise<string> {
  return JSON.stringify(await driver.snapshot())
}

describe.each(FUNCTIONS)('%s', (name) => {
  test('answers every malformed event with a catalog failure and changes nothing', async () => {
    const before = await snapshot()
    let calls = 0
    let huge = 0
    const codes = new Set<string>()
    await fc.assert(
      fc.asyncProperty(eventFor(name), async (e) => {
        fc.pre(isBadInput(name, e))
        calls++
        if (JSON.stringify(e).length >= MB) huge++
        const out = await driver.call(openid, name, e)
        if (out.kind !== 'result') throw new Error(`${name} did not return a result: ${out.kind === 'callError' ? `${out.errCode} ${out.errMsg.slice(0, 200)}` : out.message}`)
        const r = out.result as { ok?: unknown; error?: { code?: unknown } }
        expect(r.ok).toBe(false)
        expect(isErrorCode(r.error?.code)).toBe(true)
        codes.add(String(r.error?.code))
        expect(await snapshot()).toBe(before)
      }),
      { numRuns: 30, seed: 20261123 },
    )
    expect(calls).toBeGreaterThan(10)
    expect(huge).toBeGreaterThan(0) // the 1 MB strings really were sent
    if (name === 'getPhoneNumber' || name === 'getOpenData') expect(codes.size).toBeGreaterThan(1) // got past validation too
  })
})
