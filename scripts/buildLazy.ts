/**
 * @module scripts/buildLazy — an esbuild plugin that makes a bundle containing wx-server-sdk
 * load faster, by deferring the SDK's dependencies that a phone-binding function never needs
 * at start-up (and usually never at all): AI, data models, storage XML, JWT, axios, proxies.
 *
 * Each listed `require('x')`, when made from one of the listed importers, gets a stand-in that
 * loads the real module on first use (property read, call or `new`). The stand-in answers
 * `__esModule` and `typeof` from the real module, measured here at build time, so the
 * TypeScript interop helpers (`__importDefault`) treat it exactly as they would the module.
 * Modules imported through `__importStar` (which enumerates keys) are never listed.
 *
 * The deferred modules are not even in `index.js`: they go to side files (`index.deps-*.js`,
 * uploaded with the folder) so a cold start does not pay to parse code it never runs. The
 * `openapi` file holds what `cloud.openapi.*` needs (multipart form-data); `rare` the rest.
 *
 * `INNER_RULES` defer a few requires made inside those dependencies themselves, wherever the
 * dependency ends up (index.js or a side file): form-data's `mime-types` (with its ~140 KB
 * mime-db) and `https`. Measured, they were most of what the first `wx.openApi` call paid
 * for loading form-data (bench/coldLoad, getPhoneNumber and getOpenData).
 *
 * `SOURCE_RULES` defer a dependency of phonebind's own sources the same way, to its own side file:
 * the Tencent Cloud SMS SDK (≈ 420 KB with its common client), which only `sendSmsCode` bundles
 * and which is needed only when a text is actually sent. Measured (docs/performance.md, "The SMS
 * SDK"): eager, it made sendSmsCode's require ≈ 3× getPhoneNumber's.
 *
 * `@cloudbase/wx-cloud-client-sdk` is special: node-sdk's CloudBase constructor calls its
 * `generateHTTPClient` on every instance (wx-server-sdk makes one per call), so the stand-in
 * also defers that call until `app.models` is actually used.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild'
import { readdirSync, rmSync, statSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SIDE_FILE } from '../packages/phonebind/src/functions'

/** Dependencies deferred when required by one of `LAZY_IMPORTERS`. Pinned SDK versions only. */
export const LAZY_MODULES = [
  '@cloudbase/ai',
  '@cloudbase/app',
  'web-streams-polyfill',
  'jsonwebtoken',
  'xml2js',
  'axios',
  'https-proxy-agent',
  'http-proxy-agent',
  'form-data',
  'mime-db',
  '@cloudbase/wx-cloud-client-sdk',
  // node-sdk needs these only for https URLs or keep-alive, which SCF mode turns off.
  'https',
  'agentkeepalive',
]

/**
 * Which side file each deferred module goes to (default `rare`). MIME tables are needed only
 * for file parts with a name (wx-server-sdk's media uploads), never by the JSON-in-multipart
 * `wx.openApi` request, so they stay out of `openapi`.
 */
const GROUPS: Record<string, string> = { 'form-data': 'openapi' }

/**
 * Requires deferred inside a dependency, whoever imports that dependency (and in side files
 * too). form-data 4.0.x: `mime.lookup` runs only for parts with a name/path/filename (node-sdk's
 * `buildHttpRequestInfo` appends Buffers without one), `https` only in `submit()` (node-sdk
 * uses `getBuffer()`). Both are property reads on the module, which the stand-in forwards.
 */
export const INNER_RULES: { importer: RegExp; modules: string[] }[] = [
  { importer: /node_modules[\\/]form-data[\\/]lib[\\/]form_data\.js$/, modules: ['mime-types', 'https'] },
  // node-fetch 2.x (the Tencent Cloud SDK's HTTP client) reads `whatwgUrl.URL` only where Node's
  // `url` has no `URL` (`Url.URL || whatwgUrl.URL`), never on Node ≥ 10; its `_interopDefault`
  // asks `'default' in`, which the stand-in answers from the build-time shape. ≈ 10 ms of tr46
  // tables off sendSmsCode's first send (docs/performance.md).
  { importer: /node_modules[\\/]node-fetch[\\/]lib[\\/]index\.js$/, modules: ['whatwg-url'] },
]

