/**
 * @module emulator/store/replay — reading `store.log` back, and what happens when it is damaged.
 *
 * A torn last line (no '\n': an append cut short by `kill -9` or power loss) was never
 * acknowledged, so it is dropped quietly, as a database would. Anything else unreadable is
 * damage, and acknowledged data must not vanish silently, so replay *salvages*:
 *
 * - every record that passes its checksum is applied, including those after the damage;
 *   a record that fails it is dropped whole, even if it still parses (a flipped digit in a
 *   phone number parses fine), so everything loaded is exactly what was acknowledged;
 * - the damaged file is kept, unchanged, as `store.log.damaged-<time>` (a hard link, else a
 *   copy) before the new log replaces it; if no copy can be made, the store refuses to start
 *   rather than overwrite the only copy;
 * - the report names the file, lines, bytes and record numbers dropped, and what they held.
 *
 * What salvage cannot restore: records depend on earlier ones only through whole documents (a
 * snapshot part holds up to 500 whole documents of one collection; a later batch holds whole
 * documents or deletes by id), so every loaded document is one that was acknowledged, but a
 * document whose last write was lost is missing or an older version, and documents that refer
 * to each other (an index entry and its user) may no longer agree. The report says so.
 *
 * Only the snapshot's size is known in advance (`of` on its records): a file cut inside its
 * snapshot is damage, but a file cut after it, on or inside a later line, looks exactly like
 * a crash and is treated as one. Logs written before checksums existed (lines `{"w":[…]}`) are
 * still read, without those checks; the first start rewrites them in the checked format.
 */
import { constants, promises as fsp } from 'node:fs'
import path from 'node:path'
import { EJSON } from 'bson'
import { crc32, FILE_MODE, FRAME_PREFIX_BYTES, LOG_FILE, syncDir } from './log'
import { validOps } from './state'
import type { DroppedRecords, WriteOp } from './types'

export interface LogRecord {
  ops: WriteOp[]
}

export interface LogScan {
  records: LogRecord[]
  /** Damage: what could not be applied. Empty for an intact log or a torn last line only. */
  dropped: DroppedRecords[]
  /** Bytes of a torn last line dropped quietly (0: none). */
  tornBytes: number
  /** Records in the file's snapshot (0: unknown, a log from before checksums). */
  snapshotSize: number
}

interface Line {
  no: number
  start: number
  end: number
}

const FRAMED = /^\{"k":"([0-9a-f]{8})",$/

/** Classifies every line of a log file; pure, so tests can feed it any bytes. */
export function scanLog(buf: Buffer): LogScan {
  const lines: Line[] = []
  let start = 0
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, start)) {
    lines.push({ no: lines.length + 1, start, end: i })
    start = i + 1
  }
  const fragment = { start, end: buf.length }
  const isFramed = (l: Line) => FRAMED.test(buf.toString('latin1', l.start, Math.min(l.end, l.start + FRAME_PREFIX_BYTES)))
  const framed = lines.some(isFramed)

  const records: LogRecord[] = []
  const dropped: DroppedRecords[] = []
  let bad: Line[] = []
  let reasons = new Set<string>()
  let lastN = 0
  let snapshotSize = 0
  let prevEnd = 0
  const closeGap = (upTo: number | undefined, gapEnd: number) => {
    const records = upTo !== undefined && upTo > lastN + 1 ? ([lastN + 1, upTo - 1] as [number, number]) : undefined
    if (bad.length) {
      const from = bad[0]!
      const to = bad[bad.length - 1]!
      dropped.push({
        lines: [from.no, to.no],
        bytes: [from.start, to.end + 1],
        records,
        reason: [...reasons].join(', '),
        collections: collectionsIn(buf.subarray(from.start, to.end)),
      })
    } else if (records) {
      dropped.push({ bytes: [prevEnd, gapEnd], records, reason: 'missing from the file', collections: [] })
    }
    bad = []
    reasons = new Set()
  }

  for (const line of lines) {
    const parsed = framed ? readFramed(buf, line) : readLegacy(buf, line)
    if (typeof parsed === 'string' || (framed && parsed.n! <= lastN)) {
      bad.push(line)
      reasons.add(typeof parsed === 'string' ? parsed : `record ${parsed.n} out of order`)
      continue
    }
    if (framed) {
      closeGap(parsed.n!, line.start)
      lastN = parsed.n!
      if (parsed.of) snapshotSize = Math.max(snapshotSize, parsed.of)
    } else closeGap(undefined, line.start)
    records.push({ ops: parsed.ops })
    prevEnd = line.end + 1
  }

  const torn = fragment.end - fragment.start
  if (snapshotSize > lastN) {
    // Snapshots are written whole (temp file + rename): ending inside one is not a crash.
    const from = bad[0]?.start ?? (torn ? fragment.start : buf.length)
    dropped.push({
      lines: bad.length || torn ? [bad[0]?.no ?? lines.length + 1, lines.length + (torn ? 1 : 0)] : undefined,
      bytes: [from, buf.length],
      records: [lastN + 1, snapshotSize],
      reason: `the file ends inside its ${snapshotSize}-record snapshot (cut short)`,
      collections: collectionsIn(buf.subarray(from)),
    })
    return { records, dropped, tornBytes: 0, snapshotSize }
  }
  if (bad.length) {
    // Unreadable complete lines at the end are damage, and so is any fragment after them.
    if (torn) {
      bad.push({ no: lines.length + 1, start: fragment.start, end: fragment.end - 1 })
      reasons.add('cut short')
    }
    closeGap(undefined, buf.length)
    return { records, dropped, tornBytes: 0, snapshotSize }
  }
  if (torn && !records.length) {
    // Every log starts with a whole snapshot record: a crash cannot leave only a partial line.
    dropped.push({ lines: [1, 1], bytes: [0, buf.length], reason: 'no complete record at all', collections: collectionsIn(buf) })
    return { records, dropped, tornBytes: 0, snapshotSize }
  }
  return { records, dropped, tornBytes: torn, snapshotSize }
}

