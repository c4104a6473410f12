/**
 * The gas store of one block execution: core's `blockGasStore`, a write-back cache in front of the state's
 * `GasStore` with one level of per-transaction checkpoint. The VM makes one per block (`openBlock`),
 * checkpoints around each transaction (an excluded transaction's writes are reverted) and flushes before the
 * state root. Shared with `@appchain/gas`'s `cachedGasStore` and the sequencer's admission batches.
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
export { type BlockGasStore, blockGasStore } from '@appchain/core'
