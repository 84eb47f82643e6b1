// Child process for the kill -9 test: changes the WeChat state as fast as it can, forever.
import { SimulatedWeChat } from '../../../emulator/wechat/wechat'

const wx = new SimulatedWeChat({ dataDir: process.argv[2] })
const user = wx.createUser()
wx.setQuota(1_000_000)
const tick = (): void => {
  for (let i = 0; i < 20; i++) wx.tapPhoneButton(user.openid)
  setImmediate(tick)
}
for (let i = 0; i < 200; i++) wx.tapPhoneButton(user.openid)
// One durable snapshot first, so the test knows what the file must at least contain.
void wx.flush().then(() => {
  process.stdout.write('running\n')
  tick()
})
