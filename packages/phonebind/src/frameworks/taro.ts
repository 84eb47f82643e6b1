/**
 * @module phonebind/frameworks/taro — phonebind in a Taro project (React, `taro build --type weapp`).
 *
 * Taro compiles `src/` into the devtools folder (`outputRoot`, the project's miniprogramRoot) and
 * never runs 构建npm, so the native component reaches the build the way Taro's docs give for
 * native components: copied by `copy.patterns` in config/index.* ("用于把文件从源码目录直接拷贝到编译
 * 后的生产目录", from/to relative to the project root — https://docs.taro.zone/docs/config-detail#copy)
 * and registered in the page's config `usingComponents` ("Taro3 的组件是没有配置文件的，因此
 * usingComponents 必须配置在「页面」的配置文件中" — https://docs.taro.zone/docs/hybrid). React binds
 * its events as `on` + camel case (same page). init writes the typed React wrapper
 * (taroWrapper.ts), adds the copy pattern to config/index.* when the file has the one plain
 * `copy: { patterns: [ … ] }` that Taro's template writes, and otherwise prints the line to add.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { confirmChange } from '../ask'
import { say } from '../command'
import { shippedVersion } from '../functions'
import { writeOwned } from '../owned'
import { type Project } from '../project'
import { printFolder, rel } from '../report'
import type { Framework, FrameworkContext } from './detect'
import { taroCloudInit, taroEnvCheck, taroSetupChecks } from './taroDoctor'
import { TARO_COMPONENT_DIR, TARO_TAG, TARO_USING_PATH, taroWrapper } from './taroWrapper'
import { readJsonFile, readUserText } from '../userFile'

const CONFIG_NAMES = ['index.ts', 'index.js', 'index.mjs', 'index.cjs']

function configFile(root: string): string | undefined {
  return CONFIG_NAMES.map((n) => join(root, 'config', n)).find((f) => existsSync(f))
}

/**
 * package.json names an @tarojs/ package. Asked only where config/index.* exists, so a broken
 * package.json there is reported (UserFileError) rather than taken for "not Taro".
 */
function usesTaro(root: string): boolean {
  const file = join(root, 'package.json')
  if (!existsSync(file)) return false
  const pkg = readJsonFile(file, { comments: false }) as Record<string, Record<string, string> | undefined>
  return [pkg.dependencies, pkg.devDependencies].some((deps) => Object.keys(deps ?? {}).some((d) => d.startsWith('@tarojs/')))
}

/** The copy pattern, as it is written into config/index.* (outputRoot = the project's miniprogramRoot). */
export function taroCopyPattern(project: Project): string {
  return `{ from: 'node_modules/phonebind-weapp/miniprogram_dist', to: '${rel(project.root, project.miniprogramRoot)}/${TARO_COMPONENT_DIR}' }`
}

export type CopyEdit = { kind: 'present' } | { kind: 'insert'; next: string } | { kind: 'manual' }

/**
 * Adds the pattern after the `[` of the only `copy: { patterns: [` in the file. Anything else
 * (no copy block, two of them, patterns computed by code) is left to the user: a wrong guess in
 * someone's build config costs more than one printed line.
 */
