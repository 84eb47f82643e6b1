/**
 * The checks devtools would otherwise make at import time: every page and component exists as a
 * full quartet, every `usingComponents` path resolves (npm paths through miniprogram_npm/, which
 * 构建npm wrote), every WXML event handler exists in the component's methods, and every JSON file
 * parses. Also the 构建npm set-up itself: the package.json devtools reads, and what it produced.
 */
import * as fs from 'fs'
import * as path from 'path'
import { resolveUsingComponent } from './helpers'

const REPO = path.resolve(__dirname, '../..')
const projectConfig = JSON.parse(fs.readFileSync(path.join(REPO, 'project.config.json'), 'utf8'))
const MP = path.join(REPO, projectConfig.miniprogramRoot ?? 'miniprogram/')

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
}
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'))
const rel = (file: string) => path.relative(REPO, file)
const scriptOf = (base: string) => ['.ts', '.js'].map((ext) => base + ext).find((f) => fs.existsSync(f))

/** Pages from app.json plus every component reachable through usingComponents (base paths, no extension). */
function collectUnits(): { pages: string[]; components: string[]; unresolved: string[] } {
  const app = readJson(path.join(MP, 'app.json'))
  const pages = (app.pages as string[]).map((p) => path.join(MP, p))
  const components = new Set<string>()
  const unresolved: string[] = []
  const visit = (jsonFile: string, using: Record<string, string> | undefined) => {
    for (const [tag, target] of Object.entries(using ?? {})) {
      if (/^plugin(-private)?:\/\//.test(target)) continue
      const base = resolveUsingComponent(jsonFile, target, MP)
      if (!base) { unresolved.push(`${rel(jsonFile)}: <${tag}> → ${target}`); continue }
      if (components.has(base)) continue
      components.add(base)
      visit(`${base}.json`, readJson(`${base}.json`).usingComponents)
    }
  }
  visit(path.join(MP, 'app.json'), app.usingComponents)
  for (const page of pages) if (fs.existsSync(`${page}.json`)) visit(`${page}.json`, readJson(`${page}.json`).usingComponents)
  return { pages, components: [...components], unresolved }
}

/** `Component({...})` options of a page or component, by running its script with a capturing constructor. */
function definitionOf(base: string): { methods?: Record<string, unknown> } {
  let captured: { methods?: Record<string, unknown> } | undefined
  const g = globalThis as unknown as Record<string, unknown>
  const saved = { Component: g.Component, Page: g.Page }
  g.Component = (o: typeof captured) => { captured = o }
  g.Page = (o: Record<string, unknown>) => { captured = { methods: o } } // Page handlers sit at top level
  try {
    jest.isolateModules(() => { require(scriptOf(base)!) })
  } finally {
    Object.assign(g, saved)
  }
  if (!captured) throw new Error(`${rel(base)} registers no Component()/Page()`)
  return captured
}

const HANDLER_RE = /\s(?:capture-|mut-)?(?:bind|catch):?([A-Za-z][\w-]*)="([^"]*)"/g
function handlersIn(wxml: string): Array<{ event: string; handler: string }> {
  return [...wxml.matchAll(HANDLER_RE)].filter((m) => !m[2].includes('{{')).map((m) => ({ event: m[1], handler: m[2] }))
}

const units = collectUnits()
const all = [...units.pages.map((p) => ({ kind: 'page', base: p })), ...units.components.map((c) => ({ kind: 'component', base: c }))]

test('project.config.json points at folders that exist', () => {
  expect(fs.existsSync(MP)).toBe(true)
  expect(fs.existsSync(path.join(REPO, projectConfig.cloudfunctionRoot))).toBe(true)
  expect(projectConfig.setting.useCompilerPlugins).toContain('typescript')
})

test('app has app.ts, app.json, app.wxss and its sitemap', () => {
  const app = readJson(path.join(MP, 'app.json'))
  for (const f of ['app.json', 'app.wxss']) expect(fs.existsSync(path.join(MP, f))).toBe(true)
  expect(scriptOf(path.join(MP, 'app'))).toBeDefined()
  if (app.sitemapLocation) expect(fs.existsSync(path.join(MP, app.sitemapLocation))).toBe(true)
  expect(app.pages.length).toBeGreaterThan(0)
})

test('every JSON file under the mini program, and project.config.json, parses', () => {
  const bad: string[] = []
  for (const file of [...walk(MP).filter((f) => f.endsWith('.json')), path.join(REPO, 'project.config.json')]) {
    try { JSON.parse(fs.readFileSync(file, 'utf8')) } catch (e) { bad.push(`${rel(file)}: ${(e as Error).message}`) }
  }
  expect(bad).toEqual([])
})

