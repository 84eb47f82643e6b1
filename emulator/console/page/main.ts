/// <reference lib="dom" />
/**
 * @module console/page/main — boots the console: header, phone, log, controls, data, files, quota, SMS.
 */
import './styles.css'
import { consoleApi, messageOf } from './api'
import { $, fill, h, toast } from './dom'
import { mountControls } from './controls'
import { mountData } from './data'
import { mountFiles } from './files'
import { mountLog } from './log'
import { mountPhone } from './phone'
import { mountQuota } from './quota'
import { mountSms } from './sms'
import { refreshState } from './state'
import { mountUsers } from './users'

async function boot(): Promise<void> {
  const data = mountData($('#data'))
  const files = mountFiles($('#files'))
  const quota = mountQuota($('#quota'))
  const sms = mountSms($('#sms'), { afterCall: () => refreshData() })
  // Function calls land in bursts; one refresh per burst is enough.
  let pending: ReturnType<typeof setTimeout> | undefined
  const refreshData = () => {
    clearTimeout(pending)
    pending = setTimeout(() => {
      data.refresh()
      files.refresh()
      quota.refresh()
      sms.refresh()
    }, 150)
  }
  const log = mountLog($('#log'), { onInvocationEnd: refreshData })
  mountUsers($('#users'))
  mountPhone($('#phone'), { afterFlow: refreshData })
  mountControls($('#controls'), {
    afterReset: () => {
      log.clear()
      refreshData()
    },
  })
  const info = await consoleApi.info()
  fill($('#meta'), h('span', {}, 'appid ', h('b.mono', {}, info.appid)), h('span', {}, 'env ', h('b.mono', {}, info.env)))
  await refreshState()
  document.body.classList.add('ready')
}

boot().catch((e: unknown) => toast(`控制台启动失败 / console failed to start: ${messageOf(e)}`, 'error'))
