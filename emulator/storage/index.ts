/**
 * @module emulator/storage — cloud storage (`cloud.uploadFile`, `downloadFile`, `getTempFileURL`,
 * `deleteFile`) behind the real wx-server-sdk: three `/admin` actions (./actions.ts) and a
 * loopback stand-in for the COS bucket (./http.ts), over files in `<dataDir>/storage/`
 * (./files.ts). See README.md.
 *
 * @example
 * const storage = createStorage({ env, dataDir, baseUrl: () => url })
 * actions = { ...actions, ...storage.actions }; routes.push(storage.route)
 */
import { join } from 'node:path'
import { systemClock, type ActionTable, type Clock, type RouteHandler } from '../types'
import { createStorageActions } from './actions'
import { folderFileStore, memoryFileStore, type FileStore, type StoredFile } from './files'
import { createUploadGrants, createUrlSigner } from './grants'
import { createStorageRoute } from './http'
import { fileIdFor } from './paths'

/** Largest file the emulator accepts by default. Ours: the platform's limit is far larger. */
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024

export interface StorageOptions {
  env: string
  /** Files go to `<dataDir>/storage/`; without it they live in memory. */
  dataDir?: string
  /** Empty the storage folder first. */
  fresh?: boolean
  /** The emulator's own URL, for upload and temp URLs (known once it listens). */
  baseUrl: () => string
  clock?: Clock
  maxFileBytes?: number
}

/** A stored file with its fileID, as the console lists it. */
export interface ListedFile extends StoredFile {
  fileID: string
}

export interface Storage {
  actions: ActionTable
  route: RouteHandler
  files: FileStore
  /** Every file, with its fileID. */
  list(): ListedFile[]
}

export function createStorage(opts: StorageOptions): Storage {
  const clock = opts.clock ?? systemClock
  const files = opts.dataDir ? folderFileStore(join(opts.dataDir, 'storage'), { fresh: opts.fresh }) : memoryFileStore(clock)
  const grants = createUploadGrants(clock)
  const signer = createUrlSigner(clock)
  return {
    actions: createStorageActions({ env: opts.env, files, grants, signer, baseUrl: opts.baseUrl, clock }),
    route: createStorageRoute({ files, grants, signer, maxFileBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES }),
    files,
    list: () => files.list().map((f) => ({ ...f, fileID: fileIdFor(opts.env, f.cloudPath) })),
  }
}

export { cloudPathProblem, fileIdFor, MAX_CLOUD_PATH_BYTES } from './paths'
export type { FileStore, StoredFile } from './files'
