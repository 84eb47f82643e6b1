/**
 * @module emulator/storage/paths — cloud paths and fileIDs.
 *
 * A cloud path is the object key the developer chooses (`uploadFile({cloudPath})`). CloudBase
 * documents its alphabet (docs.cloudbase.net api-reference/server/node-sdk/storage, uploadFile:
 * "[0-9, a-z, A-Z], /, !, -, _, ., ,, *, and Chinese", `/` for folders). On top of that the
 * emulator refuses what would escape or confuse its folder: a leading `/`, empty segments, and
 * `.` / `..` segments (our rule: COS keys are flat strings, but the emulator's files are a tree).
 * Length: at most 850 bytes, COS's documented object-key limit.
 *
 * A fileID is `cloud://<env>.<bucket>/<cloudPath>`, as the platform shapes it.
 */

/** COS's object key limit, in UTF-8 bytes. */
export const MAX_CLOUD_PATH_BYTES = 850

const ALLOWED = /^[0-9A-Za-z/!\-_.,*\p{Script=Han}]+$/u

/** Why `path` is not a cloud path the emulator stores, or undefined if it is one. */
export function cloudPathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '') return 'cloudPath must be a non-empty string'
  if (Buffer.byteLength(path) > MAX_CLOUD_PATH_BYTES) return `cloudPath is longer than ${MAX_CLOUD_PATH_BYTES} bytes`
  if (!ALLOWED.test(path)) return 'cloudPath may only contain 0-9 a-z A-Z / ! - _ . , * and Chinese characters'
  const segments = path.split('/')
  if (segments.some((s) => s === '')) return 'cloudPath may not start or end with "/" or contain "//"'
  if (segments.some((s) => s === '.' || s === '..')) return 'cloudPath may not contain "." or ".." segments'
  return undefined
}

/**
 * The bucket name, shaped like the platform's (`<hex of the env's first two chars>-<env>-<appid
 * of the COS account>`; the account number here is made up). Only its shape matters: code should
 * treat fileIDs as opaque.
 */
export function bucketFor(env: string): string {
  return `${Buffer.from(env.slice(0, 2)).toString('hex')}-${env}-1300000000`
}

export function fileIdFor(env: string, cloudPath: string): string {
  return `cloud://${env}.${bucketFor(env)}/${cloudPath}`
}

/** The cloud path a fileID names in `env`, or undefined if it is not one of this env's files. */
export function cloudPathOf(env: string, fileID: unknown): string | undefined {
  const prefix = fileIdFor(env, '')
  if (typeof fileID !== 'string' || !fileID.startsWith(prefix)) return undefined
  const path = fileID.slice(prefix.length)
  return cloudPathProblem(path) === undefined ? path : undefined
}
