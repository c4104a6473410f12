import type { GasStore } from './interfaces/gasModel.js'

const MAX = 1n << 256n
const PENDING_SCAN = 16

/** A cache in front of a `GasStore` for one block execution (or one admission batch). */
export interface BlockGasStore extends GasStore {
  /** Keys held in the cache. */
  readonly size: number
  /** The cached value of `key` (this transaction's pending write first); undefined when not read yet. */
  peek(key: string): bigint | undefined
  /** `get` for many keys: the ones not in memory in one batched read of the inner store (its `getMany`). */
  getMany(keys: readonly string[]): Promise<bigint[]>
  /** A write without a promise (write-back mode only). */
  put?(key: string, value: bigint): void
  /** Starts buffering one transaction's writes (write-back mode only; no nesting). */
  checkpoint(): void
  /** Keeps the buffered writes for the block. */
  commit(): void
  /** Drops the buffered writes. */
  revert(): void
  /** Writes the keys changed since the last flush to the inner store, in sorted key order (write-back mode). */
  flush(): Promise<void>
}

/**
 * The gas store of one block execution: a cache in front of the state's `GasStore`, with one level of
 * per-transaction checkpoint. Gas models read the same keys several times per transaction (admission,
 * upfront, charge) and a sender's key again for each of its transactions, and each access to the state
 * costs a storage lookup: the cache reads each key from the inner store once.
 *
 * With `writeBack` (the default) writes stay in memory and `flush()` writes each changed key once, in sorted
 * order, so every node writes the same keys in the same order; the VM flushes before the state root. A
 * transaction's writes stay pending until `commit()`; `revert()` drops them, so a transaction excluded after
 * its `upfront` leaves no write behind. Dropping the object without flushing discards the block's writes (an
 * aborted block). With `writeBack: false` writes go straight through (and no checkpoints).
 *
 * The cache cannot see changes made to the inner store behind its back: make one per block execution, or
 * per admission batch against one unchanging state, and drop it after.
 *
 * @example
 * ```ts
 * const store = blockGasStore(stateGasStore(state))
 * store.checkpoint()
 * await store.set('sp/0xabc', 1n)
 * store.commit() // or store.revert() when the transaction is excluded
 * await store.flush() // before state.root()
 * ```
 */
export function blockGasStore(inner: GasStore, opts: { writeBack?: boolean | undefined } = {}): BlockGasStore {
  const writeBack = opts.writeBack !== false
  const values = new Map<string, bigint>()
  const dirty = new Set<string>()
  // The open transaction's writes: a few keys (a model writes one or two per transaction), in two arrays reused
  // by every transaction. A Map here cost an allocation per transaction: its clear() builds a new table.
  const pendingKeys: string[] = []
  const pendingValues: bigint[] = []
  let pendingCount = 0
  // Past this many writes in one transaction, an index instead of a linear scan.
  let pendingIndex: Map<string, number> | undefined
  let open = false
  const pendingAt = (key: string): number => {
    if (pendingIndex !== undefined) return pendingIndex.get(key) ?? -1
    for (let i = 0; i < pendingCount; i++) if (pendingKeys[i] === key) return i
    return -1
  }
  // The arrays keep their slots (and the last few keys and values) for the next transaction to overwrite.
  const drop = (): void => {
    pendingCount = 0
    pendingIndex = undefined
  }
  const put = (key: string, value: bigint): void => {
    // Same contract as the state store: a value it would refuse is refused now, not at flush.
    if (value < 0n || value >= MAX) throw new RangeError(`GasStore value out of range: ${key}=${value}`)
    if (!open) {
      values.set(key, value)
      dirty.add(key)
      return
    }
    const i = pendingAt(key)
    if (i >= 0) {
      pendingValues[i] = value
      return
    }
    pendingKeys[pendingCount] = key
    pendingValues[pendingCount] = value
    pendingCount++
    if (pendingIndex !== undefined) pendingIndex.set(key, pendingCount - 1)
    else if (pendingCount > PENDING_SCAN) {
      pendingIndex = new Map()
      for (let j = 0; j < pendingCount; j++) pendingIndex.set(pendingKeys[j]!, j)
    }
  }
  const peek = (key: string): bigint | undefined => {
    if (pendingCount !== 0) {
      const i = pendingAt(key)
      if (i >= 0) return pendingValues[i]
    }
    return values.get(key)
  }
  return {
    get size() {
      return values.size
    },
    peek,
    async get(key) {
      if (pendingCount !== 0) {
        const i = pendingAt(key)
        if (i >= 0) return pendingValues[i]!
      }
      let v = values.get(key)
      if (v === undefined) {
        v = await inner.get(key)
        values.set(key, v)
      }
      return v
    },
    // One batched read of the keys not in memory yet (a model's prefetch); the rest answer from memory.
    async getMany(keys) {
      const out: bigint[] = new Array(keys.length)
      const missing: string[] = []
      for (let i = 0; i < keys.length; i++) {
        const v = peek(keys[i]!)
        if (v !== undefined) out[i] = v
        else missing.push(keys[i]!)
      }
      if (missing.length === 0) return out
      // Each key once, even when asked for twice.
      const unique = [...new Set(missing)]
      const read = inner.getMany ? await inner.getMany(unique) : await Promise.all(unique.map((k) => inner.get(k)))
      for (let i = 0; i < unique.length; i++) {
        // A write made while the read was in flight wins over the value read.
        if (!values.has(unique[i]!)) values.set(unique[i]!, read[i]!)
      }
      for (let i = 0; i < keys.length; i++) if (out[i] === undefined) out[i] = peek(keys[i]!)!
      return out
    },
    async set(key, value) {
      if (writeBack) return put(key, value)
      if (value < 0n || value >= MAX) throw new RangeError(`GasStore value out of range: ${key}=${value}`)
      await inner.set(key, value)
      values.set(key, value)
    },
    ...(writeBack ? { put } : {}),
    checkpoint() {
      if (!writeBack) throw new TypeError('blockGasStore: checkpoints need writeBack')
      if (open) throw new TypeError('blockGasStore: a transaction checkpoint is already open')
      open = true
    },
    commit() {
      if (!open) return
      open = false
      if (pendingCount === 0) return
      for (let i = 0; i < pendingCount; i++) {
        const key = pendingKeys[i]!
        values.set(key, pendingValues[i]!)
        dirty.add(key)
      }
      drop()
    },
    revert() {
      if (pendingCount !== 0) drop()
      open = false
    },
    async flush() {
      if (dirty.size === 0) return
      const keys = [...dirty].sort()
      dirty.clear()
      if (inner.setMany) await inner.setMany(keys.map((key) => [key, values.get(key)!] as const))
      else for (const key of keys) await inner.set(key, values.get(key)!)
    },
  }
}
