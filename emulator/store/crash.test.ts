import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { openStore } from './index'



it.each([
  ['appends', undefined],
  ['appends and frequent compactions', 30_000],
])('a writer killed with SIGKILL mid-%s leaves a consistent store holding every acknowledged batch', async (_label, compactBytes) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'store-crash-'))
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'testing/crash-writer.ts'), dir, ...(compactBytes ? [String(compactBytes)] : [])], {
      cwd: path.join(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const acked = new Set<number>()
    let buf = ''
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject)
      child.on('exit', () => reject(new Error('writer exited before it was killed')))
      child.stdout.on('data', (chunk: Buffer) => {
        buf += chunk.toString()
        const lines = buf.split('\n')
        buf = lines.pop()!
        for (const l of lines) acked.add(Number(l))
        if (acked.size >= 300) resolve()
      })
    })
    child.removeAllListeners('exit')
    const exited = new Promise((r) => child.on('exit', r))
    child.kill('SIGKILL')
    await exited

    const store = await openStore({ dataDir: dir })
    // A crash is not damage: at most a torn last line, dropped quietly, and no copy kept.
    expect(store.recovery).toMatchObject({ dropped: [], report: [] })
    expect(readdirSync(dir).filter((f) => f.includes('damaged'))).toEqual([])
    const docs = store.find('pairs', {})
    const batches = new Map<number, string[]>()
    for (const d of docs) batches.set(d.i as number, [...(batches.get(d.i as number) ?? []), d._id as string])
    // Never half a transaction.
    for (const [i, ids] of batches) expect(ids.sort()).toEqual([`a${i}`, `b${i}`])
    // Everything the writer was told is committed is there, Dates intact.
    for (const i of acked) expect(batches.has(i)).toBe(true)
    expect(store.get('pairs', 'a0')?.at).toEqual(new Date(1_700_000_000_000))
    expect(store.get('counter', 'c')?.n).toBeGreaterThanOrEqual(Math.max(...acked))
    // And the reopened store accepts writes again.
    await store.insert('pairs', [{ _id: 'after' }])
    await store.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 20_000)
