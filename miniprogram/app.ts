/**
 * App entry: initialise cloud development once, then start the phonebind session. The logic
 * lives in services/ so it can be tested; this file only wires it to the App lifecycle.
 */
import { CLOUD_ENV, LEGACY_PATH } from './config'
import { initCloud } from './services/launch'
import { startSession } from './services/session'

App({
  onLaunch() {
    if (!initCloud(CLOUD_ENV)) return
    void startSession({ legacy: LEGACY_PATH })
  },
})
