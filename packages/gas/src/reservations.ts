import type { GasStore, TxEnvelope } from '@appchain/core'

/**
 * Holds taken by `upfront` and released by `charge`, per block execution (one `GasStore` object), and the
 * decision `upfront` made for each transaction.
 *
 * VMs differ in how they interleave the two: the EVM VM runs upfront and charge per transaction, while the
 * parallel VM runs every upfront first and every charge after execution. Quota checks in upfront must see
 * the transactions of the same block that are already held, or a sender could go past its quota within one
 * block. Holds live in memory, keyed by the store object, so they never outlive the block execution. A
 * transaction that the VM excludes after its upfront costs the sender nothing that persists.
 */
export function reservations<Decision>() {
  const holds = new WeakMap<GasStore, Map<string, { txs: bigint; gas: bigint }>>()
  const decisions = new WeakMap<TxEnvelope, { store: GasStore; decision: Decision }>()
  const none = { txs: 0n, gas: 0n } as const
  return {
    /** What this block has held for `key` so far. */
    held(store: GasStore, key: string): { readonly txs: bigint; readonly gas: bigint } {
      return holds.get(store)?.get(key) ?? none
    },
    hold(store: GasStore, key: string, txs: bigint, gas: bigint): void {
      let m = holds.get(store)
      if (m === undefined) {
        m = new Map()
        holds.set(store, m)
      }
      const h = m.get(key)
      if (h === undefined) m.set(key, { txs, gas })
      else {
        h.txs += txs
        h.gas += gas
      }
    },
    release(store: GasStore, key: string, txs: bigint, gas: bigint): void {
      const h = holds.get(store)?.get(key)
      if (h === undefined) return
      h.txs = h.txs > txs ? h.txs - txs : 0n
      h.gas = h.gas > gas ? h.gas - gas : 0n
    },
    decide(tx: TxEnvelope, store: GasStore, decision: Decision): void {
      decisions.set(tx, { store, decision })
    },
    /** The decision upfront made for `tx` in this block execution; undefined when it made none. */
    decision(tx: TxEnvelope, store: GasStore): Decision | undefined {
      const d = decisions.get(tx)
      return d !== undefined && d.store === store ? d.decision : undefined
    },
    forget(tx: TxEnvelope): void {
      decisions.delete(tx)
    },
  }
}
