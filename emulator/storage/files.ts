/**
 * @module emulator/storage/files — where uploaded files live: a folder under the data dir
 * (`<dataDir>/storage/<cloudPath>`, so a developer can open it), or memory for a memory-only
 * emulator. Paths reaching here were checked by `cloudPathProblem`; the folder store checks
 * again that the resolved file is inside its root (defence in depth against `../`).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Clock } from '../types'

/** One stored file, as the console lists it. */
export interface StoredFile {
  cloudPath: string
  size: number
  /** Last write, ms since the epoch. */
  updatedAt: number
}

export interface FileStore {
  put(cloudPath: string, bytes: Buffer): Promise<void>
  get(cloudPath: string): Promise<Buffer | undefined>
  /** True if a file was removed. */
  remove(cloudPath: string): Promise<boolean>
  has(cloudPath: string): boolean
  /** Every file, sorted by path. */
  list(): StoredFile[]
  clear(): Promise<void>
}

export function memoryFileStore(clock: Clock): FileStore {
  const files = new Map<string, { bytes: Buffer; updatedAt: number }>()
  return {
    async put(p, bytes) {
      files.set(p, { bytes: Buffer.from(bytes), updatedAt: clock.now() })
    },
    async get(p) {
      return files.get(p)?.bytes
    },
    async remove(p) {
      return files.delete(p)
    },
    has: (p) => files.has(p),
    list: () =>
      [...files.entries()]
        .map(([cloudPath, f]) => ({ cloudPath, size: f.bytes.length, updatedAt: f.updatedAt }))
        .sort((a, b) => (a.cloudPath < b.cloudPath ? -1 : 1)),
    async clear() {
      files.clear()
    },
  }
}

/** Files under `root`; `fresh` empties it first. */
export function folderFileStore(root: string, opts: { fresh?: boolean } = {}): FileStore {
  const base = resolve(root)
  if (opts.fresh) rmSync(base, { recursive: true, force: true })
  mkdirSync(base, { recursive: true })
  const fileOf = (p: string): string => {
    const file = resolve(base, ...p.split('/'))
    if (!file.startsWith(base + sep)) throw new Error(`cloud path ${JSON.stringify(p)} leaves the storage folder`)
    return file
  }
  const isFile = (file: string) => existsSync(file) && statSync(file).isFile()
  return {
    async put(p, bytes) {
      const file = fileOf(p)
      await mkdir(dirname(file), { recursive: true })
      // Written aside, then renamed: a crash never leaves half a file under its real name.
      const tmp = join(base, `.upload-${randomBytes(6).toString('hex')}`)
      await writeFile(tmp, bytes)
      await rename(tmp, file).catch(async (e: unknown) => {
        await rm(tmp, { force: true })
        throw e
      })
    },
    async get(p) {
      const file = fileOf(p)
      return isFile(file) ? readFile(file) : undefined
    },
    async remove(p) {
      const file = fileOf(p)
      if (!isFile(file)) return false
      await rm(file)
      return true
    },
    has: (p) => isFile(fileOf(p)),
    list() {
      const out: StoredFile[] = []
      const walk = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          if (entry.name.startsWith('.upload-')) continue
          const full = join(dir, entry.name)
          if (entry.isDirectory()) walk(full)
          else if (entry.isFile()) {
            const st = statSync(full)
            out.push({ cloudPath: relative(base, full).split(sep).join('/'), size: st.size, updatedAt: st.mtimeMs })
          }
        }
      }
      walk(base)
      return out.sort((a, b) => (a.cloudPath < b.cloudPath ? -1 : 1))
    },
    async clear() {
      rmSync(base, { recursive: true, force: true })
      mkdirSync(base, { recursive: true })
    },
  }
}
