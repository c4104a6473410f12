import type { MessagePort } from 'node:worker_threads'
import type { Db } from '@appchain/core'
import { WorkerCrashedError, WorkerPoolClosedError, WorkerTaskError } from '@appchain/core/workers'
import { InvalidTrieNodeError, MissingTrieNodeError, ShardNibblesError } from './errors.js'
import { nodeKey } from './nodeStore.js'
import { packList, unpackList } from './packedOps.js'
import type { ShardHandle } from './shardHost.js'
import type { ShardCall, ShardMethod, ShardRead, ShardReadReply, ShardReply } from './shardProtocol.js'

/** A shard's error rebuilt on the caller's side: the state's typed errors by name, else an Error of that name. */
function rebuildError(name: string, message: string, data: unknown): Error {
  const d = (data ?? {}) as { hash?: string; reason?: string }
  if (name === 'MissingTrieNodeError' && d.hash !== undefined) return new MissingTrieNodeError(d.hash)
  if (name === 'InvalidTrieNodeError' && d.hash !== undefined)
    return new InvalidTrieNodeError(d.hash, d.reason ?? message)
  if (name === 'RangeError') return new RangeError(message)
  if (name === 'TypeError') return new TypeError(message)
  return new WorkerTaskError({ remoteName: name, message })
}

/** The caller's end of a shard's port: `call` runs a shard method, `fail(e)` fails every call in flight and after it. */
export interface ShardPort {
  call<T>(method: ShardMethod, args: unknown[], transfer?: ArrayBuffer[]): Promise<T>
  fail(e: Error): void
  /** Closes the port (the shard stops serving); later calls fail with `WorkerPoolClosedError`. */
  close(): void
}

/**
 * The caller's side of a shard served by `serveShard` on the other end of `port`: its calls go over the port,
 * its Db reads are answered from `db` with one `getMany` per request. The port keeps the process alive only
 * while calls are in flight; if the other end closes (its thread exited), every call fails with a
 * `WorkerCrashedError`.
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel() // port2 went to a thread that called serveShard
 * const handle = shardHandle(shardNibbles(0, 1), shardPort(db, port1, 'shard 0'))
 * ```
 */
export function shardPort(db: Db, port: MessagePort, label: string): ShardPort {
  let nextId = 0
  let exited: Error | undefined
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>()
  const fail = (e: Error) => {
    if (exited === undefined) exited = e
    for (const p of pending.values()) p.reject(e)
    pending.clear()
  }
  port.on('close', () => fail(new WorkerCrashedError({ reason: `${label}: its port closed` })))
  port.on('message', (msg: ShardReply | ShardRead) => {
    if ('read' in msg) {
      const list = unpackList(msg.keys) as Uint8Array[]
      db.getMany(msg.kind === 'nodes' ? list.map(nodeKey) : list).then(
        (values) => {
          if (exited !== undefined) return
          const packed = packList(values)
          port.postMessage({ read: msg.read, values: packed } satisfies ShardReadReply, [packed])
        },
        (e: unknown) =>
          fail(
            new WorkerCrashedError({
              reason: `${label}: Db read failed: ${e instanceof Error ? e.message : String(e)}`,
            }),
          ),
      )
      return
    }
    const p = pending.get(msg.id)
    if (p === undefined) return
    pending.delete(msg.id)
    if (pending.size === 0) port.unref()
    if (msg.ok) p.resolve(msg.result)
    else p.reject(rebuildError(msg.name, msg.message, msg.data))
  })
  port.unref()
  return {
    call: <T>(method: ShardMethod, args: unknown[], transfer: ArrayBuffer[] = []): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        if (exited !== undefined) return reject(exited)
        const id = nextId++
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        port.ref()
        port.postMessage({ id, method, args } satisfies ShardCall, transfer)
      }),
    fail,
    close: () => {
      fail(new WorkerPoolClosedError())
      port.close()
    },
  }
}

/**
 * The `ShardHandle` of a shard that owns `nibbles`, over its port; `close` (default: close the port) runs on
 * `close()`.
 *
 * @example
 * ```ts
 * const handle = shardHandle([0, 1, 2, 3], shardPort(db, port1, 'shard 0'))
 * ```
 */
export function shardHandle(
  nibbles: readonly number[],
  sp: ShardPort,
  close: () => Promise<void> = async () => sp.close(),
): ShardHandle {
  const { call } = sp
  return {
    nibbles,
    open: (tops) => call('open', [tops]),
    readAccounts: (addresses) => call('readAccounts', [addresses]),
    readStorage: (address, slots) => call('readStorage', [address, slots]),
    applyRoot: (changes) => call('applyPackedRoot', [changes], [changes]),
    topNode: (nibble) => call('topNode', [nibble]),
    storageRoot: (address) => call('storageRoot', [address]),
    commit: () => call('commit', []),
    proof: (address, slots) => call('proof', [address, slots]),
    close,
  }
}

/**
 * Shards served by other threads, one per port (each port's other end handed to a thread that called
 * `serveShard`): asks each shard its nibbles and checks that they own each of the 16 nibbles exactly once
 * (else closes the ports and throws `ShardNibblesError`). The caller owns the threads; `close()` closes the
 * ports only.
 *
 * @example
 * ```ts
 * const handles = await portShards(db, [port1, port3])
 * ```
 */
export async function portShards(db: Db, ports: readonly MessagePort[]): Promise<ShardHandle[]> {
  const sps = ports.map((port, i) => shardPort(db, port, `shard ${i}`))
  let owned: number[][]
  try {
    owned = await Promise.all(sps.map((sp) => sp.call<number[]>('nibbles', [])))
    const seen = new Array<number>(16).fill(0)
    for (const ns of owned) for (const n of ns) seen[n] = (seen[n] ?? 0) + 1
    if (seen.some((c) => c !== 1)) throw new ShardNibblesError(owned)
  } catch (e) {
    for (const sp of sps) sp.close()
    throw e
  }
  return sps.map((sp, i) => shardHandle(owned[i]!, sp))
}