/**
 * Dependencies of our own sources deferred to a side file of their own (`group`). They are ESM
 * named imports, which esbuild's `__toESM` reads by enumerating the module's keys: their
 * stand-in lists the real module's exports (read at build time), each one loaded on first use,
 * so every export must be a function or class (checked at build time).
 */
export const SOURCE_RULES: { importer: RegExp; module: string; group: string }[] = [
  // server/sms/tencent.ts constructs the client only in front of a SendSms (server/functions/sendSmsCode.ts).
  { importer: /server[\\/]sms[\\/]tencent\.ts$/, module: 'tencentcloud-sdk-nodejs-sms/tencentcloud/services/sms/v20210111/sms_client', group: 'sms' },
]

/** The side files' names: one pattern for the build that writes them and the phonebind CLI that replaces them. */
export { SIDE_FILE }

/** Importers whose requires of `LAZY_MODULES` are deferred: compiled CJS that reads them lazily. */
const LAZY_IMPORTERS = /node_modules[\\/](?:@cloudbase[\\/]node-sdk[\\/]dist|wx-server-sdk[\\/]index\.js)/

interface Shape {
  real: string
  esModule: boolean
  callable: boolean
  /** Whether `'default' in` the module: interop helpers ask it, and the answer must not load it. */
  hasDefault: boolean
  /** The module's own export names whose values are functions or classes. */
  functions: string[]
  /** Its other export names (a `SOURCE_RULES` module must have none). */
  others: string[]
}

/** Per process: requiring a module to learn its shape costs time, and every function shares them. */
const shapes = new Map<string, Shape>()
/** Per process: every function defers the same modules, so each side file is bundled once. */
const sideBuilds = new Map<string, Promise<{ bytes: Uint8Array; met: Deferred[] }>>()

function shapeOf(realPath: string): Shape {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require(realPath) as unknown
  const names = m && typeof m === 'object' ? Object.keys(m) : []
  const isFunction = (k: string) => typeof (m as Record<string, unknown>)[k] === 'function'
  return {
    real: realPath,
    esModule: Boolean(m && (m as { __esModule?: unknown }).__esModule),
    callable: typeof m === 'function',
    hasDefault: Boolean(m && (typeof m === 'object' || typeof m === 'function') && 'default' in m),
    functions: names.filter(isFunction),
    others: names.filter((k) => !isFunction(k) && k !== '__esModule'),
  }
}

const LAZY_RUNTIME = `
function __lazyModule(load, esModule, callable, hasDefault) {
  var target = callable ? function () {} : {};
  return new Proxy(target, {
    get: function (t, k) { return k === '__esModule' ? esModule : load()[k]; },
    set: function (t, k, v) { load()[k] = v; return true; },
    has: function (t, k) { return k === 'default' && hasDefault !== undefined ? hasDefault : k in load(); },
    apply: function (t, self, args) { return Reflect.apply(load(), self, args); },
    construct: function (t, args) { return Reflect.construct(load(), args); },
  });
}
function __lazyValue(make) {
  var v, done = false;
  function get() { if (!done) { v = make(); done = true; } return v; }
  return new Proxy({}, {
    get: function (t, k) { return Reflect.get(get(), k); },
    set: function (t, k, val) { get()[k] = val; return true; },
    has: function (t, k) { return k in get(); },
    ownKeys: function () { return Reflect.ownKeys(get()); },
    getOwnPropertyDescriptor: function (t, k) {
      var d = Reflect.getOwnPropertyDescriptor(get(), k);
      if (d) d.configurable = true;
      return d;
    },
  });
}
`

