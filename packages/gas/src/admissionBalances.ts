import type { Address, GasStore } from '@appchain/core'

/**
 * Balances read during one admission batch, keyed by the batch's store. A store with `peek` (core's
 * `blockGasStore`) is made per admission batch against one unchanging state (the sequencer holds its lock for
 * the batch), so an account's balance is the same for every transaction of the batch: read it once. With any
 * other store every call reads through, as before.
 *
 * Admission only: during a block the VM changes balances between transactions, so `upfront` and `charge`
 * never use this.
 *
 * @example
 * ```ts
 * const balances = admissionBalances()
 * const balance = await balances.of(ctx, paymaster) // one state read per batch
 * ```
 */
export function admissionBalances() {
  let lastStore: GasStore | undefined
  let cache = new Map<Address, bigint>()
  return {
    of(
      ctx: { store: GasStore; balanceOf(address: Address): Promise<bigint> },
      address: Address,
    ): Promise<bigint> | bigint {
      if (ctx.store.peek === undefined) return ctx.balanceOf(address)
      if (ctx.store !== lastStore) {
        lastStore = ctx.store
        cache = new Map()
      }
      const b = cache.get(address)
      if (b !== undefined) return b
      return ctx.balanceOf(address).then((b) => {
        if (ctx.store === lastStore) cache.set(address, b)
        return b
      })
    },
    /** The balance `of` already read for this batch's store; undefined when it has not (nothing is read). */
    peek(ctx: { store: GasStore }, address: Address): bigint | undefined {
      return ctx.store.peek === undefined || ctx.store !== lastStore ? undefined : cache.get(address)
    },
  }
}
