/**
 * @module phonebind/frameworks/uniappDoctor — `phonebind doctor` in a uni-app project. Its sources
 * hold no project.config.json (uni writes one into dist/build/mp-weixin from manifest.json) and
 * no 构建npm (the component is a copy under wxcomponents/), so the truth is in the sources:
 * manifest.json → mp-weixin's appid and cloudfunctionRoot, `wx.cloud.init` in App.vue / main.*,
 * the component's global registration in pages.json, the copy under wxcomponents/ being the
 * installed package's, and the Vue wrapper init writes.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fail, isPlaceholderAppid, ok, type Check } from '../checks'
import { WEAPP_PACKAGE } from '../facts'
import { markedVersion } from '../owned'
import type { Project } from '../project'
import { rel } from '../report'
import { cloudInitCheck, listsWeapp, type CloudInitPlace } from './sourceChecks'
import { componentCopy, installedWeapp, readJsonc, UNI_COMPONENT_DIR, UNI_NATIVE_PATH, UNI_NATIVE_TAG, UNI_WRAPPER, uniOutputDir, valueAt, wrapperSource } from './uniapp'

/** manifest.json → mp-weixin.appid: what uni copies into the output's project.config.json. */
export function uniAppidCheck(p: Project): Check {
  const name = rel(p.root, p.configFile)
  const appid = valueAt(readJsonc(p.configFile), ['mp-weixin', 'appid'])
  if (typeof appid !== 'string' || isPlaceholderAppid(appid)) {
    return fail(`${name} 的 mp-weixin.appid 是占位符 “${String(appid ?? '')}” / mp-weixin.appid is a placeholder`, `在 ${name} → "mp-weixin" → "appid" 填写你的 appid（不是顶层的 DCloud appid）；游客 appid 不能用云开发 / put your WeChat appid in ${name} → "mp-weixin" → "appid" (not the top-level DCloud appid); the tourist appid cannot use CloudBase`)
  }
  return ok(`appid ${appid}`, `${name} → mp-weixin`)
}

/** `wx.cloud.init({ env })` in App.vue or main.*: uni-app's launch code, where the README puts it. */
export function uniEnvCheck(p: Project): Check {
  const files = ['App.vue', 'main.ts', 'main.js'].map((f) => join(p.miniprogramRoot, f)).filter((f) => existsSync(f))
  return cloudInitCheck(p, files, uniCloudInit(p))
}

/** Where a uni-app project calls wx.cloud.init: doctor looks there, init's next steps point there. */
export function uniCloudInit(p: Project): CloudInitPlace {
  const src = rel(p.root, p.miniprogramRoot)
  return { api: 'wx.cloud.init', where: `${src === '.' ? '' : `${src}/`}App.vue, main.*`, launchZh: '在 App.vue 的 onLaunch 里（// #ifdef MP-WEIXIN）', launchEn: 'in App.vue onLaunch (inside #ifdef MP-WEIXIN)' }
}

/** manifest.json names the functions' folder, relative to uni's output folder. */
function cloudfunctionRootCheck(p: Project): Check {
  const name = rel(p.root, p.configFile)
  if (!p.cloudfunctionRoot) return fail(`${name} 没有 mp-weixin.cloudfunctionRoot / has no mp-weixin.cloudfunctionRoot`, '运行 / run: npx phonebind init（相对 / relative to ' + `${rel(p.root, uniOutputDir(p.root))}/）`)
  return ok(`cloudfunctionRoot ${rel(p.root, p.cloudfunctionRoot)}/`, `${name} → mp-weixin（相对 / relative to ${rel(p.root, uniOutputDir(p.root))}/）`)
}

/** pages.json → globalStyle.usingComponents registers the native component for the wrapper. */
function registrationCheck(p: Project): Check {
  const file = join(p.miniprogramRoot, 'pages.json')
  const name = rel(p.root, file)
  const found = valueAt(readJsonc(file), ['globalStyle', 'usingComponents', UNI_NATIVE_TAG])
  if (found === UNI_NATIVE_PATH) return ok('组件已全局注册 / component registered globally', `${name} → globalStyle.usingComponents`)
  return fail(`${name} 没有全局注册组件 / does not register the component globally`, `globalStyle → usingComponents: { "${UNI_NATIVE_TAG}": "${UNI_NATIVE_PATH}" }（npx phonebind init 会添加 / adds it）`)
}

/** The Vue wrapper: present, and phonebind's current text unless the user made it theirs. */
function wrapperCheck(p: Project, version: string | undefined): Check {
  const file = join(p.miniprogramRoot, UNI_WRAPPER)
  const name = rel(p.root, file)
  if (!existsSync(file)) return fail(`没有包装组件 ${name} / the wrapper is missing`, '运行 / run: npx phonebind init')
  const text = readFileSync(file, 'utf8')
  if (markedVersion(text) === undefined) return ok(`包装组件 / wrapper ${name}`, '你自己的文件，未检查 / your own file, not checked')
  if (version !== undefined && text !== wrapperSource(version)) return fail(`包装组件 ${name} 已过期 / the wrapper is outdated`, '运行 / run: npx phonebind init --force')
  return ok(`包装组件 / wrapper ${name}`)
}

/** phonebind-weapp in package.json and installed, and its copy under wxcomponents/ exactly what init would write now. */
function copyChecks(p: Project): { checks: Check[]; version?: string } {
  if (!listsWeapp(p)) {
    return { checks: [fail(`${WEAPP_PACKAGE} 不在 package.json 中 / is not in package.json`, `npm i ${WEAPP_PACKAGE}，再运行 / then: npx phonebind init`)] }
  }
  const weapp = installedWeapp(p)
  if (!weapp) return { checks: [fail(`未安装 ${WEAPP_PACKAGE} / not installed`, 'npm install')] }
  const dir = join(p.miniprogramRoot, UNI_COMPONENT_DIR)
  const where = rel(p.root, dir)
  if (!existsSync(dir)) return { checks: [fail(`组件不在 ${where} / the component is not in ${where}`, '运行 / run: npx phonebind init')], version: weapp.version }
  // uni copies wxcomponents/ into its output as is: a copy that differs predates the last npm install.
  const stale = componentCopy(weapp).some(({ file, content }) => !existsSync(join(dir, file)) || readFileSync(join(dir, file), 'utf8') !== content)
  return {
    checks: [stale
      ? fail(`${where} 中的组件已过期或被修改 / the component copy is stale or edited`, `与已安装的 ${WEAPP_PACKAGE} ${weapp.version} 不同：运行 / differs from the installed ${weapp.version}: npx phonebind init --force`)
      : ok(`${where} 与已安装的 ${WEAPP_PACKAGE} ${weapp.version} 一致 / matches the installed package`)],
    version: weapp.version,
  }
}

/** doctor's uni-app rows (see Framework.doctor). */
export function uniDoctor(p: Project): { appid: Check; env: Check; setup: Check[] } {
  const copy = copyChecks(p)
  return {
    appid: uniAppidCheck(p),
    env: uniEnvCheck(p),
    setup: [cloudfunctionRootCheck(p), registrationCheck(p), ...copy.checks, wrapperCheck(p, copy.version)],
  }
}
