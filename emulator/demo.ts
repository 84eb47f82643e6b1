/**
 * @module emulator/demo — binds a phone end to end as a demo user, against a running emulator:
 * `wx.login` → `login` function → tap the phone button → `getPhoneNumber` (or `getOpenData`).
 *
 *   npx tsx emulator/demo.ts --user <openid> [--url http://127.0.0.1:9090] [--path code|cloudID|legacy]
 *
 * Prints each step; exits 1 if the binding did not happen. Numbers are printed masked.
 */
import { cloudID, EmulatorClient, type PhoneButtonDetail } from './client'
import { DEFAULTS } from './config'

type BindPath = 'code' | 'cloudID' | 'legacy'

interface Args {
  url: string
  user?: string
  path?: BindPath
}

function parseArgs(argv: string[]): Args {
  const args: Args = { url: `http://${DEFAULTS.host}:${DEFAULTS.port}` }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${a} needs a value`)
      return v
    }
    if (a === '--url') args.url = value()
    else if (a === '--user') args.user = value()
    else if (a === '--path') {
      const p = value()
      if (p !== 'code' && p !== 'cloudID' && p !== 'legacy') throw new Error('--path must be code, cloudID or legacy')
      args.path = p
    } else throw new Error(`unknown option ${a}`)
  }
  return args
}

function pathFor(detail: PhoneButtonDetail, wanted?: BindPath): BindPath {
  if (wanted) return wanted
  return detail.code ? 'code' : detail.cloudID ? 'cloudID' : 'legacy'
}

export async function runDemo(args: Args, out: (line: string) => void = console.log): Promise<boolean> {
  const client = new EmulatorClient(args.url)
  const users = await client.users()
  const user = users.find((u) => u.openid === args.user) ?? (args.user ? undefined : users[0])
  if (!user) throw new Error(`no such user ${args.user ?? ''} (the emulator knows ${users.map((u) => u.openid).join(', ')})`)
  out(`user ${user.openid} (base library ${user.baseLibrary})`)

  // 1. On launch: wx.login, then the login function stores the session key server-side.
  const { code: jsCode } = await client.login(user.openid)
  const login = await client.callFunction<{ ok: boolean; data?: { legacyReady: boolean } }>(user.openid, 'login', { code: jsCode })
  out(`1. wx.login + login            → ${JSON.stringify(login.result)}`)

  // 2. The user taps 「手机号快捷登录」 and allows.
  const detail = await client.tapPhoneButton(user.openid)
  out(`2. tap phone button            → ${detail.errMsg} (${Object.keys(detail).filter((k) => k !== 'errMsg').join(', ')})`)
  if (!detail.errMsg.endsWith(':ok')) return false

  // 3. Exchange on the server, by whichever path the base library allows.
  const path = pathFor(detail, args.path)
  const [fn, data]: [string, Record<string, unknown>] =
    path === 'code'
      ? ['getPhoneNumber', { code: detail.code }]
      : path === 'cloudID'
        ? ['getOpenData', { cloudID: cloudID(detail.cloudID ?? '') }]
        : ['getOpenData', { encryptedData: detail.encryptedData, iv: detail.iv }]
  const bind = await client.callFunction<{ ok: boolean }>(user.openid, fn, data)
  out(`3. ${fn} (${path} path)`.padEnd(30) + ` → ${JSON.stringify(bind.result)}`)

  // 4. What the database now holds (masked only).
  const docs = await client.db<{ _id: string; phone?: { masked?: string } }>('users')
  const row = docs.find((d) => d._id === user.openid)
  out(`4. users/${user.openid}.phone.masked = ${row?.phone?.masked ?? '(none)'}`)
  return bind.result.ok === true
}

if (require.main === module) {
  runDemo(parseArgs(process.argv.slice(2)))
    .then((ok) => {
      console.log(ok ? '✔ 手机号已绑定 / phone bound' : '✘ 绑定失败 / binding failed')
      process.exit(ok ? 0 : 1)
    })
    .catch((e: unknown) => {
      console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`)
      process.exit(1)
    })
}
