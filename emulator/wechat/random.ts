/**
 * @module emulator/wechat/random — deterministic randomness from a seed.
 *
 * Everything WeChat makes up (openids, codes, session keys, cloudIDs) and every injected fault
 * comes from `sha256(seed, purpose, counter)`, so a run under a fixed seed repeats exactly. The
 * id counter is persisted with the state, so a restart never re-issues an id it already used.
 */
import { createHash, randomBytes } from 'node:crypto'

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const OPENID_CHARS = ALNUM + '-_'

export function randomSeed(): string {
  return randomBytes(8).toString('hex')
}

/** Bytes that depend only on the seed and the labels, never on call order across purposes. */
export function hashBytes(seed: string, ...labels: (string | number)[]): Buffer {
  return createHash('sha256').update([seed, ...labels].join('\u0000')).digest()
}

/** A number in [0, 1) derived from the seed and labels. */
export function hashUnit(seed: string, ...labels: (string | number)[]): number {
  return hashBytes(seed, ...labels).readUInt32BE(0) / 0x1_0000_0000
}

function pick(bytes: Buffer, alphabet: string, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[bytes[i % bytes.length]! % alphabet.length]
  return out
}

/** Issues ids from a seeded counter; `counter` is saved and restored with the state. */
export class IdSource {
  constructor(
    readonly seed: string,
    public counter = 0,
  ) {}

  private next(purpose: string): Buffer {
    this.counter += 1
    // Two digests give 64 bytes: enough for the longest id without reusing bytes.
    const a = hashBytes(this.seed, purpose, this.counter)
    const b = hashBytes(this.seed, purpose, this.counter, 'b')
    return Buffer.concat([a, b])
  }

  /** `o` + 27 chars, WeChat's openid shape. Never all digits: getWXContext would make it a number. */
  openid(): string {
    return 'o' + pick(this.next('openid'), OPENID_CHARS, 27)
  }

  unionid(): string {
    return 'o' + pick(this.next('unionid'), OPENID_CHARS, 27)
  }

  /** `wx` + 16 lowercase hex. */
  appid(): string {
    return 'wx' + this.next('appid').toString('hex').slice(0, 16)
  }

  /** 32 lowercase hex, like a real AppSecret. */
  appSecret(): string {
    return this.next('secret').toString('hex').slice(0, 32)
  }

  /** base64 of 16 bytes (24 chars), like a real session_key. */
  sessionKey(): string {
    return this.next('session').subarray(0, 16).toString('base64')
  }

  /** base64 of 16 bytes for the AES iv. */
  iv(): string {
    return this.next('iv').subarray(0, 16).toString('base64')
  }

  /** 32 alphanumeric chars, like a `wx.login` code. */
  jsCode(): string {
    return '0' + pick(this.next('jscode'), ALNUM, 31)
  }

  /** 64 hex chars, like a phone-button code. */
  phoneCode(): string {
    return this.next('phonecode').toString('hex').slice(0, 64)
  }

  /** `<n>_` + 40 chars, like a cloudID. */
  cloudId(): string {
    return `${this.counter % 90 + 10}_` + pick(this.next('cloudid'), OPENID_CHARS, 40)
  }

  /** `n` decimal digits, for made-up phone numbers. */
  digits(n: number): string {
    return pick(this.next('digits'), '0123456789', n)
  }

  /** 64 chars of `[0-9A-Za-z_-]`, like an access_token (real ones are longer; WeChat says keep 512). */
  accessToken(): string {
    return pick(this.next('token'), OPENID_CHARS, 64)
  }

  /** A resource package id, `ZY` + 19 digits like the documented sample (`ZY2823973277692477440`). */
  packageId(): string {
    return 'ZY' + pick(this.next('pkg'), '0123456789', 19)
  }

  /** A WeChat request id for error hints (`rid: …`). */
  rid(): string {
    return this.next('rid').toString('hex').slice(0, 24)
  }
}