test('every usingComponents path resolves, the npm one through miniprogram_npm', () => {
  expect(units.unresolved).toEqual([])
  const pageUsing = readJson(path.join(MP, 'pages/index/index.json')).usingComponents
  expect(pageUsing['phone-auth']).toBe('phonebind-weapp/phone-auth/index') // what a user writes, per the README
  expect(units.components.map(rel)).toContain('miniprogram/miniprogram_npm/phonebind-weapp/phone-auth/index')
})

test('a resolution rule: relative first, then the nearest miniprogram_npm, never outside the root', () => {
  expect(resolveUsingComponent(path.join(MP, 'pages/index/index.json'), 'phonebind-weapp/phone-auth/index', MP)).toBe(path.join(MP, 'miniprogram_npm/phonebind-weapp/phone-auth/index'))
  expect(resolveUsingComponent(path.join(MP, 'pages/index/index.json'), '/miniprogram_npm/phonebind-weapp/phone-auth/index', MP)).toBe(path.join(MP, 'miniprogram_npm/phonebind-weapp/phone-auth/index'))
  expect(resolveUsingComponent(path.join(MP, 'pages/index/index.json'), './phonebind-weapp/phone-auth/index', MP)).toBeNull()
  expect(resolveUsingComponent(path.join(MP, 'pages/index/index.json'), 'phonebind-weapp/no-such/index', MP)).toBeNull()
})

describe('构建npm', () => {
  const relations: Array<{ packageJsonPath: string; miniprogramNpmDistDir: string }> = projectConfig.setting.packNpmRelationList ?? []

  test('package.json sits outside miniprogramRoot, so 构建npm is manual and pointed at it', () => {
    expect(projectConfig.setting.packNpmManually).toBe(true)
    expect(relations).toHaveLength(1)
    expect(path.resolve(REPO, relations[0].packageJsonPath)).toBe(path.join(REPO, 'package.json'))
    expect(path.resolve(REPO, relations[0].miniprogramNpmDistDir)).toBe(path.resolve(MP))
  })

  test('that package.json depends on phonebind-weapp and on nothing else: 构建npm packs every dependency into the mini program', () => {
    const pkg = readJson(path.join(REPO, 'package.json'))
    expect(pkg.dependencies).toEqual({ 'phonebind-weapp': 'file:packages/weapp' })
    expect(readJson(path.join(REPO, 'packages/weapp/package.json')).miniprogram).toBe('miniprogram_dist')
  })

  test('miniprogram_npm/phonebind-weapp is exactly what the package build produced', () => {
    const dist = path.join(REPO, 'packages/weapp/miniprogram_dist')
    const packed = path.join(MP, 'miniprogram_npm/phonebind-weapp')
    const files = (dir: string) => walk(dir).map((f) => path.relative(dir, f)).sort()
    expect(files(packed)).toEqual(files(dist))
    for (const f of files(dist)) expect({ f, same: fs.readFileSync(path.join(packed, f)).equals(fs.readFileSync(path.join(dist, f))) }).toEqual({ f, same: true })
  })
})

test.each(all.map((u) => [u.kind, rel(u.base), u.base]))('%s %s has its script, .wxml, .wxss and .json', (kind, _name, base) => {
  const missing = ['.wxml', '.wxss', '.json'].filter((ext) => !fs.existsSync(base + ext))
  if (!scriptOf(base)) missing.push('.ts')
  expect(missing).toEqual([])
  const json = readJson(`${base}.json`)
  if (kind === 'component') expect(json.component).toBe(true)
  else expect(json.usingComponents).toBeDefined() // Component()-written pages need it
})

test.each(all.map((u) => [rel(u.base), u.base]))('%s: every handler named in WXML exists in its methods', (_name, base) => {
  const { methods = {} } = definitionOf(base)
  const handlers = handlersIn(fs.readFileSync(`${base}.wxml`, 'utf8'))
  expect(handlers.length).toBeGreaterThan(0)
  expect(handlers.filter((h) => typeof methods[h.handler] !== 'function').map((h) => `${h.event}="${h.handler}"`)).toEqual([])
})

test('the handler scan finds every binding form', () => {
  const found = handlersIn('<view bindtap="a" bind:tap="b" catchtap="c" catch:longpress="d" capture-bind:touchstart="e" mut-bind:tap="f" bindtap="{{dyn}}"/>')
  expect(found.map((h) => h.handler)).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
})
