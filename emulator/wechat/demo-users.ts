/**
 * @module emulator/wechat/demo-users — who lives in a fresh emulator.
 *
 * Three mainland users and one Hong Kong user on the default app. One runs an old base library
 * (2.19.0: no button `code`, so the cloudID / encryptedData paths get exercised).
 */
import type { TestUser } from './state'
import type { SimulatedWeChat } from './wechat'

export function seedDemoUsers(wx: SimulatedWeChat): TestUser[] {
  return [
    wx.createUser({ nickname: 'Li Lei', purePhoneNumber: '13800138000', countryCode: '86' }),
    wx.createUser({ nickname: 'Han Meimei', purePhoneNumber: '13900139000', countryCode: '86' }),
    wx.createUser({ nickname: 'Wang Fang (old WeChat)', purePhoneNumber: '13700137000', countryCode: '86', baseLibrary: '2.19.0' }),
    wx.createUser({ nickname: 'Chan Tai Man (HK)', purePhoneNumber: '61234567', countryCode: '852' }),
  ]
}
