// Child process for the kill -9 test: changes the WeChat state as fast as it can, forever.
import { SimulatedWeChat } from '../../../emulator/wechat/wechat'

const wx = new SimulatedWeChat({ dataDir: process.argv[2] })
const user = wx.createUser()
wx.setQuota(1_000_000)
let n = 0
const tick = (): void => {
  for (let i = 0; i < 20; i++) wx.tapPhoneButton(user.openid)
  n += 20
  if (n === 200) process.stdout.write('running\n')
  setImmediate(tick)
}
tick()