function standIn(name: string, s: Shape, file: string | null, key: string): string {
  // A node built-in is required directly; a package comes from its side file.
  const target = file === null ? `require(${JSON.stringify(name)})` : `require(${JSON.stringify('./' + file)})[${JSON.stringify(key)}]()`
  const load = `var real; function load() { return real || (real = ${target}); }`
  if (name === 'agentkeepalive') {
    // Imported with __importStar, which would enumerate a plain stand-in: answer as an ES
    // module whose members are the (constructible) classes, each loaded on first use.
    return `${LAZY_RUNTIME}${load}
function member(k) { return __lazyModule(function () { return k === 'default' ? load() : load()[k]; }, false, true); }
module.exports = { __esModule: true, default: member('default'), HttpAgent: member('HttpAgent'), HttpsAgent: member('HttpsAgent') };
`
  }
  if (SOURCE_RULES.some((r) => r.module === name)) {
    if (s.others.length > 0 || s.functions.length === 0) throw new Error(`cannot defer ${name}: its exports ${s.others.join(', ') || '(none)'} are not functions`)
    const members = s.functions.map((k) => `${JSON.stringify(k)}: __lazyModule(function () { return load()[${JSON.stringify(k)}]; }, false, true)`).join(', ')
    return `${LAZY_RUNTIME}${load}
module.exports = { __esModule: true, ${members} };
`
  }
  if (name === '@cloudbase/wx-cloud-client-sdk') {
    return `${LAZY_RUNTIME}${load}
function api() { var m = load(); return m.default || m; }
var client = {
  init: function () { return api().init.apply(null, arguments); },
  generateHTTPClient: function () { var a = arguments; return __lazyValue(function () { return api().generateHTTPClient.apply(null, a); }); },
  generateMySQLClient: function () { var a = arguments; return __lazyValue(function () { return api().generateMySQLClient.apply(null, a); }); },
};
module.exports = { __esModule: true, default: client, init: client.init, generateHTTPClient: client.generateHTTPClient, generateMySQLClient: client.generateMySQLClient };
`
  }
  return `${LAZY_RUNTIME}${load}
module.exports = __lazyModule(load, ${s.esModule}, ${s.callable}, ${s.hasDefault});
`
}

type Deferred = { group: string; key: string; real: string }

function escapeRe(m: string): string {
  return m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/**
 * The esbuild plugin that swaps a deferred require for its stand-in. `defers` decides per
 * (module, importer); `place` names the side-file key of a package (built-ins need none).
 */
function deferralPlugin(names: string[], defers: (name: string, importer: string) => boolean, place: (group: string, name: string, real: string) => string): Plugin {
  const filter = new RegExp(`^(${names.map(escapeRe).join('|')})$`)
  return {
    name: 'lazy-dependencies',
    setup(b) {
      b.onResolve({ filter: /^\.\/index\.deps-[a-z]+\.js$/ }, (args) => ({ path: args.path, external: true }))
      b.onResolve({ filter }, async (args) => {
        if (args.pluginData?.lazyInner || !defers(args.path, args.importer)) return undefined
        const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { lazyInner: true } })
        if (r.errors.length > 0 || !r.path) return undefined
        let s = shapes.get(r.path)
        if (!s) {
          s = shapeOf(r.path)
          shapes.set(r.path, s)
        }
        if (r.external) {
          return { path: args.path, namespace: 'lazy-dep', pluginData: { name: args.path, shape: s, file: null, key: args.path } }
        }
        const group = GROUPS[args.path] ?? SOURCE_RULES.find((r) => r.module === args.path)?.group ?? 'rare'
        const key = place(group, args.path, r.path)
        return { path: r.path, namespace: 'lazy-dep', pluginData: { name: args.path, shape: s, file: `index.deps-${group}.js`, key } }
      })
      b.onLoad({ filter: /.*/, namespace: 'lazy-dep' }, (args) => {
        const { name, shape, file, key } = args.pluginData as { name: string; shape: Shape; file: string | null; key: string }
        return { contents: standIn(name, shape, file, key), loader: 'js' }
      })
    },
  }
}

const innerNames = [...new Set(INNER_RULES.flatMap((r) => r.modules))]
function innerDefers(name: string, importer: string): boolean {
  return INNER_RULES.some((r) => r.modules.includes(name) && r.importer.test(importer))
}

