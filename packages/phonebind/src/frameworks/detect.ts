/**
 * @module phonebind/frameworks/detect — which front-end framework builds this mini program, one
 * row per framework. A framework project (uni-app, Taro) is not a devtools project one writes by
 * hand: its pages are compiled into the devtools folder, so the component has to reach the build
 * output the framework's own way, and init adds that step after the common ones.
 */
import type { Writable } from 'node:stream'
import type { Check } from '../checks'
import type { CliIO } from '../command'
import type { Project } from '../project'
import type { CloudInitPlace } from './sourceChecks'
import { taro } from './taro'
import { uniapp } from './uniapp'

export interface FrameworkContext {
  io: CliIO
  out: Writable
  project: Project
  /** --yes: apply edits without asking. */
  yes: boolean
  /** --force: replace phonebind's own older files (never the user's). */
  force: boolean
}

export interface Framework {
  /** Shown to the user. */
  name: string
  /** Does the project at `root` use this framework? */
  detect(root: string): boolean
  /**
   * For a framework whose sources hold no project.config.json (uni-app writes it into its build
   * output): the project around `cwd` as phonebind sees it, or undefined. init then edits no
   * project.config.json — the framework's build writes that file.
   */
  locate?(cwd: string): Project | undefined
  /**
   * Reads every file of the user's that setup reads, throwing a UserFileError (userFile.ts) for
   * the first one phonebind cannot use: init calls it before writing anything, so a broken
   * pages.json or config/index.* stops init with the project untouched.
   */
  readSources(project: Project): void
  /** False when the framework brings npm packages into its build itself (no 构建npm setting). */
  usesNpmBuild: boolean
  /** Adds phonebind the framework's way; false when something still needs the user's hand. */
  setup(ctx: FrameworkContext): Promise<boolean>
  /** Where the app calls the cloud's init (Taro.cloud.init in src/app.*, …): doctor's env check and init's step 3. */
  cloudInit(project: Project): CloudInitPlace
  /** The framework's own next steps (replace the plain project's step 1). */
  nextSteps(project: Project): string[]
  /** doctor's checks that read the framework's sources instead of the build output: the env id,
   * and those replacing the component + 构建npm checks; the appid where the sources hold no
   * project.config.json (uni-app: manifest.json). Absent: the plain checks. */
  doctor?(project: Project): { appid?: Check; env: Check; setup: Check[] }
}

/** One row per framework; the first that recognises the project wins. */
export const FRAMEWORKS: readonly Framework[] = [
  uniapp,
  taro,
]

export function detectFramework(root: string): Framework | undefined {
  return FRAMEWORKS.find((f) => f.detect(root))
}

/** A framework project around `cwd` that has no project.config.json of its own, if any. */
export function locateFrameworkProject(cwd: string): { framework: Framework; project: Project } | undefined {
  for (const framework of FRAMEWORKS) {
    const project = framework.locate?.(cwd)
    if (project) return { framework, project }
  }
  return undefined
}