export function copyEdit(text: string, pattern: string): CopyEdit {
  if (text.includes('phonebind-weapp/miniprogram_dist')) return { kind: 'present' }
  // Exactly one `copy:` in the file (an h5 or per-platform copy block makes "the" one ambiguous) …
  if ((text.match(/\bcopy\s*:/g) ?? []).length !== 1) return { kind: 'manual' }
  // … holding a literal `patterns: [` (patterns built by code are the user's business).
  const m = /^([ \t]*)copy\s*:\s*\{\s*\n?([ \t]*)patterns\s*:\s*\[/m.exec(text)
  if (!m) return { kind: 'manual' }
  const at = m.index + m[0].length
  const lineIndent = m[2] || `${m[1]}  `
  const closeNow = /^\s*\]/.test(text.slice(at)) && !/^[ \t]*\n/.test(text.slice(at)) ? `\n${lineIndent}` : ''
  return { kind: 'insert', next: `${text.slice(0, at)}\n${lineIndent}  ${pattern},${closeNow}${text.slice(at)}` }
}

/** Taro's `sourceRoot` as config/index.* sets it (default `src`). */
function sourceRoot(root: string): string {
  const file = configFile(root)
  const found = file ? /\bsourceRoot\s*:\s*['"]([^'"]+)['"]/.exec(readUserText(file)) : null
  return found ? found[1]! : 'src'
}

/** The wrapper's path inside the project. */
export function taroWrapperPath(root: string): string {
  return join(root, sourceRoot(root), 'components', TARO_TAG, 'index.tsx')
}

async function addCopyPattern(ctx: FrameworkContext): Promise<boolean> {
  const { out, project } = ctx
  const file = configFile(project.root)!
  const name = rel(project.root, file)
  const pattern = taroCopyPattern(project)
  const text = readUserText(file)
  const edit = copyEdit(text, pattern)
  if (edit.kind === 'present') {
    say(out, `  ✔ ${name}  已有 phonebind-weapp 的 copy 配置 / already copies phonebind-weapp`)
    return true
  }
  if (edit.kind === 'manual') {
    say(out, `  ! ${name}: 没有可以安全修改的 copy.patterns，请手动添加 / no copy.patterns init can safely edit; add by hand:`)
    say(out, `      copy: { patterns: [ ${pattern} ] }`)
    return false
  }
  say(out, `  ${name} 需要添加 / needs this addition:`)
  say(out, `    + copy.patterns: ${pattern}`)
  if (!(await confirmChange(ctx.io, ctx.yes, name))) return false
  writeFileSync(file, edit.next)
  say(out, `  ✔ ${name}  已添加 / added`)
  return true
}

export const taro: Framework = {
  name: 'Taro',
  usesNpmBuild: false,
  detect: (root) => configFile(root) !== undefined && usesTaro(root),
  readSources(project) {
    readUserText(configFile(project.root)!)
    if (project.packageJson) readJsonFile(project.packageJson, { comments: false })
  },
  async setup(ctx) {
    const { out, project } = ctx
    say(out, '')
    say(out, 'Taro（React，weapp）')
    const copied = await addCopyPattern(ctx)
    const wrapper = taroWrapperPath(project.root)
    const written = writeOwned(wrapper, taroWrapper(shippedVersion()), ctx.force)
    printFolder(out, project.root, join(wrapper, '..'), [written])
    return copied
  },
  cloudInit: (project) => taroCloudInit(sourceRoot(project.root)),
  doctor(project) {
    const source = sourceRoot(project.root)
    return { env: taroEnvCheck(project, source), setup: taroSetupChecks(project, source, configFile(project.root)!, taroCopyPattern(project)) }
  },
  nextSteps(project) {
    const wrapper = rel(project.root, taroWrapperPath(project.root))
    return [
      `在使用组件的页面配置注册原生组件 / register the native component in the page's config (e.g. src/pages/profile/index.config.ts):`,
      `       usingComponents: { '${TARO_TAG}': '${TARO_USING_PATH}' }`,
      `     页面中 / in the page:  import PhoneAuth from '<相对路径 / relative path>/${wrapper.replace(/^[^/]+\//, '').replace(/\/index\.tsx$/, '')}'`,
      `       <PhoneAuth onBound={(d) => setMasked(d.phone.masked)} onDenied={…} onFailed={(d) => …d.error.code} />`,
      `     app.ts useLaunch: Taro.cloud.init({ env: '<envId>' })；taro build --type weapp（copy 配置把组件带入 / the copy pattern brings the component into ${rel(project.root, project.miniprogramRoot)}/）`,
    ]
  },
}
