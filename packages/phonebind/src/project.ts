/**
 * @module phonebind/project — a WeChat devtools project as phonebind sees it: the folder with
 * `project.config.json` (searched upwards from the cwd, as devtools' import does not go down),
 * its `miniprogramRoot` and `cloudfunctionRoot`, and the `package.json` 构建npm reads.
 * JSON files are re-written with their own indentation so an added key is the only diff.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { ProjectError, readJsonFile } from './userFile'

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
export type JsonObject = { [k: string]: Json }

export interface Project {
  /** The folder holding project.config.json. */
  root: string
  configFile: string
  config: JsonObject
  /** `project.private.config.json` if present (devtools lets it override appid and settings). */
  privateConfig?: JsonObject
  /** Absolute; the project root when `miniprogramRoot` is not set (devtools' default). */
  miniprogramRoot: string
  /** Absolute, or undefined when the project has no `cloudfunctionRoot`. */
  cloudfunctionRoot?: string
  /** The package.json nearest to the project (its folder or above), where `npm i` wrote. */
  packageJson?: string
}

export { ProjectError } from './userFile'

export function findProjectRoot(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'project.config.json'))) return dir
    if (dirname(dir) === dir) return undefined
  }
}

/** A strict-JSON object file; a broken one is a UserFileError naming its line:column (userFile.ts). */
export function readJsonObject(file: string): JsonObject {
  return readJsonFile(file, { comments: false })
}

/** The indentation a JSON file uses (its first indented line), default two spaces. */
export function jsonIndent(text: string): string | number {
  const m = /\n([ \t]+)"/.exec(text)
  return m ? m[1]! : 2
}

/** Writes `value` in the style of the file it replaces (indent, final newline). */
export function writeJsonLike(file: string, value: Json, previousText?: string): void {
  const indent = previousText === undefined ? 2 : jsonIndent(previousText)
  const newline = previousText === undefined || previousText.endsWith('\n') ? '\n' : ''
  writeFileSync(file, JSON.stringify(value, null, indent) + newline)
}

function stringField(o: JsonObject, key: string): string | undefined {
  const v = o[key]
  return typeof v === 'string' && v.trim() !== '' ? v : undefined
}

export function loadProject(cwd: string): Project {
  const root = findProjectRoot(cwd)
  if (!root) {
    throw new ProjectError(
      `在 ${cwd} 及其上级目录中找不到 project.config.json：请在微信开发者工具的项目目录中运行 / no project.config.json in ${cwd} or above: run this inside a WeChat devtools project`,
    )
  }
  const configFile = join(root, 'project.config.json')
  const config = readJsonObject(configFile)
  const privateFile = join(root, 'project.private.config.json')
  const privateConfig = existsSync(privateFile) ? readJsonObject(privateFile) : undefined
  const mp = stringField(config, 'miniprogramRoot')
  const cf = stringField(config, 'cloudfunctionRoot')
  let packageJson: string | undefined
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      packageJson = join(dir, 'package.json')
      break
    }
    if (dirname(dir) === dir) break
  }
  return {
    root,
    configFile,
    config,
    privateConfig,
    miniprogramRoot: mp ? resolve(root, mp) : root,
    cloudfunctionRoot: cf ? resolve(root, cf) : undefined,
    packageJson,
  }
}

/** `./miniprogram/`-style path of `abs` relative to the project root, as devtools writes them. */
export function projectRelative(project: Project, abs: string): string {
  const rel = relative(project.root, abs).split(sep).join('/')
  return rel === '' ? './' : `./${rel}/`
}

/** Is `inner` the folder `outer` or inside it? */
export function isInside(outer: string, inner: string): boolean {
  const rel = relative(outer, inner)
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel))
}

/** The appid devtools uses: project.private.config.json's wins over project.config.json's. */
export function effectiveAppid(project: Project): string | undefined {
  return (project.privateConfig && stringField(project.privateConfig, 'appid')) ?? stringField(project.config, 'appid')
}
