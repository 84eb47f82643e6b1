/**
 * App entry: initialise cloud development once, then start the phonebind session. Both come from
 * the phonebind-weapp package (构建npm puts it in miniprogram_npm/), exactly as in any user's app.
 */
import { initCloud, startSession } from 'phonebind-weapp'
import { CLOUD_ENV, LEGACY_PATH } from './config'

App({
  onLaunch() {
    if (!initCloud(CLOUD_ENV)) return
    void startSession({ legacy: LEGACY_PATH })
  },
})
