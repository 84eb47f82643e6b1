/**
 * @module phonebind/frameworks/taroDoctor — `phonebind doctor` in a Taro project. The plain checks
 * read the devtools folder (Taro's build output, minified, absent before the first build) and
 * expect 构建npm; a Taro project's truth is its sources: `Taro.cloud.init` in src/app.*, the copy
 * pattern in config/index.*, the page config's usingComponents, and the copied component in the
 * output being the installed one.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fail, ok, type Check } from '../checks'
import { WEAPP_PACKAGE } from '../facts'
import type { Project } from '../project'
import { rel } from '../report'
import { cloudInitCheck, filesUnder, listsWeapp, type CloudInitPlace } from './sourceChecks'
import { noComments } from '../setup'
import { TARO_COMPONENT_DIR, TARO_TAG, TARO_USING_PATH } from './taroWrapper'
import { readUserText } from '../userFile'

/** `Taro.cloud.init({ env })` (or `wx.cloud.init`) in src/app.*, and cloudbaserc.json's envId. */
export function taroEnvCheck(p: Project, sourceRoot: string): Check {
  const apps = filesUnder(join(p.root, sourceRoot), /^app\.(ts|tsx|js|jsx)$/)
  return cloudInitCheck(p, apps, taroCloudInit(sourceRoot))
}

/** Where a Taro project calls Taro.cloud.init: doctor looks there, init's next steps point there. */
export function taroCloudInit(sourceRoot: string): CloudInitPlace {
  return { api: 'Taro.cloud.init', where: `${sourceRoot}/app.*`, launchZh: '在 app.ts 的 useLaunch 里', launchEn: "in App's useLaunch" }
}

/** The copy pattern, a page config registering the component, and the copy in the output current. */
export function taroSetupChecks(p: Project, sourceRoot: string, configFile: string, pattern: string): Check[] {
  const checks: Check[] = []
  const config = readUserText(configFile)
  checks.push(config.includes(`${WEAPP_PACKAGE}/miniprogram_dist`)
    ? ok(`${rel(p.root, configFile)} 复制组件 / copies the component`)
    : fail(`${rel(p.root, configFile)} 没有复制组件 / does not copy the component`, `copy: { patterns: [ ${pattern} ] }（npx phonebind init 会添加 / adds it）`))
  const page = filesUnder(join(p.root, sourceRoot), /\.config\.(ts|js)$/).find((f) => noComments(readFileSync(f, 'utf8')).includes(TARO_USING_PATH))
  checks.push(page
    ? ok('组件已注册 / component registered', rel(p.root, page))
    : fail('没有页面注册 phone-auth 组件 / no page registers the phone-auth component', `在页面的 index.config.ts 加入 / add to the page's index.config.ts: usingComponents: { '${TARO_TAG}': '${TARO_USING_PATH}' }`))
  const source = join(p.root, 'node_modules', WEAPP_PACKAGE, 'miniprogram_dist')
  if (!listsWeapp(p)) {
    checks.push(fail(`${WEAPP_PACKAGE} 不在 package.json 中 / is not in package.json`, `npm i ${WEAPP_PACKAGE}`))
    return checks
  }
  if (!existsSync(source)) {
    checks.push(fail(`未安装 ${WEAPP_PACKAGE} / not installed`, 'npm install'))
    return checks
  }
  const copied = join(p.miniprogramRoot, TARO_COMPONENT_DIR)
  if (!existsSync(copied)) {
    checks.push(fail('组件不在构建输出中 / the component is not in the build output', `taro build --type weapp（应生成 / should produce ${rel(p.root, copied)}）`))
    return checks
  }
  // Taro's copy is verbatim: any difference means the output predates the last npm install.
  const files = filesUnder(source, /./).map((f) => f.slice(source.length + 1))
  const stale = files.some((f) => !existsSync(join(copied, f)) || !statSync(join(copied, f)).isFile() || !readFileSync(join(copied, f)).equals(readFileSync(join(source, f))))
  checks.push(stale ? fail('构建输出中的组件已过期 / the component in the build output is stale', '重新运行 / run again: taro build --type weapp') : ok('构建输出中的组件为最新 / the component in the build output is current', rel(p.root, copied)))
  return checks
}
