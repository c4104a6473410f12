import type { GasStore } from '@appchain/core'

/**
 * A read cache in front of a `GasStore`, with writes passed straight through. Gas models read the same keys
 * several times per transaction (admission, up-front hold, charge) and the state behind the VM's store costs
 * microseconds per read; one cache per block removes the repeats.
 *
 * The VM owns its lifetime: make one per block (or per speculative execution) and drop it whenever the state
 * under it is reverted, since the cache cannot see a revert.
 *
 * @example
 * ```ts
 * import { cachedGasStore } from '@appchain/gas'
 * const store = cachedGasStore(stateGasStore(state)) // one per executeBlock
 * await gas.charge(tx, gasUsed, { ...ctx, store })
 * ```
 */
export function cachedGasStore(inner: GasStore): GasStore & { readonly size: number } {
  const values = new Map<string, bigint>()
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
      await inner.set(key, value)
      values.set(key, value)
    },
  }
}