function readFramed(buf: Buffer, l: Line): { n?: number; of?: number; ops: WriteOp[] } | string {
  const m = FRAMED.exec(buf.toString('latin1', l.start, Math.min(l.end, l.start + FRAME_PREFIX_BYTES)))
  if (!m) return 'unreadable'
  if (crc32(buf.subarray(l.start + FRAME_PREFIX_BYTES, l.end)) !== parseInt(m[1]!, 16)) return 'checksum mismatch'
  const o = parse(buf, l)
  if (!o || !Number.isSafeInteger(o.n) || (o.n as number) < 1 || !validOps(o.w)) return 'unreadable'
  const of = Number.isSafeInteger(o.of) && (o.of as number) > 0 ? (o.of as number) : undefined
  return { n: o.n as number, of, ops: o.w }
}

function readLegacy(buf: Buffer, l: Line): { n?: number; of?: number; ops: WriteOp[] } | string {
  const o = parse(buf, l)
  return o && Object.keys(o).length === 1 && validOps(o.w) ? { ops: o.w } : 'unreadable'
}

function parse(buf: Buffer, l: Line): Record<string, unknown> | undefined {
  try {
    const o = EJSON.parse(buf.toString('utf8', l.start, l.end), { relaxed: true }) as unknown
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Collection names still legible in damaged bytes (best effort; names only, never ids or values). */
function collectionsIn(bytes: Buffer): string[] {
  const names = new Set<string>()
  for (const m of bytes.toString('latin1').matchAll(/"c":"([A-Za-z0-9_.-]{1,64})"/g)) names.add(m[1]!)
  return [...names].sort()
}

/**
 * Keeps the damaged log beside the new one before anything replaces it: a hard link (instant,
 * and the bytes stay exactly as found), else a copy. Throws when neither works.
 */
export async function keepDamagedCopy(dir: string, now: number): Promise<string> {
  const log = path.join(dir, LOG_FILE)
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-')
  let lastErr: unknown
  for (let i = 0; i < 100; i++) {
    const copy = path.join(dir, `${LOG_FILE}.damaged-${stamp}${i ? `-${i + 1}` : ''}`)
    try {
      try {
        await fsp.link(log, copy)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw err
        await fsp.copyFile(log, copy, constants.COPYFILE_EXCL)
        const fh = await fsp.open(copy, 'r')
        await fh.sync().finally(() => fh.close())
      }
      // Older versions created the log 0644; it holds session keys and full numbers.
      await fsp.chmod(copy, FILE_MODE)
      await syncDir(dir)
      return copy
    } catch (err) {
      lastErr = err
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') break
    }
  }
  throw lastErr
}

const span = ([a, b]: [number, number]) => (a === b ? `${a}` : `${a}–${b}`)

/** Says where each dropped range is and what it held; never a document's id or value. */
export function describeDropped(d: DroppedRecords, snapshotSize: number): string {
  const where = d.lines ? `line${d.lines[0] === d.lines[1] ? '' : 's'} ${span(d.lines)}, bytes ${d.bytes[0]}–${d.bytes[1]}` : `at byte ${d.bytes[0]}`
  let what = 'an unknown number of records'
  if (d.records) {
    const [a, b] = d.records
    const kind = !snapshotSize
      ? ''
      : b <= snapshotSize
        ? ` (snapshot part${a === b ? '' : 's'}: up to 500 documents of one collection each)`
        : a > snapshotSize
          ? ` (write batch${a === b ? '' : 'es'}: one insert, update, remove or transaction each)`
          : ' (snapshot parts of up to 500 documents, and write batches)'
    what = `record${a === b ? '' : 's'} ${span(d.records)}${kind}`
  }
  const colls = d.collections.length ? `; the damaged bytes mention ${d.collections.map((c) => `"${c}"`).join(', ')}` : ''
  return `${where}: ${d.reason}; ${what} dropped${colls}`
}

/** The lines the emulator prints at startup (Chinese and English). */
export function recoveryReport(file: string, scan: LogScan, copy: string, loaded: number): string[] {
  return [
    `[store] 数据文件已损坏，已保留所有可读记录 / ${file} was damaged; every readable record was kept:`,
    ...scan.dropped.map((d) => `[store]   ${describeDropped(d, scan.snapshotSize)}`),
    `[store]   kept ${scan.records.length} record(s), ${loaded} document(s) loaded. Documents whose last write was dropped are`,
    `[store]   missing or older; documents that refer to each other (an index entry and its user) may not agree.`,
    `[store]   损坏的原文件原样保留在 / the damaged original is kept unchanged at ${copy}`,
    `[store]   to recover: stop the emulator, repair or restore that copy (the lines and bytes above refer to it)`,
    `[store]   and move it back to ${path.basename(file)}; or start with --fresh to begin empty (WeChat too). 恢复方法见 emulator/README.md`,
  ]
}
