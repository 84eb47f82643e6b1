/**
 * @module emulator/storage/actions — the `/admin` storage actions, exactly those wx-server-sdk
 * 4.0.2 (through its bundled @cloudbase/node-sdk 3.17.2, `src/storage/index.ts`) sends:
 *
 *   storage.getUploadMetadata   {path, method:'put'}  → data {url, token, authorization, fileId, cosFileId}
 *                               then the SDK PUTs the bytes to `url` (./http.ts)
 *   storage.batchGetDownloadUrl {file_list:[{fileid, max_age?}]} → data.download_list [{fileID, tempFileURL, code}]
 *                               (`downloadFile` is this with max_age 600, then a GET of the URL)
 *   storage.batchDeleteFile     {fileid_list:[…]}     → data.delete_list [{fileID, code}]
 *
 * Per-file failures are items with `code: 'STORAGE_FILE_NONEXIST'`, which wx-server-sdk turns into
 * `status: -503003`; the documented result is `fileList: [{fileID, status, errMsg, tempFileURL}]`
 * (WX reference-server-api/storage/getTempFileURL, deleteFile). "一次最多 50 个" (same pages, and
 * Tencent's node-sdk test "删除超出文件数限制50" expects INVALID_PARAM): more is INVALID_PARAM.
 */
import { randomBytes } from 'node:crypto'
import { TcbError, type ActionTable, type Clock } from '../types'
import type { FileStore } from './files'
import { cloudPathOf, cloudPathProblem, fileIdFor } from './paths'
import type { UploadGrants, UrlSigner } from './grants'

export const MAX_FILES_PER_CALL = 50
/** "默认一天且最大不超过一天" (WX reference-client-api/storage/getTempFileURL). */
export const MAX_URL_AGE_S = 24 * 60 * 60

export interface StorageActionDeps {
  env: string
  files: FileStore
  grants: UploadGrants
  signer: UrlSigner
  /** The emulator's own URL (known once it listens). */
  baseUrl: () => string
  clock: Clock
}

function fileList(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new TcbError('INVALID_PARAM', `${field} must be an array`)
  if (value.length > MAX_FILES_PER_CALL) throw new TcbError('INVALID_PARAM', `${field} holds ${value.length} files; at most ${MAX_FILES_PER_CALL} per call`)
  return value
}

/** `/storage/download/<path>` with the path left raw: the SDK `encodeURI`s the URL itself. */
export function downloadUrl(deps: StorageActionDeps, cloudPath: string, maxAgeS: number): string {
  const t = Math.floor(deps.clock.now() / 1000) + maxAgeS
  return `${deps.baseUrl()}/storage/download/${cloudPath}?sign=${deps.signer.sign(cloudPath, t)}&t=${t}`
}

export function createStorageActions(deps: StorageActionDeps): ActionTable {
  return {
    'storage.getUploadMetadata': async (body) => {
      const why = cloudPathProblem(body.path)
      if (why) throw new TcbError('INVALID_PARAM', why)
      const cloudPath = body.path as string
      const token = deps.grants.grant(cloudPath)
      const encoded = cloudPath.split('/').map(encodeURIComponent).join('/')
      return {
        json: {
          data: {
            url: `${deps.baseUrl()}/storage/upload/${encoded}`,
            token,
            authorization: token,
            fileId: fileIdFor(deps.env, cloudPath),
            cosFileId: randomBytes(12).toString('hex'),
          },
        },
      }
    },
    'storage.batchGetDownloadUrl': async (body) => {
      const items = fileList(body.file_list, 'file_list')
      const download_list = items.map((item) => {
        const { fileid, max_age } = (item ?? {}) as { fileid?: unknown; max_age?: unknown }
        const path = cloudPathOf(deps.env, fileid)
        if (path === undefined || !deps.files.has(path)) return { fileID: fileid, tempFileURL: '', code: 'STORAGE_FILE_NONEXIST' }
        // Clamped to a day rather than refused: the docs give the cap, not what happens above it.
        const age = typeof max_age === 'number' && max_age > 0 ? Math.min(Math.floor(max_age), MAX_URL_AGE_S) : MAX_URL_AGE_S
        return { fileID: fileid, tempFileURL: downloadUrl(deps, path, age), code: 'SUCCESS' }
      })
      return { json: { data: { download_list } } }
    },
    'storage.batchDeleteFile': async (body) => {
      const ids = fileList(body.fileid_list, 'fileid_list')
      const delete_list = []
      for (const fileID of ids) {
        const path = cloudPathOf(deps.env, fileID)
        const removed = path !== undefined && (await deps.files.remove(path))
        delete_list.push({ fileID, code: removed ? 'SUCCESS' : 'STORAGE_FILE_NONEXIST' })
      }
      return { json: { data: { delete_list } } }
    },
  }
}
