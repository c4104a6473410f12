import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MessageChannel, Worker } from 'node:worker_threads'
import type { Db } from '@appchain/core'
import { tsBootstrap, WorkerCrashedError } from '@appchain/core/workers'
import { shardHandle, shardPort } from './portShards.js'
import { type ShardHandle, shardNibbles } from './shardHost.js'

/** The worker entry: the built `.js` beside this module, else the `.ts` source under tsx (tests, dev). */
function workerUrl(): URL {
  const js = new URL('./shardWorker.js', import.meta.url)
  return existsSync(js) ? js : new URL('./shardWorker.ts', import.meta.url)
}

/**
 * `count` shards, one worker thread each, each serving its shard (`serveShard`) on a MessagePort handed over in
 * workerData. The main thread answers the workers' reads (trie nodes, flat records) from `db` with one
 * `getMany` per request; a shard's commit comes back as a transferred ArrayBuffer. The workers are unref'd
 * (they never keep the process alive) and exit on `close()`.
 *
 * @example
 * ```ts
 * const handles = workerShards(db, 2)
 * ```
 */
export function workerShards(db: Db, count: number): ShardHandle[] {
  const url = workerUrl()
  const isTs = url.pathname.endsWith('.ts')
  return Array.from({ length: count }, (_, i) => {
    const nibbles = shardNibbles(i, count)
    const { port1, port2 } = new MessageChannel()
    const options = { workerData: { nibbles, port: port2 }, transferList: [port2] }
    const worker = isTs
      ? new Worker(tsBootstrap(url), { ...options, eval: true, execArgv: ['--conditions=source'] })
      : new Worker(fileURLToPath(url), options)
    worker.unref()
    const sp = shardPort(db, port1, `shard ${i}`)
    let closing = false
    worker.on('error', (e) => sp.fail(new WorkerCrashedError({ reason: `shard ${i}: ${e.message}` })))
    worker.on('exit', (code) => {
      if (!closing) sp.fail(new WorkerCrashedError({ exitCode: code, reason: `shard ${i}` }))
    })
    return shardHandle(nibbles, sp, async () => {
      closing = true
      sp.close()
      await worker.terminate()
    })
  })
}
