/**
 * @module phonebind/frameworks/uniapp — phonebind in a uni-app (Vue 3 + Vite) project, for its
 * WeChat build (`uni build -p mp-weixin`).
 *
 * A uni-app project has `manifest.json` + `pages.json` in `src/` (CLI projects, `src/` is uni's
 * UNI_INPUT_DIR) or at the root (HBuilderX projects), and no project.config.json: uni writes that
 * into its output (`dist/build/mp-weixin/`, HBuilderX `unpackage/dist/build/mp-weixin/`) from
 * `manifest.json` → `mp-weixin` (its keys `appid`, `cloudfunctionRoot`, `setting` … are copied;
 * @dcloudio/uni-cli-shared json/mp/project.js), so the functions' folder is named there, relative
 * to that output folder.
 *
 * The component goes in the way uni-app takes native WeChat components: a copy of the package's
 * `miniprogram_dist/` under `wxcomponents/`, which uni's mp-weixin build copies into its output as
 * is, registered in `pages.json` → `usingComponents`
 * (https://uniapp.dcloud.io/tutorial/miniprogram-subject: "微信小程序 支持微信小程序组件 wxcomponents",
 * "pages.json 对应页面的 style -> usingComponents 引入组件"). Not the npm route: uni-app's output
 * has no 构建npm step and Vite bundles only JavaScript, so `phonebind-weapp/phone-auth/index` would
 * not exist in the built mini program. Not uni_modules either: that is DCloud's plugin format for
 * Vue components and uniCloud, and a native component there still has to sit in a wxcomponents/
 * folder. It is registered in `globalStyle` because Vue 3 uni-app cannot import a native component
 * into a Vue component locally (dcloudio/uni-app#3532, still open: "绕开方案：全局组件"), and the
 * wrapper that uses it is a Vue component. Vue 3 uni-app compiles wxcomponents for mp-weixin only
 * (dcloudio/uni-app#4971), hence the wrapper's `#ifdef MP-WEIXIN`.
 *
 * The cloud side is the same functions called with `wx.cloud.callFunction` (WeChat CloudBase):
 * uniCloud is a different cloud and not phonebind's target.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { applyEdits, modify } from 'jsonc-parser'
import { confirmChange } from '../ask'
import { say } from '../command'
import { WEAPP_PACKAGE } from '../facts'
import { headerFor, writeOwned, type FileResult } from '../owned'
import { jsonIndent, type Json, type Project } from '../project'
import { OUTCOME_TEXT, printFolder, rel } from '../report'
import type { Framework, FrameworkContext } from './detect'
import { WRAPPER_PROPS } from './wrapperProps'
import { uniCloudInit, uniDoctor } from './uniappDoctor'
import { readJsonFile, readUserText } from '../userFile'

const SOURCE_FILES = ['manifest.json', 'pages.json'] as const
/** The component's folder under wxcomponents/ (the package's miniprogram_dist, copied). */
export const UNI_COMPONENT_DIR = `wxcomponents/${WEAPP_PACKAGE}`
/** The native component's tag: not `phone-auth`, which is what Vue makes of `<PhoneAuth>`. */
export const UNI_NATIVE_TAG = 'phonebind-phone-auth'
export const UNI_NATIVE_PATH = `/${UNI_COMPONENT_DIR}/phone-auth/index`
/** The typed Vue wrapper init writes into the sources. */
export const UNI_WRAPPER = 'components/phonebind/PhoneAuth.vue'

/** The folder holding manifest.json + pages.json for the project at `root`, if it is uni-app. */
export function uniSourceDir(root: string): string | undefined {
  return [join(root, 'src'), root].find((dir) => SOURCE_FILES.every((f) => existsSync(join(dir, f))))
}

/** The uni-app project around `cwd`: the first folder upwards with uni-app sources in it or in its src/. */
export function findUniAppRoot(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const src = uniSourceDir(dir)
    // Inside a CLI project's src/: the project is the folder above it.
    if (src === dir && dir.endsWith(`${sep}src`) && uniSourceDir(dirname(dir)) === dir) return dirname(dir)
    if (src) return dir
    if (dirname(dir) === dir) return undefined
  }
}

/** Where `uni build -p mp-weixin` writes the devtools project (uni's default UNI_OUTPUT_DIR). */
export function uniOutputDir(root: string): string {
  const src = uniSourceDir(root)
  return join(root, src === root ? 'unpackage' : '', 'dist', 'build', 'mp-weixin')
}

/**
 * A JSON-with-comments file (uni-app's manifest.json and pages.json allow comments); a broken one
 * is a UserFileError with its line:column, which every command prints as one line.
 */
export function readJsonc(file: string): Record<string, Json> {
  return readJsonFile(file, { comments: true })
}

/** The value at `path` inside nested JSON objects, or undefined when a step is missing or not an object. */
export function valueAt(value: Json | undefined, path: string[]): Json | undefined {
  let v = value
  for (const key of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined
    v = v[key]
  }
  return v
}

