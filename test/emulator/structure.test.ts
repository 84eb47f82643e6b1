/**
 * The emulator's import graph (issue 12, "Structure"; reviews/aesthetics.md §3.2-§3.3): no import
 * circle anywhere in emulator/, and no arrow from emulator/ into scripts/ (the build tool).
 *
 * Edges come from TypeScript's own preprocessor and module resolver, not esbuild's metafile:
 * esbuild drops `import type` before resolving, and the circle this test was written against
 * (wechat.ts → phone.ts/session.ts → wechat.ts) was type-only in one direction. Type-only
 * imports, `export … from` and dynamic `import()` all count as arrows here.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import * as ts from 'typescript'

const ROOT = resolve(__dirname, '../..')

type Graph = Map<string, string[]>

/** Every `.ts` file under `dir` (repository-relative, `/`-separated), tests included. */
function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(path)
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : []
  })
}

/** file → the repository files it imports (packages left out). */
function importGraph(dir: string): Graph {
  const options: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, allowJs: true }
  const graph: Graph = new Map()
  for (const file of tsFiles(dir)) {
    const abs = join(ROOT, file)
    const { importedFiles } = ts.preProcessFile(readFileSync(abs, 'utf8'), true, true)
    const targets = new Set<string>()
    for (const { fileName } of importedFiles) {
      // Packages are not ours; assets (the console page's CSS, JSON data) import nothing.
      if (!fileName.startsWith('.') || /\.(css|json|html|svg)$/.test(fileName)) continue
      const resolved = ts.resolveModuleName(fileName, abs, options, ts.sys).resolvedModule?.resolvedFileName
      if (!resolved) throw new Error(`${file}: cannot resolve ${fileName}`)
      if (!resolved.includes('/node_modules/')) targets.add(relative(ROOT, resolved).split('\\').join('/'))
    }
    graph.set(file, [...targets].sort())
  }
  return graph
}

/** The graph's circles: strongly connected components of two or more files, or a file importing itself (Tarjan). */
function findCycles(graph: Graph): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue // outside the scanned folder: cannot close a circle inside it
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || graph.get(v)!.includes(v)) cycles.push(component.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return cycles
}

describe('the cycle finder', () => {
  it('reports a circle, a self-import and nothing for a chain', () => {
    const graph: Graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', ['e']],
      ['e', []],
      ['s', ['s']],
    ])
    expect(findCycles(graph)).toEqual([['a', 'b', 'c'], ['s']])
    expect(findCycles(new Map([['x', ['y']], ['y', ['outside']]]))).toEqual([])
  })
})

describe('emulator/ import graph', () => {
  const graph = importGraph('emulator')

  it('sees type-only imports and re-exports (the arrows esbuild would not show)', () => {
    // `import type { TestUser, WeChatApp } from '../wechat/state'` and `export type … from './snapshot'`
    expect(graph.get('emulator/client/index.ts')).toContain('emulator/wechat/state.ts')
    expect(graph.get('emulator/wechat/state.ts')).toContain('emulator/wechat/snapshot.ts')
  })

  it('has no import circle', () => {
    expect(findCycles(graph)).toEqual([])
  })

  it('keeps WeChat state below its operations: state.ts and snapshot.ts import no operation or façade', () => {
    const operations = ['accounts', 'session', 'phone', 'control', 'wechat'].map((m) => `emulator/wechat/${m}.ts`)
    for (const low of ['emulator/wechat/state.ts', 'emulator/wechat/snapshot.ts']) {
      expect(graph.get(low)!.filter((t) => operations.includes(t))).toEqual([])
    }
  })

  it('has no arrow into scripts/ from product code (building is the CLI\'s job, not the emulator\'s)', () => {
    // Specs beside the code are left out: like test/, they may build their fixture functions with
    // the build tool (runner/*.test.ts do); what must not depend on it is the emulator itself.
    const product = [...graph].filter(([from]) => !from.endsWith('.test.ts'))
    const intoScripts = product.flatMap(([from, to]) => to.filter((t) => t.startsWith('scripts/')).map((t) => `${from} → ${t}`))
    expect(intoScripts).toEqual([])
  })
})
