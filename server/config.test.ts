import { DEFAULT_MAX_DATA_AGE_SECONDS, DEFAULT_QUOTA_ALERT_BELOW, DEFAULT_QUOTA_SPU_ID, DEFAULT_WECHAT_API_BASE, loadConfig } from './config'

describe('loadConfig', () => {
  it('defaults to the safe settings: no legacy path, masked numbers, reject conflicts', () => {
    expect(loadConfig({})).toEqual({ appSecret: undefined, wechatApiBase: DEFAULT_WECHAT_API_BASE, returnFullPhone: false, conflictPolicy: 'reject', wechatTimeoutMs: 5000, maxDataAgeSeconds: DEFAULT_MAX_DATA_AGE_SECONDS, accountKey: 'openid', costGuard: { appid: undefined, alertBelow: DEFAULT_QUOTA_ALERT_BELOW, webhookUrl: undefined, adminOpenids: [], spuId: DEFAULT_QUOTA_SPU_ID } })
    expect(DEFAULT_MAX_DATA_AGE_SECONDS).toBe(300)
  })

  it('reads every variable of the contract', () => {
    const c = loadConfig({ PHONEBIND_APPSECRET: ' s3cret ', PHONEBIND_WECHAT_API_BASE: 'http://127.0.0.1:9/', PHONEBIND_RETURN_FULL_PHONE: '1', PHONEBIND_CONFLICT_POLICY: 'transfer', PHONEBIND_MAX_DATA_AGE_SECONDS: '600' })
    expect(c).toMatchObject({ appSecret: 's3cret', wechatApiBase: 'http://127.0.0.1:9', returnFullPhone: true, conflictPolicy: 'transfer', maxDataAgeSeconds: 600 })
  })

  it('treats unknown values as the default rather than guessing', () => {
    const c = loadConfig({ PHONEBIND_RETURN_FULL_PHONE: 'yes please', PHONEBIND_CONFLICT_POLICY: 'steal', PHONEBIND_APPSECRET: '   ' })
    expect(c).toMatchObject({ appSecret: undefined, returnFullPhone: false, conflictPolicy: 'reject' })
  })

  it('keeps the legacy age bound on whatever the variable says: no value turns it off', () => {
    for (const v of ['0', '-5', 'off', '', 'Infinity']) expect(loadConfig({ PHONEBIND_MAX_DATA_AGE_SECONDS: v }).maxDataAgeSeconds).toBe(300)
  })

  it('keys accounts by unionid only when asked; anything else keeps the openid (safe for existing data)', () => {
    expect(loadConfig({ PHONEBIND_ACCOUNT_KEY: ' UnionID ' }).accountKey).toBe('unionid')
    for (const v of ['', 'openid', 'union', 'phone']) expect(loadConfig({ PHONEBIND_ACCOUNT_KEY: v }).accountKey).toBe('openid')
  })

  it('reads the cost guard: admins as a trimmed list, only http(s) webhooks, a numeric spuId, a non-negative threshold', () => {
    const c = loadConfig({ PHONEBIND_QUOTA_ADMINS: ' oA1 , ,oB2', PHONEBIND_QUOTA_WEBHOOK: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', PHONEBIND_QUOTA_SPU_ID: '10000099', PHONEBIND_QUOTA_ALERT_BELOW: '0', PHONEBIND_APPID: ' wx123 ' }).costGuard
    expect(c).toEqual({ appid: 'wx123', adminOpenids: ['oA1', 'oB2'], webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', spuId: '10000099', alertBelow: 0 })
    const bad = loadConfig({ PHONEBIND_QUOTA_WEBHOOK: 'file:///etc/passwd', PHONEBIND_QUOTA_SPU_ID: '1; drop', PHONEBIND_QUOTA_ALERT_BELOW: '-3' }).costGuard
    expect(bad).toMatchObject({ webhookUrl: undefined, spuId: DEFAULT_QUOTA_SPU_ID, alertBelow: DEFAULT_QUOTA_ALERT_BELOW })
  })
})
