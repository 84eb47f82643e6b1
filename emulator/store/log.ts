/**
 * @module emulator/store/log — the append-only log that makes the store durable (the writer side;
 * reading and damage handling are in `./replay`).
 *
 * One line per committed write batch, so a transaction is all-or-nothing on disk. Each line
 * carries a CRC-32 of the rest of the line and a record number, and a snapshot's lines also
 * carry the snapshot's size (`of`): replay can then tell a flipped byte, a missing record and a
 * snapshot cut short from the one harmless case, a torn last line after a crash.
 *
 * Lines are group-committed: writes queued in the same tick share one write() and one fdatasync,
 * which keeps the hot path off a per-write fsync. A compaction writes a snapshot to a temp file
 * and renames it over the log, so the log on disk is always either the old or the new one.
 *
 * A failed write (disk full, EIO) must not leave memory ahead of the disk: the store applies a
 * batch to memory before its line is written (so the next writer's checks see it), and hands
 * the log an undo. When a group fails, that group and every batch queued behind it (they may
 * build on it) are undone newest-first and rejected, and the file is truncated back to its
 * last durable length. If even that fails, the log refuses every later write until a restart.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

export const LOG_FILE = 'store.log'
const TMP_FILE = 'store.log.tmp'
/** The log holds session keys and full phone numbers: owner-only. */
export const FILE_MODE = 0o600
export const DIR_MODE = 0o700

// zlib.crc32 arrived in Node 20.15; engines allows any 20, so older ones use a table.
let table: Int32Array | undefined
function tableCrc32(data: Buffer): number {
  if (!table) {
    table = new Int32Array(256)
    for (let i = 0; i < 256; i++) {
      let c = i
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      table[i] = c
    }
  }
  let crc = -1
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ -1) >>> 0
}
export const crc32: (data: Buffer) => number = typeof zlib.crc32 === 'function' ? (d) => zlib.crc32(d) : tableCrc32

/** `{"k":"` + 8 hex + `",` : the checksum covers every byte after this prefix. */
export const FRAME_PREFIX_BYTES = 16

/** A log line: `{"k":"<crc32 of the rest>","n":<record no.>[,"of":<snapshot size>],"w":<ops>}`. */
export function frameLine(n: number, ops: string, of?: number): string {
  const rest = `"n":${n}${of ? `,"of":${of}` : ''},"w":${ops}}`
  return `{"k":"${crc32(Buffer.from(rest, 'utf8')).toString(16).padStart(8, '0')}",${rest}`
}

interface Pending {
  ops: string
  undo: () => void
  resolve(): void
  reject(err: unknown): void
}

export interface AppendLogOptions {
  sync: boolean
  compactBytes: number
  /** Serialises the whole current state as batches of ops (called synchronously). */
  snapshot(): string[]
}

export class AppendLog {
  private pending: Pending[] = []
  private running: Promise<void> | undefined
  private bytes = 0
  private snapshotBytes = 0
  /** Record number of the next line. */
  private next = 1
  private closed = false
  /** Set when the file could not be brought back to a known state: every later write fails. */
  private broken: Error | undefined

  private constructor(
    private readonly dir: string,
    private fh: fsp.FileHandle,
    private readonly opts: AppendLogOptions,
  ) {}

