// The worker thread of `workerShards`: one AccountShard, its calls answered in order of arrival, its Db reads
// sent to the main thread (which holds the Db: LevelDB locks its directory to one opener).
import { parentPort, workerData } from 'node:worker_threads'
import { AccountShard } from './accountShard.js'
import { packList, unpackList } from './packedOps.js'
import type { ShardCall, ShardRead, ShardReadReply, ShardReply } from './workerShards.js'

const port = parentPort
if (port === null) throw new Error('shardWorker.ts runs in a worker thread')
const { nibbles } = workerData as { nibbles: number[] }
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
  nibbles,
  reader: { getNodes: (hashes) => read('nodes', hashes), getRecords: (keys) => read('records', keys) },
})

port.on('message', (msg: ShardCall | ShardReadReply) => {
  if ('read' in msg) {
    const resolve = reads.get(msg.read)
    reads.delete(msg.read)
    resolve?.(unpackList(msg.values))
    return
  }
  const { id, method, args } = msg
  Promise.resolve()
    .then(() => (shard[method] as (...a: unknown[]) => unknown)(...args))
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
