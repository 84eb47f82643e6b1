/**
 * Starts the `/admin` endpoint on 127.0.0.1:0 for wire tests, with a fresh in-memory store.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { EmulatorEvents } from '../../events'
import { openStore, type DocumentStore } from '../../store'
import type { ActionTable, Clock, InvocationRegistry } from '../../types'
import { createDatabaseActions } from '../database'
import { createInvocationRegistry } from '../../invocations'
import { createAdminRoute } from '../server'

export interface AdminHarness {
  serviceUrl: string
  store: DocumentStore
  events: EmulatorEvents
  invocations: InvocationRegistry
  close(): Promise<void>
}

/** A fresh store: no collection exists until a test creates it (`db.createCollection`), as on CloudBase. */
export async function startAdmin(
  opts: { clock?: Clock; autoCreateCollections?: boolean; warn?: (line: string) => void; extra?: ActionTable } = {},
): Promise<AdminHarness> {
  const store = await openStore({ clock: opts.clock })
  const events = new EmulatorEvents()
  const invocations = createInvocationRegistry()
  const actions = { ...createDatabaseActions(store, opts), ...opts.extra }
  const route = createAdminRoute({ actions, invocations, events })
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    Promise.resolve(route(req, res, url)).then(
      (handled) => handled || res.writeHead(404).end(),
      () => res.writeHead(500).end(),
    )
  })
  // Above the SDK's 4.8 s keep-alive socket reuse (reference §6.2).
  server.keepAliveTimeout = 10_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    serviceUrl: `http://127.0.0.1:${port}/admin`,
    store,
    events,
    invocations,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      await store.close()
    },
  }
}

/** How wx-server-sdk rejects a database call: a flat errCode + errMsg (wire §7). */
export interface WxCallError {
  errCode: number
  errMsg: string
}

/** What `p` rejects with (typed as the caller expects); fails the test if it resolves. */
export async function rejectionOf<E = any>(p: Promise<unknown>): Promise<E> {
  try {
    await p
  } catch (err) {
    return err as E
  }
  throw new Error('expected the call to fail')
}
