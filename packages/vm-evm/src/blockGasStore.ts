import type { GasStore } from '@appchain/core'

/**
 * The gas store of one block execution: a write-back cache in front of the state's `GasStore`, with one
 * level of per-transaction checkpoint.
 *
 * Gas models read the same keys several times per transaction (upfront, charge) and a sender's key again for
 * each of its transactions, and every write to the state costs a storage update: the cache keeps values in
 * memory and writes each changed key once, in `flush()`, which the VM calls before the state root. A
 * transaction's writes stay pending until `commit()`; `revert()` drops them, so a transaction excluded after
 * its `upfront` (funds, paymaster, fee token) leaves no gas-store write behind. Dropping the whole object
 * without flushing discards the block's writes (an aborted block).
 *
 * The same idea as `cachedGasStore(…, { writeBack: true })` in `@appchain/gas`, kept here because the VM does
 * not depend on any gas model.
 *
 * @example
 * ```ts
 * const store = blockGasStore(stateGasStore(state))
 * store.checkpoint()
 * await store.set('sp:q:0xabc', 1n)
 * store.commit() // or store.revert() when the transaction is excluded
 * await store.flush() // before state.root()
 * ```
 */
export interface BlockGasStore extends GasStore {
  /** Starts buffering one transaction's writes (no nesting). */
  checkpoint(): void
  /** Keeps the buffered writes for the block. */
  commit(): void
  /** Drops the buffered writes. */
  revert(): void
  /** Writes the block's changed keys to the inner store, in sorted key order. */
  flush(): Promise<void>
}

/** See `BlockGasStore`. */
export function blockGasStore(inner: GasStore): BlockGasStore {
  const values = new Map<string, bigint>()
  const dirty = new Set<string>()
  let pending: Map<string, bigint> | undefined
  return {
    async get(key) {
      const p = pending?.get(key)
      if (p !== undefined) return p
      let v = values.get(key)
      if (v === undefined) {
        v = await inner.get(key)
        values.set(key, v)
      }
      return v
    },
    async set(key, value) {
      // Same contract as the state store: a value it would refuse is refused now, not at flush.
      if (value < 0n || value >= 1n << 256n) throw new RangeError(`GasStore value out of range: ${key}=${value}`)
      if (pending !== undefined) pending.set(key, value)
      else {
        values.set(key, value)
        dirty.add(key)
      }
    },
    checkpoint() {
      if (pending !== undefined) throw new TypeError('blockGasStore: a transaction checkpoint is already open')
      pending = new Map()
    },
    commit() {
      if (pending === undefined) return
      for (const [key, value] of pending) {
        values.set(key, value)
        dirty.add(key)
      }
      pending = undefined
    },
    revert() {
      pending = undefined
    },
    async flush() {
      const keys = [...dirty].sort()
      dirty.clear()
      for (const key of keys) await inner.set(key, values.get(key)!)
    },
  }
}
