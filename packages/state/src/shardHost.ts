import type { Address, Db, Hex } from '@appchain/core'
import { AccountShard, type NibbleRoot, type ShardProof, type ShardReader, type SubtrieTop } from './accountShard.js'
import { nodeKey } from './nodeStore.js'

/**
 * An `AccountShard` as the sharded state's caller side sees it, wherever it runs: every call is async (a
 * message to a worker, or a plain call in the caller's thread).
 */
export interface ShardHandle {
  readonly nibbles: readonly number[]
  open(tops: SubtrieTop[]): Promise<void>
  readAccounts(addresses: Address[]): Promise<(Uint8Array | undefined)[]>
  readStorage(address: Address, slots: Hex[]): Promise<(Uint8Array | undefined)[]>
  /** `AccountShard.applyRoot` on changes packed by `packChanges` (transferred to a worker). */
  applyRoot(changes: ArrayBuffer): Promise<NibbleRoot[]>
  topNode(nibble: number): Promise<Uint8Array | undefined>
  storageRoot(address: Address): Promise<Uint8Array>
  commit(): Promise<ArrayBuffer>
  proof(address: Address, slots: Hex[]): Promise<ShardProof>
  close(): Promise<void>
}

/**
 * The nibbles of shard `index` out of `count`: contiguous ranges of the 16 first nibbles.
 *
 * @example
 * ```ts
 * shardNibbles(1, 2) // [8, 9, …, 15]
 * ```
 */
export function shardNibbles(index: number, count: number): number[] {
  const out: number[] = []
  for (let n = 0; n < 16; n++) if (Math.floor((n * count) / 16) === index) out.push(n)
  return out
}

/**
 * A shard reader over the Db in the same thread (nodes under `Sn` + hash, flat records by key).
 *
 * @example
 * ```ts
 * const shard = new AccountShard({ nibbles: shardNibbles(0, 1), reader: dbShardReader(db) })
 * ```
 */
export function dbShardReader(db: Db): ShardReader {
  return {
    getNodes: (hashes) => db.getMany(hashes.map(nodeKey)),
    getRecords: (keys) => db.getMany(keys),
  }
}

/**
 * `count` shards as plain objects in the caller's thread, reading the Db directly: deterministic, for tests
 * and for `shards: 0`.
 *
 * @example
 * ```ts
 * const handles = inThreadShards(db, 4)
 * ```
 */
export function inThreadShards(db: Db, count: number): ShardHandle[] {
  const reader = dbShardReader(db)
  return Array.from({ length: count }, (_, i) => {
    const shard = new AccountShard({ nibbles: shardNibbles(i, count), reader })
    return {
      nibbles: shard.nibbles,
      open: async (tops) => shard.open(tops),
      readAccounts: (addresses) => shard.readAccounts(addresses),
      readStorage: (address, slots) => shard.readStorage(address, slots),
      applyRoot: (changes) => shard.applyPackedRoot(changes),
      topNode: (nibble) => shard.topNode(nibble),
      storageRoot: (address) => shard.storageRoot(address),
      commit: async () => shard.commit(),
      proof: (address, slots) => shard.proof(address, slots),
      close: async () => {},
    }
  })
}
