import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Db } from '@appchain/core'
import { WorkerCrashedError, WorkerPoolClosedError, WorkerTaskError } from '@appchain/core/workers'
import type { AccountShard } from './accountShard.js'
import { InvalidTrieNodeError, MissingTrieNodeError } from './errors.js'
import { nodeKey } from './nodeStore.js'
import { packList, unpackList } from './packedOps.js'
import { type ShardHandle, shardNibbles } from './shardHost.js'

type Method =
  | 'open'
  | 'readAccounts'
  | 'readStorage'
  | 'applyPackedRoot'
  | 'topNode'
  | 'storageRoot'
  | 'commit'
  | 'proof'
/** A call from the main thread to a shard worker. */
export type ShardCall = { id: number; method: Method & keyof AccountShard; args: unknown[] }
/** A shard worker's answer. */
export type ShardReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; name: string; message: string; data: unknown }
/** A shard worker's Db read (keys or node hashes packed by `packList`), answered by the main thread with `db.getMany`. */
export type ShardRead = { read: number; kind: 'nodes' | 'records'; keys: ArrayBuffer }
/** The values read, packed by `packList` (transferred). */
export type ShardReadReply = { read: number; values: ArrayBuffer }

/** The worker entry: the built `.js` beside this module, else the `.ts` source under tsx (tests, dev). */
function workerUrl(): URL {
  const js = new URL('./shardWorker.js', import.meta.url)
  return existsSync(js) ? js : new URL('./shardWorker.ts', import.meta.url)
}

/**
 * The `.ts` worker under tsx: registers tsx's loader in the worker, then imports the entry (as core's workerPool
 * does; `--import tsx` in execArgv alone does not reach a worker's entry module on Node 20).
 */
function tsBootstrap(url: URL): string {
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api')
  const esm = cjs.replace(/\.cjs$/, '.mjs')
  const api = pathToFileURL(existsSync(esm) ? esm : cjs).href
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}) })`
}

/** A shard's error rebuilt on the main thread: the state's typed errors by name, else an Error of that name. */
function rebuildError(name: string, message: string, data: unknown): Error {
  const d = (data ?? {}) as { hash?: string; reason?: string }
  if (name === 'MissingTrieNodeError' && d.hash !== undefined) return new MissingTrieNodeError(d.hash)
  if (name === 'InvalidTrieNodeError' && d.hash !== undefined)
    return new InvalidTrieNodeError(d.hash, d.reason ?? message)
  if (name === 'RangeError') return new RangeError(message)
  if (name === 'TypeError') return new TypeError(message)
  return new WorkerTaskError({ remoteName: name, message })
}

/**
 * `count` shards, one worker thread each. The main thread answers the workers' reads (trie nodes, flat
 * records) from `db` with one `getMany` per request; a shard's commit comes back as a transferred ArrayBuffer.
 * The workers are unref'd (they never keep the process alive) and exit on `close()`.
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
    const worker = isTs
      ? new Worker(tsBootstrap(url), { eval: true, workerData: { nibbles }, execArgv: ['--conditions=source'] })
      : new Worker(fileURLToPath(url), { workerData: { nibbles } })
    worker.unref()
    let nextId = 0
    let exited: Error | undefined
    let closing = false
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>()
    const failAll = (e: Error) => {
      exited = e
      for (const p of pending.values()) p.reject(e)
      pending.clear()
    }
    worker.on('error', (e) => failAll(new WorkerCrashedError({ reason: `shard ${i}: ${e.message}` })))
    worker.on('exit', (code) =>
      failAll(closing ? new WorkerPoolClosedError() : new WorkerCrashedError({ exitCode: code, reason: `shard ${i}` })),
    )
    worker.on('message', (msg: ShardReply | ShardRead) => {
      if ('read' in msg) {
        const list = unpackList(msg.keys) as Uint8Array[]
        db.getMany(msg.kind === 'nodes' ? list.map(nodeKey) : list).then(
          (values) => {
            const packed = packList(values)
            worker.postMessage({ read: msg.read, values: packed } satisfies ShardReadReply, [packed])
          },
          (e: unknown) =>
            failAll(
              new WorkerCrashedError({
                reason: `shard ${i}: Db read failed: ${e instanceof Error ? e.message : String(e)}`,
              }),
            ),
        )
        return
      }
      const p = pending.get(msg.id)
      if (p === undefined) return
      pending.delete(msg.id)
      if (pending.size === 0) worker.unref()
      if (msg.ok) p.resolve(msg.result)
      else p.reject(rebuildError(msg.name, msg.message, msg.data))
    })
    const call = <T>(method: Method, args: unknown[], transfer: ArrayBuffer[] = []): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        if (exited !== undefined) return reject(exited)
        const id = nextId++
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        worker.ref()
        worker.postMessage({ id, method, args } satisfies ShardCall, transfer)
      })
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
      close: async () => {
        closing = true
        if (exited === undefined) await worker.terminate()
      },
    }
  })
}
