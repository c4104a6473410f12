import type { GasStore } from '@appchain/core'

export interface CachedGasStore extends GasStore {
  /** Keys held in the cache. */
  readonly size: number
  /** Writes the values set since the last flush to the inner store (write-back mode; a no-op otherwise). */
  flush(): Promise<void>
}

/**
 * A cache in front of a `GasStore`. Gas models read the same keys several times per transaction (admission,
 * up-front hold, charge) and a sender's key again for each of its transactions in a block. The state behind
 * the VM's store costs microseconds per access, and one cache per block removes the repeats.
 *
 * Writes go straight through by default. With `writeBack: true` they stay in the cache until `flush()`, so a
 * sender with ten transactions in a block costs one storage write instead of ten. The VM must flush before it
 * computes the state root, and drop the cache (without flushing) when it reverts the block.
 *
 * The VM owns its lifetime: make one per block (or per speculative execution) and drop it whenever the state
 * under it is reverted, since the cache cannot see a revert.
 *
 * @example
 * ```ts
 * import { cachedGasStore } from '@appchain/gas'
 * const store = cachedGasStore(stateGasStore(state), { writeBack: true }) // one per executeBlock
 * // … upfront / charge / observeBlock with { store } …
 * await store.flush() // before state.root()
 * ```
 */
export function cachedGasStore(inner: GasStore, opts: { writeBack?: boolean } = {}): CachedGasStore {
  const values = new Map<string, bigint>()
  const dirty = new Set<string>()
  const writeBack = opts.writeBack === true
  return {
    get size() {
      return values.size
    },
    async get(key) {
      let v = values.get(key)
      if (v === undefined) {
        v = await inner.get(key)
        values.set(key, v)
      }
      return v
    },
    async set(key, value) {
      if (writeBack) {
        // Same contract as the inner store: a value it would refuse is refused now, not at flush.
        if (value < 0n || value >= 1n << 256n) throw new RangeError(`GasStore value out of range: ${key}=${value}`)
        dirty.add(key)
      } else await inner.set(key, value)
      values.set(key, value)
    },
    async flush() {
      // Sorted, so every node writes the same keys in the same order.
      for (const key of [...dirty].sort()) await inner.set(key, values.get(key)!)
      dirty.clear()
    },
  }
}
