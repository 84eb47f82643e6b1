/**
 * @module emulator/store/log — the append-only log that makes the store durable.
 *
 * One line per committed write batch, so a transaction is all-or-nothing on disk. Lines are
 * group-committed: writes queued in the same tick share one write() and one fdatasync, which
 * keeps the hot path off a per-write fsync. A torn last line (a `kill -9` or power loss
 * mid-append) is ignored on replay; a compaction writes a snapshot to a temp file and renames
 * it over the log, so the log on disk is always either the old or the new one.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'

export const LOG_FILE = 'store.log'
const TMP_FILE = 'store.log.tmp'

export interface ReplayResult {
  lines: string[]
  /** True when the tail was torn or a line was unreadable (the rest was ignored). */
  damaged: boolean
}

/** Reads the complete lines of the log; a trailing fragment without '\n' is dropped. */
export async function readLog(dataDir: string): Promise<ReplayResult> {
  let buf: Buffer
  try {
    buf = await fsp.readFile(path.join(dataDir, LOG_FILE))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], damaged: false }
    throw err
  }
  const end = buf.lastIndexOf(0x0a)
  const complete = end < 0 ? '' : buf.subarray(0, end).toString('utf8')
  const lines = complete ? complete.split('\n') : []
  return { lines, damaged: end !== buf.length - 1 && buf.length > 0 }
}

interface Waiter {
  resolve(): void
  reject(err: unknown): void
}

export interface AppendLogOptions {
  sync: boolean
  compactBytes: number
  /** Serialises the whole current state as log lines (called synchronously). */
  snapshot(): string[]
}

export class AppendLog {
  private pending: string[] = []
  private waiters: Waiter[] = []
  private running: Promise<void> | undefined
  private bytes = 0
  private snapshotBytes = 0
  private closed = false

  private constructor(
    private readonly dir: string,
    private fh: fsp.FileHandle,
    private readonly opts: AppendLogOptions,
  ) {}

  /** Writes a fresh snapshot as the log and opens it for appending. */
  static async open(dir: string, opts: AppendLogOptions): Promise<AppendLog> {
    await fsp.mkdir(dir, { recursive: true })
    const bytes = await writeSnapshot(dir, opts.snapshot(), opts.sync)
    const fh = await fsp.open(path.join(dir, LOG_FILE), 'a')
    const log = new AppendLog(dir, fh, opts)
    log.bytes = log.snapshotBytes = bytes
    return log
  }

  /** Queues a line; resolves once it is on disk (group commit). */
  append(line: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    return new Promise((resolve, reject) => {
      this.pending.push(line)
      this.waiters.push({ resolve, reject })
      if (!this.running) this.running = this.drain()
    })
  }

  /** Resolves when every queued line is durable. */
  async flush(): Promise<void> {
    while (this.running) await this.running
  }

  async close(): Promise<void> {
    await this.flush()
    this.closed = true
    await this.fh.close()
  }

  private async drain(): Promise<void> {
    // Let the current tick finish so concurrent writers join this group.
    await new Promise<void>((r) => setImmediate(r))
    try {
      while (this.pending.length) {
        const waiters = this.waiters
        this.waiters = []
        try {
          if (this.bytes > this.opts.compactBytes && this.bytes > 2 * this.snapshotBytes) {
            // The in-memory state already contains every pending line: the snapshot replaces them.
            const lines = this.opts.snapshot()
            this.pending = []
            await this.fh.close()
            this.bytes = this.snapshotBytes = await writeSnapshot(this.dir, lines, this.opts.sync)
            this.fh = await fsp.open(path.join(this.dir, LOG_FILE), 'a')
          } else {
            const data = Buffer.from(this.pending.join('\n') + '\n', 'utf8')
            this.pending = []
            await writeAll(this.fh, data)
            if (this.opts.sync) await this.fh.datasync()
            this.bytes += data.length
          }
          for (const w of waiters) w.resolve()
        } catch (err) {
          for (const w of waiters) w.reject(err)
        }
      }
    } finally {
      this.running = undefined
    }
  }
}

async function writeAll(fh: fsp.FileHandle, data: Buffer): Promise<void> {
  let off = 0
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off)
    off += bytesWritten
  }
}

/** Temp file + fsync + rename + directory fsync: the log is replaced atomically. */
async function writeSnapshot(dir: string, lines: string[], sync: boolean): Promise<number> {
  const tmp = path.join(dir, TMP_FILE)
  const data = Buffer.from(lines.length ? lines.join('\n') + '\n' : '', 'utf8')
  const fh = await fsp.open(tmp, 'w')
  try {
    await writeAll(fh, data)
    if (sync) await fh.sync()
  } finally {
    await fh.close()
  }
  await fsp.rename(tmp, path.join(dir, LOG_FILE))
  if (sync) {
    const d = await fsp.open(dir, 'r')
    try {
      await d.sync()
    } finally {
      await d.close()
    }
  }
  return data.length
}
