// A bench helper: a long-lived thread serving shards, as the parallel VM's workers do. Each message
// `{ port, nibbles }` (the port transferred) starts serving an AccountShard on that port; the thread stays up
// (and its code warm) across the states the bench opens and closes. With BENCH_ROOT_PROFILE set it profiles
// itself from the start and, on the message 'stop', writes worker-<threadId>.cpuprofile there and answers 'stopped'.
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { type MessagePort, parentPort, threadId } from 'node:worker_threads'
import { serveShard } from '../src/index.js'

const parent = parentPort
if (parent === null) throw new Error('servingWorker.ts runs in a worker thread')
const PROFILE = process.env.BENCH_ROOT_PROFILE
const session = PROFILE === undefined ? undefined : new Session()
if (session !== undefined) {
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
}
parent.on('message', async (msg: 'stop' | { port: MessagePort; nibbles: number[] }) => {
  if (msg !== 'stop') {
    serveShard(msg.port, { nibbles: msg.nibbles })
    return
  }
  if (session !== undefined) {
    const { profile } = await session.post('Profiler.stop')
    await writeFile(join(PROFILE!, `worker-${threadId}.cpuprofile`), JSON.stringify(profile))
  }
  parent.postMessage('stopped')
})