/**
 * One build's deferral: `plugin` for the main bundle, then `buildSideFiles` writes the
 * deferred modules it met into `index.deps-<group>.js` beside the bundle. `modules` are the
 * SDK's requires to defer (a function may keep some in index.js); `INNER_RULES` always apply.
 */
export function createLazySplit(modules: string[] = LAZY_MODULES): {
  plugin: Plugin
  buildSideFiles(outDir: string, base: BuildOptions): Promise<{ file: string; bytes: number }[]>
} {
  /** group → key → real path */
  const groups = new Map<string, Map<string, string>>()

  function keyFor(group: string, name: string, real: string): string {
    const g = groups.get(group) ?? new Map<string, string>()
    groups.set(group, g)
    for (const [k, p] of g) if (p === real) return k
    let key = name
    for (let i = 2; g.has(key); i++) key = `${name}#${i}`
    g.set(key, real)
    return key
  }

  const plugin = deferralPlugin(
    [...new Set([...modules, ...innerNames, ...SOURCE_RULES.map((r) => r.module)])],
    (name, importer) => (modules.includes(name) && LAZY_IMPORTERS.test(importer)) || innerDefers(name, importer) || SOURCE_RULES.some((r) => r.module === name && r.importer.test(importer)),
    keyFor,
  )

  /** Bundles one side file; its own inner deferrals may add entries to (other) groups. */
  async function buildGroup(group: string, contents: string, outDir: string, base: BuildOptions): Promise<Uint8Array> {
    const cacheKey = JSON.stringify([contents, base.minify, base.minifyWhitespace, base.minifySyntax, base.minifyIdentifiers, base.target, base.sourcemap, base.banner])
    let pending = sideBuilds.get(cacheKey)
    if (!pending) {
      const met: Deferred[] = []
      const inner = deferralPlugin(innerNames, innerDefers, (g, name, real) => {
        // A fixed key per module, so a cached build's output stays valid for every function.
        met.push({ group: g, key: name, real })
        return name
      })
      const options: BuildOptions = {
        ...base,
        entryPoints: undefined,
        stdin: { contents, resolveDir: outDir, loader: 'js', sourcefile: `deps-${group}.js` },
        outfile: join(outDir, `index.deps-${group}.js`),
        write: false,
        plugins: [...(base.plugins ?? []), inner],
      }
      pending = build(options).then((r) => ({ bytes: r.outputFiles?.find((f) => f.path.endsWith('.js'))?.contents ?? new Uint8Array(), met }))
      sideBuilds.set(cacheKey, pending)
      // A failed build must not be cached.
      pending.catch(() => sideBuilds.delete(cacheKey))
    }
    const { bytes, met } = await pending
    for (const d of met) {
      if (keyFor(d.group, d.key, d.real) !== d.key) throw new Error(`deferred ${d.key} (${d.real}) collides with another module of that name in index.deps-${d.group}.js`)
    }
    return bytes
  }

  async function buildSideFiles(outDir: string, base: BuildOptions): Promise<{ file: string; bytes: number }[]> {
    for (const f of readdirSync(outDir)) if (SIDE_FILE.test(f)) rmSync(join(outDir, f))
    const written = new Map<string, string>()
    // Until no side file's own deferrals add to a group already written.
    for (;;) {
      const stale = [...groups].map(([g, entries]) => [g, sideContents(entries)] as const).filter(([g, c]) => written.get(g) !== c)
      if (stale.length === 0) break
      for (const [group, contents] of stale) {
        await writeFile(join(outDir, `index.deps-${group}.js`), await buildGroup(group, contents, outDir, base))
        written.set(group, contents)
      }
    }
    return [...written.keys()].sort().map((g) => {
      const file = join(outDir, `index.deps-${g}.js`)
      return { file, bytes: statSync(file).size }
    })
  }

  return { plugin, buildSideFiles }
}

function sideContents(entries: Map<string, string>): string {
  // Sorted: functions build in parallel, so the order modules are met in varies; the file must not.
  return 'module.exports = {\n' + [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, p]) => `  ${JSON.stringify(k)}: function () { return require(${JSON.stringify(p)}); },`).join('\n') + '\n};\n'
}
