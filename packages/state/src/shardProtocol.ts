// The messages between a shard's caller (`portShards`) and the thread serving it (`serveShard`), over one
// MessagePort: calls and answers one way, the shard's Db reads and their values the other way.
import type { AccountShard } from './accountShard.js'

/** The `AccountShard` methods a caller may run over a port, plus `nibbles` (which nibbles the shard serves). */
export type ShardMethod =
  | 'nibbles'
  | (('open' | 'readAccounts' | 'readStorage' | 'applyPackedRoot' | 'topNode' | 'storageRoot' | 'commit' | 'proof') &
      keyof AccountShard)
/** A call from the caller to a shard. */
export type ShardCall = { id: number; method: ShardMethod; args: unknown[] }
/** A shard's answer. */
export type ShardReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; name: string; message: string; data: unknown }
/** A shard's Db read (keys or node hashes packed by `packList`), answered by the caller with `db.getMany`. */
export type ShardRead = { read: number; kind: 'nodes' | 'records'; keys: ArrayBuffer }
/** The values read, packed by `packList` (transferred). */
export type ShardReadReply = { read: number; values: ArrayBuffer }
