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
 * `@cloudbase/wx-cloud-client-sdk` is special: node-sdk's CloudBase constructor calls its
 * `generateHTTPClient` on every instance (wx-server-sdk makes one per call), so the stand-in
 * also defers that call until `app.models` is actually used.
 */
import type { Plugin } from 'esbuild'
import { dirname } from 'node:path'

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
]

/** Importers whose requires of `LAZY_MODULES` are deferred: compiled CJS that reads them lazily. */
const LAZY_IMPORTERS = /node_modules[\\/](?:@cloudbase[\\/]node-sdk[\\/]dist|wx-server-sdk[\\/]index\.js)/

interface Shape {
  real: string
  esModule: boolean
  callable: boolean
}

function shapeOf(realPath: string): Shape {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require(realPath) as unknown
  return {
    real: realPath,
    esModule: Boolean(m && (m as { __esModule?: unknown }).__esModule),
    callable: typeof m === 'function',
  }
}

const LAZY_RUNTIME = `
function __lazyModule(load, esModule, callable) {
  var target = callable ? function () {} : {};
  return new Proxy(target, {
    get: function (t, k) { return k === '__esModule' ? esModule : load()[k]; },
    set: function (t, k, v) { load()[k] = v; return true; },
    has: function (t, k) { return k in load(); },
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

function standIn(name: string, s: Shape): string {
  const load = `var real; function load() { return real || (real = require(${JSON.stringify(s.real)})); }`
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
module.exports = __lazyModule(load, ${s.esModule}, ${s.callable});
`
}

export function lazyDependencies(modules: string[] = LAZY_MODULES): Plugin {
  const shapes = new Map<string, Shape>()
  const filter = new RegExp(`^(${modules.map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`)
  return {
    name: 'lazy-dependencies',
    setup(b) {
      b.onResolve({ filter }, async (args) => {
        if (args.pluginData?.lazyInner || !LAZY_IMPORTERS.test(args.importer)) return undefined
        const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { lazyInner: true } })
        if (r.errors.length > 0 || !r.path) return undefined
        let s = shapes.get(r.path)
        if (!s) {
          s = shapeOf(r.path)
          shapes.set(r.path, s)
        }
        return { path: r.path, namespace: 'lazy-dep', pluginData: { name: args.path, shape: s } }
      })
      b.onLoad({ filter: /.*/, namespace: 'lazy-dep' }, (args) => {
        const { name, shape } = args.pluginData as { name: string; shape: Shape }
        return { contents: standIn(name, shape), loader: 'js', resolveDir: dirname(shape.real) }
      })
    },
  }
}
