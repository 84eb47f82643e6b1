/// <reference lib="dom" />
/**
 * @module console/page/api — what the page talks to: the same simulated-client API the tests
 * use (`EmulatorClient` over `/client/*`), plus the console's read-only `/console/api/*`.
 */
import { EmulatorClient } from '../../client'

/** The page is served by the emulator it drives. */
export const client = new EmulatorClient(location.origin)

export interface ConsoleInfo {
  appid: string
  appName: string
  env: string
}

export interface CollectionInfo {
  name: string
  count: number
}

export interface StoredFileInfo {
  fileID: string
  cloudPath: string
  size: number
  updatedAt: number
}

export interface DocumentPage {
  collection: string
  total: number
  revealed?: boolean
  documents: Record<string, unknown>[]
}

async function get<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } })
  const body = (await res.json()) as T & { error?: string }
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`)
  return body
}

export const consoleApi = {
  info: () => get<ConsoleInfo>('/console/api/info'),
  collections: async () => (await get<{ collections: CollectionInfo[] }>('/console/api/db')).collections,
  files: () => get<{ total: number; files: StoredFileInfo[] }>('/console/api/files'),
  documents: (name: string, reveal: boolean) => get<DocumentPage>(`/console/api/db/${encodeURIComponent(name)}${reveal ? '?reveal=1' : ''}`),
}

/** An error's message, whatever was thrown. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
