/**
 * @module server/logger — one JSON line per event, with secrets removed BEFORE anything is
 * written. Cloud function logs are kept by the platform and read by many people, so: no
 * session_key, no AppSecret, no single-use code, no ciphertext, and phone numbers masked.
 *
 * Redaction works on two levels because a secret can hide in a field name we did not foresee
 * or in free text (an SDK error message): sensitive KEYS are dropped whatever their value, and
 * every STRING is scrubbed for phone-shaped digit runs, base64 session-key shapes and any
 * secret the logger was told about.
 */

export type LogLevel = 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
}

export type LogSink = (line: string) => void

export interface LoggerOptions {
  /** Exact strings to scrub wherever they appear (e.g. the AppSecret). */
  secrets?: Array<string | undefined>
  /** Where lines go; `console.log` by default (the platform collects stdout). */
  sink?: LogSink
}

// Keys whose values are secret or single-use whatever they contain.
const SECRET_KEY = /session_?key|secret|token|password|^(js_?)?code$|encrypted_?data|^iv$|cloud_?id|signature/i
// Keys whose values are phone numbers: masked, never dropped, so logs still help support.
const PHONE_KEY = /phone|e164|mobile/i
// 7+ digits, optionally with a leading + and separators typical of phone formatting.
const PHONE_RUN = /\+?\d[\d -]{5,}\d/g
// base64 of 16 bytes: the exact shape of a session_key (24 chars, ends with ==).
const SESSION_KEY_SHAPE = /[A-Za-z0-9+/]{22}==/g

/** Masks a digit run: keeps the first 3 and last 4 digits of 11+, else only the last 2. */
export function maskDigits(run: string): string {
  const digits = run.replace(/\D/g, '')
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`
  return `****${digits.slice(-2)}`
}

function scrubString(s: string, secrets: string[]): string {
  let out = s
  for (const secret of secrets) out = out.split(secret).join('[redacted]')
  return out.replace(SESSION_KEY_SHAPE, '[redacted]').replace(PHONE_RUN, maskDigits)
}

/** A deep copy of `value` that is safe to log. Errors keep only `errCode`/`code` and a scrubbed message. */
export function redact(value: unknown, secrets: string[] = [], depth = 0): unknown {
  if (depth > 6) return '[depth]'
  if (typeof value === 'string') return scrubString(value, secrets)
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return value
  if (value instanceof Error || (typeof value === 'object' && value !== null && 'errMsg' in value)) {
    const e = value as { errCode?: unknown; code?: unknown; errMsg?: unknown; message?: unknown; name?: unknown }
    const text = typeof e.errMsg === 'string' ? e.errMsg : typeof e.message === 'string' ? e.message : ''
    return {
      name: typeof e.name === 'string' ? e.name : undefined,
      errCode: typeof e.errCode === 'number' ? e.errCode : undefined,
      code: typeof e.code === 'string' || typeof e.code === 'number' ? e.code : undefined,
      message: scrubString(text, secrets).slice(0, 300),
    }
  }
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => redact(v, secrets, depth + 1))
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_KEY.test(k)) out[k] = v === undefined || v === null || v === '' ? v : '[redacted]'
      else if (PHONE_KEY.test(k) && (typeof v === 'string' || typeof v === 'number')) out[k] = maskDigits(String(v))
      else out[k] = redact(v, secrets, depth + 1)
    }
    return out
  }
  return `[${typeof value}]`
}

/** A logger for one scope (usually the function name). */
export function createLogger(scope: string, options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4)
  const sink: LogSink = options.sink ?? ((line) => console.log(line))
  const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
    const safe = fields ? (redact(fields, secrets) as LogFields) : {}
    sink(JSON.stringify({ level, scope, msg: scrubString(msg, secrets), ...safe }))
  }
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  }
}
