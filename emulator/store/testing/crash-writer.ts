/**
 * Child process for the crash test: commits transactions of two documents each, as fast as
 * it can with several in flight, printing each acknowledged batch number, until it is killed.
 */
import { openStore } from '../store'

async function main(): Promise<void> {
  // An optional small compaction threshold makes kills land inside compactions too.
  const compactBytes = process.argv[3] ? Number(process.argv[3]) : undefined
  const store = await openStore({ dataDir: process.argv[2], compactBytes })
  let next = 0
  const worker = async () => {
    for (;;) {
      const i = next++
      const tx = store.beginTransaction()
      tx.insert('pairs', { _id: `a${i}`, i, at: new Date(1_700_000_000_000 + i) })
      tx.insert('pairs', { _id: `b${i}`, i, pad: 'x'.repeat(200) })
      await tx.commit()
      await store.update('counter', { _id: 'c' }, { modifier: { $max: { n: i } } }, { upsert: true })
      process.stdout.write(`${i}\n`)
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()])
}

void main()
