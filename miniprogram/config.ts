/**
 * @module config — the one place a deployment edits: the CloudBase environment id and options.
 *
 * Set `CLOUD_ENV` to the id shown in devtools → 云开发 → 设置 (e.g. `prod-1a2b3c`). Leaving it
 * empty makes `wx.cloud` use the environment selected in devtools, which is fine for a first run
 * but not for a release build with several environments.
 */

/** The CloudBase environment id; `''` means "the one selected in devtools". */
export const CLOUD_ENV = ''

/**
 * Enable the legacy `encryptedData` + `iv` path. Needs the AppSecret configured on the `login`
 * function (it stores the session key server-side). When on, launch sends a `wx.login` code to
 * `login` so the server holds a fresh session key *before* the user taps.
 */
export const LEGACY_PATH = false

/** Show developer-facing configuration hints (no permission, privacy guide, …) inside the UI. */
export const DEVELOPER_HINTS = false
