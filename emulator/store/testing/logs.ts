/**
 * Builds realistic `store.log` files for the damage tests: a snapshot of several 500-document
 * parts (as every start and compaction writes it), optionally followed by ordinary write batches.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { openStore } from '../store'
import type { Doc } from '../types'

export const USERS = 1200

const dirs: string[] = []
export function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'store-damage-'))
  dirs.push(d)
  return d
}
export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
}

const pad = (i: number) => String(i).padStart(4, '0')

/** Every document of every collection, for comparing a reopened store with what was written. */
export type Contents = Map<string, Map<unknown, Doc>>

/**
 * Writes 1200 users and their index entries, reopens (so the log is one snapshot: a record of
 * collections, then users in parts of 500/500/200, then the index in parts) and, with `ops`,
 * appends seven write batches that touch some snapshot documents again.
 */
export async function buildLog(ops: boolean): Promise<{ dir: string; file: string; lines: string[]; contents: Contents }> {
  const dir = tempDir()
  const s1 = await openStore({ dataDir: dir })
  for (let i = 0; i < USERS; i += 400) {
    const ids = Array.from({ length: 400 }, (_, k) => i + k)
    await s1.insert('users', ids.map((n) => ({ _id: `u${pad(n)}`, phone: `1380000${pad(n)}`, nickname: `n${n}`, at: new Date(1_700_000_000_000 + n) })))
    await s1.insert('phone_index', ids.map((n) => ({ _id: `p${pad(n)}`, owner: `u${pad(n)}` })))
  }
  await s1.close()
  const s2 = await openStore({ dataDir: dir })
  if (ops) {
    await s2.insert('users', [{ _id: 'u9000', phone: '13900009000' }])
    await s2.update('users', { _id: 'u0001' }, { modifier: { $set: { nickname: 'renamed' } } })
    await s2.remove('users', { _id: 'u0002' })
    await s2.insert('events', [{ _id: 'e1', kind: 'bind' }])
    const tx = s2.beginTransaction()
    tx.insert('phone_index', { _id: 'p9001', owner: 'u9001' })
    tx.put('users', 'u9001', { phone: '13900009001' })
    await tx.commit()
    await s2.update('users', { _id: 'u0700' }, { modifier: { $set: { nickname: 'late' } } })
    await s2.insert('events', [{ _id: 'e2', kind: 'unbind' }])
  }
  const contents: Contents = new Map()
  for (const c of s2.listCollections()) contents.set(c, new Map(s2.find(c, {}).map((d) => [d._id, d])))
  await s2.close()
  const file = path.join(dir, 'store.log')
  const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1)
  return { dir, file, lines, contents }
}

export function idsOf(store: { find(c: string, f: object): Doc[] }, c: string): string[] {
  return store.find(c, {}).map((d) => d._id as string)
}
