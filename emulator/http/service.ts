/**
 * @module emulator/http/service — the emulator's one HTTP server: every route of every service
 * behind the same request guard (`./guard.ts`). Listening on start, closed (with its kept-alive
 * connections) on stop.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DEFAULTS } from '../config'
import { requireStarted, type EmulatorService, type RouteHandler, type ServiceInfo } from '../types'
import { sendJson } from '../wechat/http'
import { createRequestGuard, type Refusal } from './guard'

export interface HttpServiceOptions {
  host: string
  /** 0 picks a free port. */
  port: number
  /** The routes, in the order tried; built at start, once the services they serve have started. */
  routes: () => RouteHandler[]
}

export class HttpService implements EmulatorService {
  readonly name = 'http'
  private server?: Server
  private listening?: string

  constructor(private readonly opts: HttpServiceOptions) {}

  /** `http://<host>:<port>`, once listening. */
  get url(): string {
    return requireStarted(this.listening, this.name)
  }

  async start(): Promise<void> {
    const routes = this.opts.routes()
    const guard = createRequestGuard({ listenHost: this.opts.host, port: () => (server.address() as AddressInfo).port })
    const server = (this.server = createServer((req, res) => void dispatch(routes, req, res, guard)))
    server.keepAliveTimeout = DEFAULTS.keepAliveTimeoutMs
    server.headersTimeout = DEFAULTS.keepAliveTimeoutMs + 1000
    await new Promise<void>((ok, fail) => {
      server.once('error', fail)
      server.listen(this.opts.port, this.opts.host, () => ok())
    })
    this.listening = `http://${this.opts.host}:${(server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    const s = this.server
    if (!s) return
    await new Promise<void>((ok) => {
      s.close(() => ok())
      s.closeAllConnections()
    })
  }

  info(): ServiceInfo {
    return { name: this.name, url: this.listening }
  }
}

async function dispatch(routes: RouteHandler[], req: IncomingMessage, res: ServerResponse, guard: (req: IncomingMessage, url: URL) => Refusal | undefined): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://emulator.local')
    // Every request passes the same Origin/Host/Content-Type check before any route (./guard.ts).
    const refused = guard(req, url)
    if (refused) return refuse(res, refused)
    for (const route of routes) if (await route(req, res, url)) return
    if (url.pathname === '/' || url.pathname === '/healthz') sendJson(res, 200, { ok: true, name: 'phonebind emulator' })
    else sendJson(res, 404, { error: `no route ${req.method ?? ''} ${url.pathname}` })
  } catch (e) {
    console.error('[emulator] request failed:', e instanceof Error ? e.message : e)
    if (!res.headersSent) sendJson(res, 500, { error: 'internal emulator error' })
    else res.destroy()
  }
}

function refuse(res: ServerResponse, r: Refusal): void {
  // The body is not read: close the connection rather than leave it unread on a kept-alive socket.
  res.setHeader('connection', 'close')
  sendJson(res, r.status, { error: r.error })
}
