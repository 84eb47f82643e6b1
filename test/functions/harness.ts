/**
 * @module test/functions/harness — one emulator per test file, running the REAL built bundles of
 * cloudfunctions/* with the real wx-server-sdk, plus a recorder for the secrets scan.
 *
 * Each file builds into its own temp folder so parallel jest workers never overwrite a bundle
 * another worker's function process is loading.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Result } from '../../core/contracts'
import { startEmulator, type RunningEmulator } from '../../emulator'
import { smsFunctionEnv, wechatFunctionEnv } from '../../emulator/config'
import { SMS_API_PATH } from '../../emulator/sms/api'
import { buildFunctions } from '../../scripts/buildFunctions'
import { PHONEBIND_FUNCTIONS } from '../../packages/phonebind/src/facts'

/** phonebind's functions, as defined once for init/build (packages/phonebind/src/facts.ts). */
export const FUNCTIONS = PHONEBIND_FUNCTIONS
export type FunctionUnderTest = (typeof FUNCTIONS)[number]

export interface Harness {
  emu: RunningEmulator
  /** Where this file's bundles (and their config.json) were built; the runner reads it per call. */
  functionsDir: string
  /** Calls a function as `openid` through the simulated client; returns its result. */
  call<T = unknown>(openid: string, name: FunctionUnderTest, data?: Record<string, unknown>): Promise<Result<T>>
  /** Every result returned and every log line printed by a function, in order. */
  responses: unknown[]
  logs: string[]
  /** Results that carry a full number because the test opted in (excluded from the phone scan). */
  optInResponses: Set<unknown>
  /**
   * Replaces the environment of every function: the emulator's WeChat settings (AppSecret, API
   * base) and SMS settings (the simulated Tencent Cloud SMS account) plus `extra`;
   * `{ withoutSecret: true }` deploys without an AppSecret, `{ withoutSms: true }` without SMS.
   */
  setEnv(extra?: Record<string, string>, options?: { withoutSecret?: boolean; withoutSms?: boolean }): void
  appSecret: string
  /** Every session key WeChat has issued during the suite (rotation overwrites WeChat's own record). */
  sessionKeys: Set<string>
  /** WeChat API calls seen, e.g. `getPhoneNumber`, `jscode2session`, with their errcode. */
  wechatCalls: { api: string; errcode: number; openid?: string }[]
  /** The secrets scan: every response and log line so far, against every secret and number seen. */
  findLeaks(phoneNumbers: string[]): string[]
  stop(): Promise<void>
}

export async function startHarness(): Promise<Harness> {
  const outDir = await mkdtemp(join(tmpdir(), 'phonebind-fn-'))
  await buildFunctions({ root: join(__dirname, '..', '..', 'cloudfunctions'), outDir, functions: [...FUNCTIONS] })
  const emu = await startEmulator({ port: 0, fresh: true, functionsDir: outDir, quiet: true, poolSize: 4 })
  const logs: string[] = []
  const responses: unknown[] = []
  const optInResponses = new Set<unknown>()
  const sessionKeys = new Set<string>()
  const wechatCalls: Harness['wechatCalls'] = []
  const recordKeys = () => {
    for (const s of Object.values(emu.wechat.state.sessions)) if (s) sessionKeys.add(s.sessionKey)
  }
  const offEnd = emu.events.on('invocation.end', (e) => logs.push(...e.logs))
  const offWx = emu.events.on('wechat.call', (e) => {
    wechatCalls.push({ api: e.api, errcode: e.errcode, openid: e.openid })
    recordKeys()
  })
  const appSecret = emu.wechat.getApp()!.secret
  let fullPhone = false
  return {
    emu,
    functionsDir: outDir,
    logs,
    responses,
    optInResponses,
    appSecret,
    sessionKeys,
    wechatCalls,
    async call<T>(openid: string, name: FunctionUnderTest, data: Record<string, unknown> = {}) {
      const reply = await emu.client.callFunction<Result<T>>(openid, name, data)
      recordKeys()
      responses.push(reply.result)
      if (fullPhone) optInResponses.add(reply.result)
      return reply.result
    },
    setEnv(extra = {}, options = {}) {
      fullPhone = extra.PHONEBIND_RETURN_FULL_PHONE === '1'
      const wechat = wechatFunctionEnv({ appSecret, apiBase: emu.url, appid: emu.appid })
      if (options.withoutSecret) delete (wechat as Record<string, string>).PHONEBIND_APPSECRET
      const sms = options.withoutSms ? {} : smsFunctionEnv(emu.sms.account, `${emu.url}${SMS_API_PATH.slice(0, -1)}`)
      for (const name of FUNCTIONS) emu.runner.setFunctionEnv(name, { ...wechat, ...sms, ...extra })
    },
    findLeaks(phoneNumbers) {
      recordKeys()
      const leaks: string[] = []
      const secrets = [appSecret, ...sessionKeys, emu.sms.account.secretKey]
      const scan = (what: string, text: string, numbers: boolean) => {
        for (const s of secrets) if (text.includes(s)) leaks.push(`${what} contains a secret: ${text.slice(0, 120)}`)
        if (numbers) for (const n of phoneNumbers) if (text.includes(n)) leaks.push(`${what} contains a full number: ${text.slice(0, 120)}`)
      }
      responses.forEach((r, i) => scan(`response #${i}`, JSON.stringify(r), !optInResponses.has(r)))
      logs.forEach((l, i) => scan(`log line #${i}`, l, true))
      return leaks
    },
    async stop() {
      offEnd()
      offWx()
      await emu.stop()
      await rm(outDir, { recursive: true, force: true })
    },
  }
}

/** Asserts a Result is ok and returns its data (with the failure in the message otherwise). */
export function expectOk<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`)
  return r.data
}

/** Asserts a Result failed with `code` and returns the error. */
export function expectFail<T>(r: Result<T>, code: string): Extract<Result<T>, { ok: false }>['error'] {
  if (r.ok) throw new Error(`expected ${code}, got ok ${JSON.stringify(r.data)}`)
  if (r.error.code !== code) throw new Error(`expected ${code}, got ${JSON.stringify(r.error)}`)
  return r.error
}
