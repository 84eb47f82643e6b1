/**
 * @module bench/decrypt — core `decryptOpenData` vs raw `node:crypto` AES-128-CBC on the same
 * payloads (realistic phone-number open data, one random session key and iv each).
 *
 * Two baselines, because core does more than decrypt: `raw` = base64-decode key, iv and data +
 * AES-128-CBC with PKCS#7 → utf8 string; `rawJson` = raw + `JSON.parse`, which core also does
 * (plus strict base64, the watermark and type checks). Batches are interleaved and rotated;
 * the figure is the median of per-batch throughputs, and the ratio core / baseline.
 */
import { createDecipheriv, randomBytes } from 'node:crypto'
import { decryptOpenData, encryptOpenData } from '../core/crypto'
import { median, round } from './lib/stats'

interface Payload {
  sessionKey: string
  iv: string
  encryptedData: string
}

const APPID = 'wxbench000000001'

function makePayloads(n: number): Payload[] {
  return Array.from({ length: n }, (_, i) => {
    const sessionKey = randomBytes(16).toString('base64')
    const iv = randomBytes(16).toString('base64')
    const pure = `139${String(i).padStart(8, '0')}`
    const data = { phoneNumber: pure, purePhoneNumber: pure, countryCode: '86', watermark: { timestamp: 1_700_000_000 + i, appid: APPID } }
    return { sessionKey, iv, encryptedData: encryptOpenData({ sessionKey, iv, data }) }
  })
}

function raw(p: Payload): string {
  const d = createDecipheriv('aes-128-cbc', Buffer.from(p.sessionKey, 'base64'), Buffer.from(p.iv, 'base64'))
  return d.update(p.encryptedData, 'base64', 'utf8') + d.final('utf8')
}

const VARIANTS: Record<string, (p: Payload) => unknown> = {
  core: (p) => {
    const r = decryptOpenData({ appid: APPID, ...p })
    if (!r.ok) throw new Error(`core failed: ${r.error.code}`)
    return r.data
  },
  raw,
  rawJson: (p) => JSON.parse(raw(p)),
}

export interface DecryptResult {
  payloads: number
  batches: number
  opsPerSecond: Record<string, number>
  /** core / raw and core / rawJson throughput (target ≥ 0.9). */
  ratioVsRaw: number
  ratioVsRawJson: number
}

export function benchDecrypt(opts: { batches: number; perBatch: number; log: (l: string) => void }): DecryptResult {
  const payloads = makePayloads(256)
  const names = Object.keys(VARIANTS)
  const rates = new Map<string, number[]>(names.map((n) => [n, []]))
  let sink = 0
  // Warm every path first so the JIT does not favour whichever runs first.
  for (const n of names) for (let i = 0; i < 2000; i++) sink ^= VARIANTS[n]!(payloads[i % payloads.length]!) ? 1 : 0
  for (let b = 0; b < opts.batches; b++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + b) % names.length]!
      const fn = VARIANTS[name]!
      const t0 = performance.now()
      for (let i = 0; i < opts.perBatch; i++) sink ^= fn(payloads[i % payloads.length]!) ? 1 : 0
      rates.get(name)!.push((opts.perBatch / (performance.now() - t0)) * 1000)
    }
  }
  if (sink === 42) opts.log('') // keep `sink` observable so no call is optimised away
  const opsPerSecond = Object.fromEntries(names.map((n) => [n, Math.round(median(rates.get(n)!))]))
  const result = {
    payloads: payloads.length,
    batches: opts.batches,
    opsPerSecond,
    ratioVsRaw: round(opsPerSecond.core! / opsPerSecond.raw!, 3),
    ratioVsRawJson: round(opsPerSecond.core! / opsPerSecond.rawJson!, 3),
  }
  opts.log(`decrypt: core ${opsPerSecond.core}/s, raw ${opsPerSecond.raw}/s, raw+JSON ${opsPerSecond.rawJson}/s (×${result.ratioVsRaw}, ×${result.ratioVsRawJson})`)
  return result
}
