'use strict'
/**
 * @module emulator/runner/worker — one warm "container" for one cloud function.
 *
 * Plain CommonJS so `node` runs it with no loader. The parent forks it with the full SCF
 * environment already in `process.env` (reference §3.1), so the bundle sees it when it is
 * first required — here, at start-up, like SCF's init phase. Then it runs one invocation at a
 * time: the identity variables are reset before each `main()` because wx-server-sdk reads
 * `process.env` at call time (reference §14).
 *
 * IPC, one message each way per invocation:
 *   parent → { t: 'invoke', id, event, identity: { WX_OPENID, WX_APPID, …, WX_API_TOKEN } }
 *   worker → { t: 'result', id, ok: true, json, logs } | { t: 'result', id, ok: false, kind, error, logs }
 * and once at start-up: worker → { t: 'ready', ok, error?, logs, files }, `files` being the
 * function's own modules it loaded (not node_modules): what `phonebind dev` watches for reload.
 *
 *   node worker.cjs <file> [<as>]
 * `<as>`: load `<file>` (a TypeScript function bundled by the dev runner) as if it were the
 * source file `<as>`, so `require` resolves from the function's own folder and its
 * node_modules, and `__dirname` is that folder, as when the function runs from its sources.
 */
const { format } = require('node:util')
const { dirname, sep } = require('node:path')

const bundlePath = process.argv[2]
const loadAs = process.argv[3]
const RESULT_LIMIT = 1024 * 1024
// TCB_SOURCE too: a nested call's SOURCE differs from its caller's (`wx_client,scf`).
const IDENTITY_KEYS = ['WX_OPENID', 'WX_APPID', 'WX_UNIONID', 'WX_CLIENTIP', 'WX_CLIENTIPV6', 'WX_API_TOKEN', 'TCB_SOURCE']

/** @type {string | null} the running invocation's id; null while idle */
let current = null
/** the last invocation's id: stray output after `main()` resolved is still attributed to it */
let lastId = null
/** @type {string[]} */
let logs = []

function capture(level, text) {
  const tag = current || lastId || 'init'
  for (const line of String(text).replace(/\n$/, '').split('\n')) logs.push(`${tag} ${level} ${line}`)
}

// Capture everything the function prints. Nothing reaches the real stdout: the parent
// returns these lines with the invocation's outcome, tagged with its id.
for (const [method, level] of [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['debug', 'DEBUG'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['trace', 'DEBUG'],
]) {
  console[method] = (...args) => capture(level, format(...args))
}
process.stdout.write = (chunk, ...rest) => {
  capture('STDOUT', chunk)
  const cb = rest.find((a) => typeof a === 'function')
  if (cb) cb()
  return true
}
process.stderr.write = (chunk, ...rest) => {
  capture('STDERR', chunk)
  const cb = rest.find((a) => typeof a === 'function')
  if (cb) cb()
  return true
}

function send(msg) {
  if (process.connected) process.send(msg)
}

function takeLogs() {
  const out = logs
  logs = []
  return out
}

function errorText(err) {
  if (err instanceof Error) return `${err.name}: ${err.message}`
  try {
    return typeof err === 'string' ? err : JSON.stringify(err)
  } catch {
    return String(err)
  }
}

/** A crash of the runtime itself (like SCF's Node runtime on an unhandled rejection): report and exit. */
function fatal(err) {
  capture('ERROR', err instanceof Error && err.stack ? err.stack : errorText(err))
  if (current) send({ t: 'result', id: current, ok: false, kind: 'crash', error: errorText(err), logs: takeLogs() })
  current = null
  setImmediate(() => process.exit(1))
}
process.on('uncaughtException', fatal)
process.on('unhandledRejection', fatal)
// The parent went away (even by kill -9): do not linger as an orphan.
process.on('disconnect', () => process.exit(0))

/** Compiles `file` as the CommonJS module `as` (its path, `require` and node_modules lookup). */
function requireAs(file, as) {
  const Module = require('node:module')
  const fs = require('node:fs')
  // The bundle carries an inline source map: stack traces then name the .ts lines.
  if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true)
  const m = new Module(as, module)
  m.filename = as
  m.paths = Module._nodeModulePaths(dirname(as))
  Module._cache[as] = m
  m._compile(fs.readFileSync(file, 'utf8'), as)
  m.loaded = true
  return m.exports
}

/** The function's own modules loaded so far: everything but node_modules and this script. */
function ownFiles() {
  const nm = `${sep}node_modules${sep}`
  return Object.keys(require.cache).filter((f) => f !== __filename && !f.includes(nm))
}

let mod
try {
  mod = loadAs ? requireAs(bundlePath, loadAs) : require(bundlePath)
  if (!mod || typeof mod.main !== 'function') throw new Error(`${loadAs || bundlePath} does not export a main function`)
  send({ t: 'ready', ok: true, logs: [], files: ownFiles() })
} catch (err) {
  capture('ERROR', err instanceof Error && err.stack ? err.stack : errorText(err))
  send({ t: 'ready', ok: false, error: errorText(err), logs: takeLogs(), files: ownFiles() })
  setImmediate(() => process.exit(1))
}

async function invoke(msg) {
  current = msg.id
  lastId = msg.id
  // Lines printed while the module loaded belong to the first invocation, as in SCF.
  if (logs.length) logs = logs.map((l) => (l.startsWith('init ') ? `${msg.id} ${l.slice(5)}` : l))
  for (const key of IDENTITY_KEYS) {
    const v = msg.identity[key]
    if (v === undefined || v === null || v === '') delete process.env[key]
    else process.env[key] = String(v)
  }
  let reply
  try {
    const result = await mod.main(msg.event, msg.context)
    const json = result === undefined ? null : JSON.stringify(result)
    if (json !== null && Buffer.byteLength(json) > RESULT_LIMIT) {
      reply = { t: 'result', id: msg.id, ok: false, kind: 'size', error: `result is ${Buffer.byteLength(json)} bytes` }
    } else {
      reply = { t: 'result', id: msg.id, ok: true, json }
    }
  } catch (err) {
    capture('ERROR', err instanceof Error && err.stack ? err.stack : errorText(err))
    reply = { t: 'result', id: msg.id, ok: false, kind: 'threw', error: errorText(err) }
  }
  if (current !== msg.id) return // a fatal error already reported this invocation
  current = null
  reply.logs = takeLogs()
  send(reply)
}

process.on('message', (msg) => {
  if (msg && msg.t === 'invoke') void invoke(msg)
})