  /** Writes a fresh snapshot as the log and opens it for appending. */
  static async open(dir: string, opts: AppendLogOptions): Promise<AppendLog> {
    await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE })
    const batches = opts.snapshot()
    const bytes = await writeSnapshot(dir, batches, opts.sync)
    if (opts.sync) await syncDir(dir)
    const fh = await fsp.open(path.join(dir, LOG_FILE), 'a')
    const log = new AppendLog(dir, fh, opts)
    log.bytes = log.snapshotBytes = bytes
    log.next = batches.length + 1
    return log
  }

  /**
   * Queues a batch (its ops as EJSON) that the caller has already applied to memory; resolves
   * once it is on disk (group commit). On failure `undo` has been called before the rejection.
   */
  append(ops: string, undo: () => void): Promise<void> {
    const refused = this.closed ? new Error('store is closed') : this.broken
    if (refused) {
      undo()
      return Promise.reject(refused)
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ ops, undo, resolve, reject })
      if (!this.running) this.running = this.drain()
    })
  }

  /** Resolves when every queued line is durable (or has failed). */
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
        const group = this.pending
        this.pending = []
        if (this.broken) {
          this.fail(group, this.broken)
          continue
        }
        try {
          if (this.bytes > this.opts.compactBytes && this.bytes > 2 * this.snapshotBytes) await this.compact()
          else await this.write(group)
          for (const p of group) p.resolve()
        } catch (err) {
          this.fail(group, err)
        }
      }
    } finally {
      this.running = undefined
    }
  }

  private async write(group: Pending[]): Promise<void> {
    const first = this.next
    const data = Buffer.from(group.map((p, i) => frameLine(first + i, p.ops)).join('\n') + '\n', 'utf8')
    try {
      await writeAll(this.fh, data)
      if (this.opts.sync) await this.fh.datasync()
    } catch (err) {
      // Part of the group may be in the file: cut it back so a restart cannot resurrect a
      // batch that was reported as failed, and so the next append starts on a line boundary.
      try {
        await this.fh.truncate(this.bytes)
        if (this.opts.sync) await this.fh.datasync()
      } catch (again) {
        this.broken = brokenError(err, again)
      }
      throw err
    }
    this.bytes += data.length
    this.next += group.length
  }

  /** The in-memory state already contains every pending batch: the snapshot replaces them. */
  private async compact(): Promise<void> {
    const batches = this.opts.snapshot()
    // Nothing is renamed until the temp file is complete: a failure here leaves the old log as it was.
    const bytes = await writeSnapshot(this.dir, batches, this.opts.sync)
    this.bytes = this.snapshotBytes = bytes
    this.next = batches.length + 1
    try {
      if (this.opts.sync) await syncDir(this.dir)
      const fh = await fsp.open(path.join(this.dir, LOG_FILE), 'a')
      await this.fh.close().catch(() => {})
      this.fh = fh
    } catch (err) {
      // The renamed snapshot (this group included) is the log now, so the group stands;
      // but the file's fate is unclear, so nothing more is appended to it.
      this.broken = brokenError(err)
    }
  }

  /** Undoes newest-first: the failed group, then everything queued behind it, then rejects them all. */
  private fail(group: Pending[], err: unknown): void {
    const all = [...group, ...this.pending]
    this.pending = []
    for (let i = all.length - 1; i >= 0; i--) all[i]!.undo()
    for (const p of all) p.reject(err)
  }
}

function brokenError(cause: unknown, again?: unknown): Error {
  const msg = (e: unknown) => (e instanceof Error ? e.message : String(e))
  return new Error(
    `store.log can no longer be written safely (${msg(cause)}${again ? `; restoring it failed: ${msg(again)}` : ''}); ` +
      'the store refuses writes until the emulator is restarted / 数据文件无法继续写入，请重启模拟器',
  )
}

async function writeAll(fh: fsp.FileHandle, data: Buffer): Promise<void> {
  let off = 0
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off)
    off += bytesWritten
  }
}

/** Temp file + fsync + rename (the caller syncs the directory): the log is replaced atomically. */
async function writeSnapshot(dir: string, batches: string[], sync: boolean): Promise<number> {
  const tmp = path.join(dir, TMP_FILE)
  const data = Buffer.from(batches.map((ops, i) => frameLine(i + 1, ops, batches.length)).join('\n') + '\n', 'utf8')
  try {
    const fh = await fsp.open(tmp, 'w', FILE_MODE)
    try {
      // A temp file left by an older version keeps its mode through open(): set it.
      await fh.chmod(FILE_MODE)
      await writeAll(fh, data)
      if (sync) await fh.sync()
    } finally {
      await fh.close()
    }
    await fsp.rename(tmp, path.join(dir, LOG_FILE))
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => {})
    throw err
  }
  return data.length
}

export async function syncDir(dir: string): Promise<void> {
  const d = await fsp.open(dir, 'r')
  try {
    await d.sync()
  } finally {
    await d.close()
  }
}
