/**
 * Red-team F1 as a test: a user who holds only its own legacy tap tries to forge a ciphertext of
 * someone else's number through the real `getOpenData` (built bundle, real wx-server-sdk,
 * emulator). It must fail within 100 k queries. The same attack code is first shown to work
 * against an oracle with the old answers (core's precise decryption codes, as the old function
 * returned them), so its failure against the functions is the functions' doing, not a broken
 * attack. Against the code before the fix the function test itself binds the victim's number
 * (25–35 k queries; the suite stays fast because the fixed code stops the attack at once).
 */
import { decryptOpenData } from '../../core/crypto'
import { normalisePhone } from '../../core/phone'
import { expectOk, startHarness, type Harness } from '../functions/harness'
import { dbState, newUser, tapForCode, type Bind } from '../functions/support'
import { forgeVictimCiphertext, type Query } from './cbcForgery'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
}, 60_000)
afterAll(async () => {
  await h?.stop()
})

const MAX_QUERIES = 100_000

/** An attacker with the legacy path ready (logged in with a code) and its own tap in hand. */
async function attackerWithTap() {
  const attacker = await newUser(h)
  expectOk(await h.call(attacker.openid, 'login', { code: (await h.emu.client.login(attacker.openid)).code }))
  const tap = await h.emu.client.tapPhoneButton(attacker.openid)
  const own = attacker.number
  return {
    attacker,
    iv: Buffer.from(tap.iv!, 'base64'),
    ciphertext: Buffer.from(tap.encryptedData!, 'base64'),
    knownHead: `{"phoneNumber":"${own}","purePhoneNumber":"${own}","co`,
  }
}

it('the attack is sound: against the old answers it forges a ciphertext of the victim number', async () => {
  const { attacker, ...tap } = await attackerWithTap()
  const victim = await newUser(h)
  const sessionKey = h.emu.wechat.state.sessions[attacker.openid]!.sessionKey
  // What the old function answered: core's precise code, then the phone check, then the bind.
  const oldAnswers: Query = async (ct, iv) => {
    const r = decryptOpenData({ appid: h.emu.appid, sessionKey, encryptedData: ct.toString('base64'), iv: iv.toString('base64') })
    if (!r.ok) return r.error.code
    const phone = normalisePhone(r.data)
    return phone.ok ? 'OK' : phone.error.code
  }
  // In-process queries are cheap: a generous bound keeps this control from ever running out (the
  // search for a valid-UTF-8 block is geometric, ~10 k queries per block on average).
  const outcome = await forgeVictimCiphertext({ ...tap, victim: victim.number, query: oldAnswers, maxQueries: 10 * MAX_QUERIES })
  if (outcome.result !== 'forged') throw new Error(`attack failed against the old answers: ${outcome.reason}`)
  expect(outcome.answer).toBe('OK')
  const opened = decryptOpenData({ appid: h.emu.appid, sessionKey, encryptedData: outcome.ciphertext.toString('base64'), iv: outcome.iv.toString('base64') })
  if (!opened.ok) throw new Error('forged ciphertext does not decrypt')
  expect(normalisePhone(opened.data)).toMatchObject({ ok: true, data: { purePhoneNumber: victim.number, countryCode: '86' } })
}, 60_000)

it('through the real getOpenData the oracle is gone: the attack gives up after 4 queries and binds nothing', async () => {
  const { attacker, ...tap } = await attackerWithTap()
  const victim = await newUser(h)
  const viaFunction: Query = async (ct, iv) => {
    const r = await h.call(attacker.openid, 'getOpenData', { encryptedData: ct.toString('base64'), iv: iv.toString('base64') })
    return r.ok ? 'OK' : r.error.code
  }
  const outcome = await forgeVictimCiphertext({ ...tap, victim: victim.number, query: viaFunction, maxQueries: MAX_QUERIES, parallel: 4 })
  expect(outcome.result).toBe('gave-up')
  if (outcome.result !== 'gave-up') return
  // Every answer after decryption started was the same code; the 3rd failure discarded the
  // key, so the 4th query learned only that it is gone.
  expect(outcome).toMatchObject({ queries: 4, answers: { DECRYPT_FAILED: 3, LOGIN_REQUIRED: 1 } })
  expect(outcome.reason).toMatch(/LOGIN_REQUIRED/)
  // The victim's number was never bound, and its owner binds it.
  expect((await dbState(h, attacker.openid)).user?.phone ?? null).toBeNull()
  const bound = expectOk(await h.call<Bind>(victim.openid, 'getPhoneNumber', { code: await tapForCode(h, victim.openid) }))
  expect(bound.change).toBe('bound')
}, 300_000) // generous only for the demonstration against the old code, where it runs ~30 k calls