function locate(cwd: string): Project | undefined {
  const root = findUniAppRoot(cwd)
  if (!root) return undefined
  const src = uniSourceDir(root)!
  const manifest = join(src, 'manifest.json')
  const cf = valueAt(readJsonc(manifest), ['mp-weixin', 'cloudfunctionRoot'])
  return {
    root,
    // What stands in for project.config.json: uni copies manifest.json's mp-weixin keys into it.
    configFile: manifest,
    config: {},
    miniprogramRoot: src,
    cloudfunctionRoot: typeof cf === 'string' && cf.trim() !== '' ? resolve(uniOutputDir(root), cf) : undefined,
    packageJson: existsSync(join(root, 'package.json')) ? join(root, 'package.json') : undefined,
  }
}

/** One key added to a JSONC file, comments and layout kept (jsonc-parser's modify). */
interface JsoncChange {
  file: string
  path: string[]
  value: Json
}

/** Shows, asks for and applies one key; false when the key is still not what phonebind needs. */
async function applyJsonc(ctx: FrameworkContext, change: JsoncChange): Promise<boolean> {
  const { out } = ctx
  const name = rel(ctx.project.root, change.file)
  const key = change.path.join('.')
  const text = readUserText(change.file)
  const found = valueAt(readJsonc(change.file), change.path)
  if (isDeepStrictEqual(found, change.value)) {
    say(out, `  ✔ ${name}  ${key} 无需修改 / nothing to add`)
    return true
  }
  if (found !== undefined) {
    say(out, `  ! ${name}: ${key} = ${JSON.stringify(found)} 是你的设置，未修改；phonebind 需要 ${JSON.stringify(change.value)} / is your setting, not changed; phonebind needs ${JSON.stringify(change.value)}`)
    return false
  }
  say(out, `  ${name} 需要添加 / needs this addition:`)
  say(out, `    + ${key} = ${JSON.stringify(change.value)}`)
  if (!(await confirmChange(ctx.io, ctx.yes, name))) return false
  const indent = jsonIndent(text)
  const tabs = typeof indent === 'string' && indent.includes('\t')
  const edits = modify(text, change.path, change.value, {
    formattingOptions: { insertSpaces: !tabs, tabSize: tabs ? 1 : typeof indent === 'number' ? indent : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' },
  })
  writeFileSync(change.file, applyEdits(text, edits))
  say(out, `  ✔ ${name}  已添加 / added`)
  return true
}

/** Every file under `dir`, relative, `/`-separated. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`])
}

/** The installed phonebind-weapp (its folder in node_modules) and its version, or undefined when not installed. */
export function installedWeapp(project: Project): { dir: string; version: string } | undefined {
  const dir = project.packageJson ? join(dirname(project.packageJson), 'node_modules', WEAPP_PACKAGE) : undefined
  if (!dir || !existsSync(join(dir, 'miniprogram_dist'))) return undefined
  return { dir, version: (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version }
}

/**
 * What wxcomponents/ should hold: each file of the package's miniprogram_dist (relative path) with
 * phonebind's mark. One place for it: init writes it, doctor compares the copy with it.
 */
export function componentCopy(weapp: { dir: string; version: string }): Array<{ file: string; content: string }> {
  const from = join(weapp.dir, 'miniprogram_dist')
  return filesUnder(from).map((file) => {
    const content = readFileSync(join(from, file), 'utf8')
    // JSON cannot carry a comment: a .json file is phonebind's while it is exactly the package's.
    return { file, content: file.endsWith('.json') ? content : headerFor(file, weapp.version) + content }
  })
}

/** The installed phonebind-weapp's miniprogram_dist, copied into wxcomponents/ with phonebind's mark. */
function copyComponent(ctx: FrameworkContext, weapp: { dir: string; version: string }): FileResult[] {
  const to = join(ctx.project.miniprogramRoot, UNI_COMPONENT_DIR)
  return componentCopy(weapp).map(({ file, content }) => writeOwned(join(to, file), content, ctx.force))
}

/** Vue's attribute form of a prop name: `changeNumber` → `change-number`. */
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/**
 * The typed Vue 3 wrapper: every phone-auth property (wrapperProps.ts) bound on the native tag,
 * with the component's defaults, and the three events, each forwarded with its detail. uni's
 * compiler hands a mini-program component's bound props over in one `u-p` object, and its
 * runtime (common/vendor.js wraps `Component`) sets them on the component; the uni-app test checks
 * that on the built output.
 */
export function wrapperSource(version: string): string {
  const bindings = WRAPPER_PROPS.map((p) => `\n    :${kebab(p.name)}="${p.name}"`).join('')
  const types = WRAPPER_PROPS.map((p) => `  ${p.name}?: ${p.type}`).join('\n')
  const defaults = WRAPPER_PROPS.map((p) => `  ${p.name}: ${p.literal},`).join('\n')
  return `${headerFor(UNI_WRAPPER, version)}<template>
  <!-- #ifdef MP-WEIXIN -->
  <${UNI_NATIVE_TAG}${bindings}
    @bound="onBound" @denied="onDenied" @failed="onFailed"
  />
  <!-- #endif -->
</template>

<script setup lang="ts">
/**
 * <PhoneAuth @bound @denied @failed>: phonebind-weapp's native phone-auth component (copied to
 * ${UNI_COMPONENT_DIR}/ and registered as <${UNI_NATIVE_TAG}> in pages.json by \`phonebind init\`).
 * Each handler gets the component's event detail as its argument. The events are lowercase on
 * purpose: a camelCase listener (@getPhoneNumber, @Bound) is how Vue 3 wrappers lose the callback.
 * Every property of phone-auth is a prop here (kebab-case in templates: change-number), with the
 * component's own default. Only the WeChat build renders it (#ifdef MP-WEIXIN); other platforms
 * build and render nothing.
 * Types only from phonebind-weapp: its runtime is the copy in ${UNI_COMPONENT_DIR}/.
 */
import type { PhoneAuthBoundDetail, PhoneAuthDeniedDetail, PhoneAuthFailedDetail } from '${WEAPP_PACKAGE}'

withDefaults(defineProps<{
${types}
}>(), {
${defaults}
})

const emit = defineEmits<{
  bound: [detail: PhoneAuthBoundDetail]
  denied: [detail: PhoneAuthDeniedDetail]
  failed: [detail: PhoneAuthFailedDetail]
}>()

const onBound = (e: { detail: PhoneAuthBoundDetail }) => emit('bound', e.detail)
const onDenied = (e: { detail: PhoneAuthDeniedDetail }) => emit('denied', e.detail)
const onFailed = (e: { detail: PhoneAuthFailedDetail }) => emit('failed', e.detail)
</script>
`
}

async function setup(ctx: FrameworkContext): Promise<boolean> {
  const { out, project } = ctx
  const src = project.miniprogramRoot
  let ok = true

  say(out, '')
  say(out, `uni-app（mp-weixin）— ${rel(project.root, uniOutputDir(project.root))}/ 由 uni build 生成 / written by uni build`)
  const manifest = join(src, 'manifest.json')
  if (!project.cloudfunctionRoot) {
    const cf = relative(uniOutputDir(project.root), join(project.root, 'cloudfunctions')).split(sep).join('/')
    ok = (await applyJsonc(ctx, { file: manifest, path: ['mp-weixin', 'cloudfunctionRoot'], value: `${cf}/` })) && ok
  }
  ok = (await applyJsonc(ctx, { file: join(src, 'pages.json'), path: ['globalStyle', 'usingComponents', UNI_NATIVE_TAG], value: UNI_NATIVE_PATH })) && ok

  const weapp = installedWeapp(project)
  if (!weapp) {
    say(out, `  ! 未安装 ${WEAPP_PACKAGE}：先 npm i ${WEAPP_PACKAGE}，再运行 phonebind init / not installed: npm i ${WEAPP_PACKAGE}, then run phonebind init again`)
    return false
  }
  const attention = printFolder(out, project.root, join(src, UNI_COMPONENT_DIR), copyComponent(ctx, weapp))
  const wrapper = writeOwned(join(src, UNI_WRAPPER), wrapperSource(weapp.version), ctx.force)
  const needsHand = wrapper.outcome === 'user' || wrapper.outcome === 'outdated'
  say(out, `  ${needsHand ? '!' : '✔'} ${rel(project.root, wrapper.path)}  ${OUTCOME_TEXT[wrapper.outcome]}`)
  if (needsHand) attention.push(wrapper)
  return ok && attention.length === 0
}

function nextSteps(project: Project): string[] {
  const src = rel(project.root, project.miniprogramRoot)
  // uni-app's `@` is the source folder (src/ or the HBuilderX project root).
  return [
    `在页面中使用 / in a page (.vue):`,
    `       import PhoneAuth from '@/${UNI_WRAPPER}'`,
    `       <PhoneAuth @bound="onBound" @denied="onDenied" @failed="onFailed" />   // onBound(detail) → detail.phone.masked`,
    `     App.vue onLaunch: // #ifdef MP-WEIXIN  wx.cloud.init({ env: '<envId>' })  // #endif（微信云开发，不是 uniCloud / WeChat CloudBase, not uniCloud）`,
    `     升级 ${WEAPP_PACKAGE} 后运行 phonebind init --force 更新 ${src === '.' ? '' : `${src}/`}${UNI_COMPONENT_DIR}/ / after upgrading ${WEAPP_PACKAGE}, run phonebind init --force to refresh the copy`,
    `     uni build -p mp-weixin，开发者工具打开 / then open in devtools: ${rel(project.root, uniOutputDir(project.root))}/`,
  ]
}

export const uniapp: Framework = {
  name: 'uni-app',
  detect: (root) => uniSourceDir(root) !== undefined,
  locate,
  readSources: (project) => {
    for (const f of SOURCE_FILES) readJsonc(join(project.miniprogramRoot, f))
  },
  usesNpmBuild: false,
  setup,
  nextSteps,
  cloudInit: uniCloudInit,
  doctor: (project) => uniDoctor(project),
}
