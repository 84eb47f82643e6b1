/**
 * The console in a real headless Chromium: act as a WeChat user through the page, watch the
 * log, browse the data — and check what the database holds through the simulated client API.
 *
 * Needs Debian's Chromium at /usr/bin/chromium (`.ci/run` installs it). Screenshots go to
 * test-artifacts/console-*.png.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startEmulator, type RunningEmulator } from '../../emulator'
import { wechatFunctionEnv } from '../../emulator/config'
import { createConsoleRoutes, HIDDEN } from '../../emulator/console'
import { buildFunctions } from '../../scripts/buildFunctions'

const CHROMIUM = process.env.PHONEBIND_CHROMIUM ?? '/usr/bin/chromium'
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts')

jest.setTimeout(30_000)

let emu: RunningEmulator
let browser: Browser
let page: Page
let functionsDir: string

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), animations: 'disabled' })
}

async function chooseUser(nickname: string): Promise<string> {
  const user = emu.wechat.listUsers().find((u) => u.nickname === nickname)
  if (!user) throw new Error(`no demo user ${nickname}`)
  await page.selectOption('#user-select', user.openid)
  await page.waitForSelector(`[data-test=openid]:text-is("${user.openid}")`)
  return user.openid
}

async function choosePath(path: 'code' | 'cloudID' | 'legacy'): Promise<void> {
  await page.check(`input[name=path][value=${path}]`)
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The console test needs Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set PHONEBIND_CHROMIUM`)
  }
  mkdirSync(ARTIFACTS, { recursive: true })
  functionsDir = await mkdtemp(join(tmpdir(), 'phonebind-console-'))
  // Building the functions and starting the browser overlap: both take seconds.
  const [, launched] = await Promise.all([
    buildFunctions({ root: join(__dirname, '..', '..', 'cloudfunctions'), outDir: functionsDir, functions: ['login', 'getPhoneNumber', 'getOpenData', 'phoneQuota', 'sendSmsCode', 'verifySmsCode'] }),
    chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
  ])
  browser = launched
  emu = await startEmulator({ port: 0, fresh: true, functionsDir, quiet: true, seed: 'console', poolSize: 1, routes: (h) => createConsoleRoutes(h) })
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  await page.goto(`${emu.url}/console/`)
  await page.waitForSelector('body.ready')
  await page.waitForSelector('#conn.live')
}, 60_000) // building three functions on a busy 2-core machine can take a while

afterAll(async () => {
  await browser?.close()
  await emu?.stop()
  if (functionsDir) await rm(functionsDir, { recursive: true, force: true })
})

test('a browser asking for / is sent to the console', async () => {
  const res = await fetch(`${emu.url}/`, { headers: { accept: 'text/html' }, redirect: 'manual' })
  expect(res.status).toBe(302)
  expect(res.headers.get('location')).toBe('/console/')
})

test('binds a phone on the code path: masked number on the phone, the call in the log, the binding in the database', async () => {
  const openid = await chooseUser('Li Lei')
  await choosePath('code')
  const quotaBefore = emu.wechat.getApp()!.quota
  await page.click('[data-test=phone-button]')
  await page.waitForSelector('.sheet [data-test=sheet-allow]')
  await shot('sheet')
  await page.click('[data-test=sheet-allow]')
  const result = await page.waitForSelector('[data-test=result]')
  expect(await result.getAttribute('data-code')).toBe('OK')
  expect(await page.textContent('[data-test=masked]')).toBe('+86 138****8000')

  // The log card of getPhoneNumber: OK, with the wx.openApi call and the database writes it made.
  const card = page.locator('article.inv', { has: page.locator('.fn', { hasText: 'getPhoneNumber' }) }).first()
  await card.locator('[data-test=result-code]', { hasText: 'OK' }).waitFor()
  await expect(card.locator('.call.wx').count()).resolves.toBeGreaterThan(0)
  await expect(card.locator('.call.db').count()).resolves.toBeGreaterThan(0)
  await expect(card.locator('.call.wechat', { hasText: 'getPhoneNumber' }).count()).resolves.toBe(1)

  const users = await emu.client.db<{ _id: string; phone?: { masked: string; source: string } }>('users')
  expect(users.find((u) => u._id === openid)?.phone).toMatchObject({ masked: '138****8000', source: 'code' })
  expect(await emu.client.db('phone_index')).toHaveLength(1)
  expect(emu.wechat.getApp()!.quota).toBe(quotaBefore - 1)
  await page.waitForSelector('.tab[data-collection=users] .count:text-is("1")')
  await shot('bound')
})

test('a deny shows USER_DENIED in Chinese and English and binds nothing', async () => {
  const openid = await chooseUser('Han Meimei')
  const quotaBefore = emu.wechat.getApp()!.quota
  await page.click('[data-test=phone-button]')
  await page.click('[data-test=sheet-deny]')
  const result = await page.waitForSelector('[data-test=result]')
  expect(await result.getAttribute('data-code')).toBe('USER_DENIED')
  const text = await result.textContent()
  expect(text).toContain('已取消授权')
  expect(text).toContain('Cancelled')
  await shot('denied')

  const users = await emu.client.db<{ _id: string; phone?: unknown }>('users')
  expect(users.find((u) => u._id === openid)?.phone).toBeUndefined()
  expect(await emu.client.db('phone_index')).toHaveLength(1)
  expect(emu.wechat.getApp()!.quota).toBe(quotaBefore)
})

test('a -1 injected from the controls reaches the phone as WECHAT_BUSY, attributed in the log', async () => {
  await chooseUser('Chan Tai Man (HK)')
  await choosePath('code')
  await page.selectOption('select[aria-label="fault api"]', 'getPhoneNumber')
  await page.click('[data-test=fault-busy]')
  await page.waitForSelector('.chip:has-text("getPhoneNumber")')
  expect(await emu.client.faults()).toEqual({ getPhoneNumber: { errcode: -1, next: 1 } })
  await page.click('[data-test=phone-button]')
  await page.click('[data-test=sheet-allow]')
  const result = await page.waitForSelector('[data-test=result]')
  expect(await result.getAttribute('data-code')).toBe('WECHAT_BUSY')
  expect(await result.textContent()).toContain('微信系统繁忙')
  const card = page.locator('article.inv', { has: page.locator('.fn', { hasText: 'getPhoneNumber' }) }).first()
  await card.locator('[data-test=result-code]', { hasText: 'WECHAT_BUSY' }).waitFor()
  await card.locator('.call.wechat.bad', { hasText: 'getPhoneNumber' }).waitFor()
  await shot('fault')
  await page.click('button:has-text("清除")')
  await page.waitForSelector('.chips:has-text("no faults")')
})

test('with the quota set to 0 from the controls, WeChat shows no sheet and the tap fails with QUOTA_EXHAUSTED', async () => {
  await chooseUser('Han Meimei')
  await page.fill('input[aria-label=quota]', '0')
  await page.click('button:has-text("设置 / Set")')
  await page.waitForSelector('[data-test=quota]:text-is("0")')
  expect(emu.wechat.getApp()!.quota).toBe(0)
  await page.click('[data-test=phone-button]')
  const result = await page.waitForSelector('[data-test=result]')
  expect(await result.getAttribute('data-code')).toBe('QUOTA_EXHAUSTED')
  expect(await page.locator('.sheet:not(.no-quota)').count()).toBe(0)
  // phone-number-no-quota-toast (default true): WeChat's own notice, and the emulator records it.
  const notice = await page.waitForSelector('[data-test=no-quota-toast]')
  expect(await notice.textContent()).toContain('该功能使用次数已达当前小程序上限')
  await page.waitForSelector('[data-test=log]:has-text("toast.noQuota")')
  await page.click('[data-test=no-quota-toast] button')
  // With the attribute false: the same 1400001, no notice, nothing recorded.
  await page.uncheck('[data-test=no-quota-toast-option]')
  const rows = (api: string) => page.locator(`[data-test=log] :text("${api}")`).count()
  const [toastsBefore, tapsBefore] = [await rows('toast.noQuota'), await rows('tap.getPhoneNumber')]
  await page.click('[data-test=phone-button]')
  await page.waitForSelector('[data-test=result][data-code=QUOTA_EXHAUSTED]')
  // The emulator reports a toast before the tap it belongs to: once the tap is logged, a toast would be too.
  for (let i = 0; i < 200 && (await rows('tap.getPhoneNumber')) === tapsBefore; i++) await page.waitForTimeout(25)
  expect(await rows('tap.getPhoneNumber')).toBe(tapsBefore + 1)
  expect(await rows('toast.noQuota')).toBe(toastsBefore)
  expect(await page.locator('[data-test=no-quota-toast]').count()).toBe(0)
  await page.check('[data-test=no-quota-toast-option]')
  await page.fill('input[aria-label=quota]', '100')
  await page.click('button:has-text("设置 / Set")')
  await page.waitForSelector('[data-test=quota]:text-is("100")')
})

test('binds on the cloudID path through getOpenData', async () => {
  const openid = await chooseUser('Chan Tai Man (HK)')
  await choosePath('cloudID')
  await page.click('[data-test=phone-button]')
  await page.click('[data-test=sheet-allow]')
  const result = await page.waitForSelector('[data-test=result]')
  expect(await result.getAttribute('data-code')).toBe('OK')
  expect(await page.textContent('[data-test=masked]')).toBe('+852 61***567')
  const users = await emu.client.db<{ _id: string; phone?: { source: string } }>('users')
  expect(users.find((u) => u._id === openid)?.phone?.source).toBe('cloudID')
})

test('binds on the legacy path after a login with a code (session key stored server-side)', async () => {
  const openid = await chooseUser('Wang Fang (old WeChat)')
  await choosePath('legacy')
  await page.click('[data-test=phone-button]')
  await page.click('[data-test=sheet-allow]')
  const result = await page.waitForSelector('[data-test=result]')
  expect(await result.getAttribute('data-code')).toBe('OK')
  expect(await page.textContent('[data-test=trace]')).toContain('callFunction login')
  const users = await emu.client.db<{ _id: string; phone?: { source: string } }>('users')
  expect(users.find((u) => u._id === openid)?.phone?.source).toBe('legacy')
})

test('the data browser hides session keys and masks numbers until revealed', async () => {
  const sessions = emu.store.find('sessions', {}) as { session_key: string }[]
  expect(sessions.length).toBeGreaterThan(0)
  const keys = sessions.map((s) => s.session_key)

  await page.click('.tab[data-collection=sessions]')
  await page.waitForSelector(`.doc:has-text("${HIDDEN}")`)
  await page.check('[data-test=reveal]')
  await page.waitForSelector(`.doc:has-text("${HIDDEN}")`)
  const html = await page.content()
  for (const key of keys) expect(html).not.toContain(key)
  // Nor in what the page can fetch: the server never sends it.
  const raw = await page.evaluate(async () => (await fetch('/console/api/db/sessions?reveal=1')).text())
  for (const key of keys) expect(raw).not.toContain(key)
  expect(raw).not.toContain(emu.wechat.getApp()!.secret)

  await page.uncheck('[data-test=reveal]')
  await page.click('.tab[data-collection=users]')
  await page.waitForSelector('.doc:has-text("138****8000")')
  expect(await page.textContent('[data-test=documents]')).not.toContain('13800138000')
  await page.click('.tab[data-collection=phone_index]')
  await page.waitForSelector('.doc')
  expect(await page.textContent('[data-test=documents]')).not.toContain('13800138000')
  await page.check('[data-test=reveal]')
  await page.waitForSelector('.doc:has-text("13800138000")')
  await page.uncheck('[data-test=reveal]')
  await page.click('.tab[data-collection=users]')
  await page.waitForSelector('.doc:has-text("138****8000")')
  await shot('data')
})

test('the storage panel lists uploaded files by path, size and fileID', async () => {
  await page.waitForSelector('[data-test=files] .empty')
  await emu.storage.files.put('avatars/头像.png', Buffer.alloc(2048))
  await page.click('#files button')
  await page.waitForSelector('[data-test=files] .file:has-text("avatars/头像.png")')
  expect(await page.textContent('[data-test=files]')).toContain('2.0 KB')
  expect(await page.getAttribute('[data-test=files] .file', 'title')).toBe(emu.storage.list()[0]!.fileID)
  await shot('files')
})

test('the quota panel: calls used, money spent and quota left; a spent quota is flagged; a bought package and the timer alert show up', async () => {
  await chooseUser('Li Lei')
  await choosePath('code')
  await page.fill('input[aria-label=quota]', '1')
  await page.click('button:has-text("设置 / Set")')
  await page.waitForSelector('[data-test=quota-left]:text-is("1")')
  const callsBefore = (await emu.client.quota()).calls.total
  // The last free call: a successful tap is charged, the trial costs nothing.
  await page.click('[data-test=phone-button]')
  await page.click('[data-test=sheet-allow]')
  await page.waitForSelector('[data-test=result]')
  await page.waitForSelector('[data-test=quota-left]:text-is("0")')
  expect(await page.textContent('[data-test=quota-calls]')).toContain(String(callsBefore + 1))
  expect(await page.textContent('[data-test=quota-spent]')).toBe('¥0.00')
  await page.waitForSelector('[data-test=quota-empty]:visible')
  await shot('quota-spent')

  // A bought package of 2 calls: quota back, the spent flag gone; its call costs ¥0.03.
  await page.fill('input[aria-label="package calls"]', '2')
  await page.click('[data-test=buy-package]')
  await page.waitForSelector('[data-test=quota-left]:text-is("2")')
  await page.waitForSelector('[data-test=quota-empty]', { state: 'hidden' })
  await page.click('[data-test=phone-button]')
  await page.click('[data-test=sheet-allow]')
  await page.waitForSelector('[data-test=quota-spent]:text-is("¥0.03")')
  await page.waitForSelector('[data-test=quota-left]:text-is("1")')

  // The timer check below the threshold posts to the (emulated) WeCom robot; the panel lists it.
  emu.runner.setFunctionEnv('phoneQuota', { ...wechatFunctionEnv({ appSecret: emu.wechat.getApp()!.secret, apiBase: emu.url, appid: emu.appid }), PHONEBIND_QUOTA_WEBHOOK: `${emu.url}/cgi-bin/webhook/send?key=console-robot-key` })
  await page.click('[data-test=fire-timer]')
  await page.waitForSelector('[data-test=webhooks] li:has-text("剩余 1 次")')
  expect(await page.textContent('[data-test=webhooks]')).not.toContain('console-robot-key')
  // The shared access token is stored in access_tokens; the data browser never receives it.
  const tokens = Object.values(emu.wechat.state.accessTokens).map((t) => t.stable?.token)
  expect(tokens[0]).toBeTruthy()
  const raw = await page.evaluate(async () => (await fetch('/console/api/db/access_tokens?reveal=1')).text())
  expect(raw).toContain('(已隐藏 / hidden)')
  for (const t of tokens) expect(raw).not.toContain(t)
  await shot('quota')
})

test('the SMS panel: sendSmsCode texts the chosen user a code, the inbox shows it (number masked), verifySmsCode binds with source sms', async () => {
  const openid = await chooseUser('Han Meimei')
  const outcome = async () => {
    await page.waitForSelector('[data-test=sms-result][data-code]')
    return page.getAttribute('[data-test=sms-result]', 'data-code')
  }
  await page.fill('[data-test=sms-phone]', '19900001111')
  await page.click('[data-test=sms-send]')
  expect(await outcome()).toBe('OK')
  const text = page.locator('[data-test=sms-inbox] li', { hasText: '【phonebind】' }).first()
  await text.waitFor()
  expect(await text.getAttribute('data-phone')).toBe('+86199****1111')
  const code = /验证码为(\d{6})/.exec((await text.textContent()) ?? '')?.[1]
  expect(code).toMatch(/^\d{6}$/)
  await shot('sms-inbox')

  await page.fill('[data-test=sms-code]', code!)
  await page.evaluate(() => document.querySelector('[data-test=sms-result]')!.removeAttribute('data-code'))
  await page.click('[data-test=sms-verify]')
  expect(await outcome()).toBe('OK')
  const users = await emu.client.db<{ _id: string; phone?: { masked: string; source: string } }>('users')
  expect(users.find((u) => u._id === openid)?.phone).toMatchObject({ masked: '199****1111', source: 'sms' })

  // A send failure injected from the panel: the next code fails with SMS_SEND_FAILED, no text arrives.
  await page.check('[data-test=sms-fault-sendFailure]')
  for (let i = 0; i < 50 && !(await emu.client.smsFaults()).sendFailure; i++) await new Promise((r) => setTimeout(r, 20))
  await page.fill('[data-test=sms-phone]', '19900001112')
  await page.evaluate(() => document.querySelector('[data-test=sms-result]')!.removeAttribute('data-code'))
  await page.click('[data-test=sms-send]')
  expect(await outcome()).toBe('SMS_SEND_FAILED')
  expect(await page.textContent('[data-test=sms-result]')).toContain('短信发送失败')
  expect(await emu.client.smsInbox('19900001112')).toEqual([])
  await page.uncheck('[data-test=sms-fault-sendFailure]')
  await shot('sms-failed')
})

describe('the privacy step: WeChat\'s official popup (the console\'s app registers no listener)', () => {
  async function withdrawConsent(nickname: string): Promise<string> {
    const openid = await chooseUser(nickname)
    // Quota for the binding at the end (earlier tests spend it); set through the page so its state follows.
    await page.fill('input[aria-label=quota]', '100')
    await page.click('button:has-text("设置 / Set")')
    await page.waitForSelector('[data-test=quota-left]:text-is("100")')
    await choosePath('code')
    await page.locator('label.check', { hasText: '已同意隐私指引' }).locator('input').uncheck()
    // The panel writes through the client API; wait until the emulator holds it.
    for (let i = 0; i < 200 && emu.wechat.listUsers().find((u) => u.openid === openid)?.privacyAuthorized !== false; i++) await page.waitForTimeout(25)
    expect(emu.wechat.listUsers().find((u) => u.openid === openid)?.privacyAuthorized).toBe(false)
    return openid
  }

  test('declining fails the tap with PRIVACY_NOT_AUTHORIZED; a second tap within ~10 s fails at once, without a popup', async () => {
    const openid = await withdrawConsent('Han Meimei')
    const quotaBefore = emu.wechat.getApp()!.quota
    await page.click('[data-test=phone-button]')
    await page.waitForSelector('[data-test=privacy-popup]')
    expect(await page.textContent('[data-test=privacy-popup]')).toContain('隐私保护指引')
    await shot('privacy-popup')
    await page.click('[data-test=privacy-disagree]')
    const result = await page.waitForSelector('[data-test=result]')
    expect(await result.getAttribute('data-code')).toBe('PRIVACY_NOT_AUTHORIZED')
    expect(await page.locator('[data-test=sheet-allow]').count()).toBe(0) // no phone sheet after a refusal
    expect(await page.textContent('[data-test=trace]')).toContain('官方隐私弹窗')

    await page.click('[data-test=phone-button]')
    await page.waitForSelector('[data-test=trace]:has-text("锁定中")')
    expect(await page.locator('[data-test=privacy-popup]').count()).toBe(0)
    const locked = await page.waitForSelector('[data-test=result]')
    expect(await locked.getAttribute('data-code')).toBe('PRIVACY_NOT_AUTHORIZED')
    expect(await locked.textContent()).toContain('约 10 秒内')
    expect(emu.wechat.listUsers().find((u) => u.openid === openid)?.privacyAuthorized).toBe(false)
    expect(emu.wechat.getApp()!.quota).toBe(quotaBefore)
    await shot('privacy-locked')
  })

  test('agreeing records consent with WeChat, then the phone sheet follows and the tap binds', async () => {
    const openid = await withdrawConsent('Chan Tai Man (HK)')
    await page.click('[data-test=phone-button]')
    await page.click('[data-test=privacy-agree]')
    await page.click('[data-test=sheet-allow]')
    const result = await page.waitForSelector('[data-test=result]')
    expect(await result.getAttribute('data-code')).toBe('OK')
    expect(emu.wechat.listUsers().find((u) => u.openid === openid)?.privacyAuthorized).toBe(true)
    expect(await page.textContent('[data-test=trace]')).toContain('同意 / agreed')
  })

  // PrivacyAuthorize.html: below 2.32.3 the base library "不会拦截隐私接口调用" (core/baseLibrary.ts consentIntercepted).
  test('below base library 2.32.3 nothing asks: no popup, the phone sheet follows and the tap binds without recorded consent', async () => {
    const openid = await withdrawConsent('Wang Fang (old WeChat)')
    await choosePath('cloudID') // 2.19.0 delivers no code
    await page.click('[data-test=phone-button]')
    await page.click('[data-test=sheet-allow]')
    const result = await page.waitForSelector('[data-test=result]')
    expect(await result.getAttribute('data-code')).toBe('OK')
    expect(await page.locator('[data-test=privacy-popup]').count()).toBe(0)
    expect(emu.wechat.listUsers().find((u) => u.openid === openid)?.privacyAuthorized).toBe(false)
  })
})
