import { blockGasStore, type GasStore } from '@appchain/core'

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
 * under it is reverted, since the cache cannot see a revert. The same store as core's `blockGasStore`, which
 * adds per-transaction checkpoints and writes back by default.
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
  // Core's block store, with write-through as this function's default.
  return blockGasStore(inner, { writeBack: opts.writeBack === true })
}
