/**
 * @module emulator/store/lock — one process per data directory.
 *
 * Two emulators appending to one log would interleave batches from diverging states. The lock
 * file holds the owner's pid; a lock whose pid is gone (the owner was `kill -9`ed) is taken over.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { FILE_MODE } from './log'

const LOCK_FILE = 'store.lock'

export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fsp.writeFile(file, String(process.pid), { flag: 'wx', mode: FILE_MODE })
      return () => fsp.rm(file, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const owner = Number((await fsp.readFile(file, 'utf8').catch(() => '')).trim())
      if (owner && alive(owner)) {
        throw new Error(`data directory ${dir} is in use by process ${owner}`)
      }
      await fsp.rm(file, { force: true })
    }
  }
  throw new Error(`could not lock data directory ${dir}`)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
