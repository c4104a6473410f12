import type { MessagePort } from 'node:worker_threads'
import { AccountShard } from './accountShard.js'
import { packList, unpackList } from './packedOps.js'
import type { ShardCall, ShardRead, ShardReadReply, ShardReply } from './shardProtocol.js'

/**
 * Serves one `AccountShard` on `port`, in whatever thread calls it (a shard worker, or a parallel VM's worker
 * that executes next to its accounts): answers the calls of the port's other end (`createShardedStateDb({ ports })`)
 * in order of arrival, and asks that end for the shard's Db reads over the same port (the caller holds the Db:
 * LevelDB locks its directory to one opener). Serving stops when either end closes the port; the thread is
 * left running (it exits on its own if nothing else keeps it alive). Returns the served shard, so the serving
 * thread's own code can read it between calls (e.g. a VM worker executing against its accounts after a root).
 *
 * @example
 * ```ts
 * // worker.ts: the port arrives in workerData (transferred), the nibbles from shardNibbles(i, n)
 * import { workerData } from 'node:worker_threads'
 * import { serveShard } from '@appchain/state'
 * const shard = serveShard(workerData.port, { nibbles: workerData.nibbles })
 * ```
 */
export function serveShard(port: MessagePort, config: { nibbles: readonly number[] }): AccountShard {
  if (typeof port?.postMessage !== 'function' || typeof port.on !== 'function')
    throw new TypeError('serveShard needs a MessagePort')
  const reads = new Map<number, (values: (Uint8Array | undefined)[]) => void>()
  let nextRead = 0
  const read = (kind: ShardRead['kind'], keys: Uint8Array[]) =>
    new Promise<(Uint8Array | undefined)[]>((resolve) => {
      const id = nextRead++
      reads.set(id, resolve)
      const packed = packList(keys)
      port.postMessage({ read: id, kind, keys: packed } satisfies ShardRead, [packed])
    })
  const shard = new AccountShard({
    nibbles: config?.nibbles,
    reader: { getNodes: (hashes) => read('nodes', hashes), getRecords: (keys) => read('records', keys) },
  })
  const run = (method: ShardCall['method'], args: unknown[]): unknown =>
    method === 'nibbles' ? [...shard.nibbles] : (shard[method] as (...a: unknown[]) => unknown)(...args)

  port.on('message', (msg: ShardCall | ShardReadReply) => {
    if ('read' in msg) {
      const resolve = reads.get(msg.read)
      reads.delete(msg.read)
      resolve?.(unpackList(msg.values))
      return
    }
    const { id, method, args } = msg
    // One request at a time, after any applyRoot the serving thread queued itself (AccountShard.exclusive).
    shard
      .exclusive(() => run(method, args))
      .then(
        (result) => {
          const transfer = result instanceof ArrayBuffer ? [result] : []
          port.postMessage({ id, ok: true, result } satisfies ShardReply, transfer)
        },
        (e: unknown) => {
          const err = e instanceof Error ? e : new Error(String(e))
          port.postMessage({
            id,
            ok: false,
            name: err.name,
            message: err.message,
            data: (err as { data?: unknown }).data,
          } satisfies ShardReply)
        },
      )
  })
  return shard
}
