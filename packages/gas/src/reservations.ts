import type { Address, GasStore, TxEnvelope } from '@appchain/core'
import { decodeUsage, encodeUsage, type WindowUsage } from './windowUsage.js'

/** One sender's state in one block execution: its store key (derived once) and what upfront holds for it. */
export interface Holder {
  readonly key: string
  txs: bigint
  gas: bigint
  /** The stored value last decoded for this sender, and its decoding (see `usageOf`). */
  raw: bigint
  window: bigint
  usage: WindowUsage
  /** `raw` is a value of `window` (not zero, not an older window): `usage` is exactly its fields. */
  inWindow: boolean
  /** The key was handed to a prefetch in this block execution. */
  prefetched: boolean
  /** The block execution (of one `reservations`) it belongs to. */
  readonly block: object
  /** The sender it holds for. */
  readonly sender: Address
}

// A transaction remembers its sender's holder of the current block execution (a symbol-keyed property; the
// holder names its block): a Map lookup by the sender's address per transaction cost about 0.1 µs, most of
// it comparing the 42-character strings (each transaction carries its own copy of the address).
const HOLDER = Symbol('holder')
type WithHolder = TxEnvelope & { [HOLDER]?: Holder }

interface Block<Decision> {
  /** The `reservations` it belongs to. */
  owner: object
  senders: Map<Address, Holder>
  /** Decisions that could not ride on their transaction (another model's there, or a frozen object). */
  decisions: Map<TxEnvelope, Decision>
}

// A transaction carries upfront's decision for it too, with the block execution it was made in: the EVM VM
// decides and charges every transaction, and a Map entry per transaction (kept for charging it again) cost
// as much as the rest of the model, in the Map's growth and in collecting it.
const DECISION = Symbol('decision')
type DecisionRecord = { tx: TxEnvelope; block: Block<unknown>; decision: unknown }
type WithDecision = TxEnvelope & { [DECISION]?: DecisionRecord }

/**
 * Holds taken by `upfront` and released by `charge` (or `release`), per block execution (one `GasStore`
 * object), and the decision `upfront` made for each transaction.
 *
 * VMs differ in how they interleave the two: the EVM VM runs upfront and charge per transaction, while the
 * parallel VM runs every upfront first and every charge after execution. Quota checks in upfront must see
 * the transactions of the same block that are already held, or a sender could go past its quota within one
 * block. Holds live in memory, keyed by the store object, so they never outlive the block execution; a VM
 * that excludes a transaction after its upfront calls the model's `release`, which drops its hold.
 *
 * Each sender's store key is derived once per block and kept with its holds; a transaction remembers its
 * sender's holder and upfront's decision (symbol-keyed properties that name their block execution), so the hot
 * path needs no Map lookup.
 */
export function reservations<Decision>(keyOf: (sender: Address) => string) {
  const owner = {}
  const blocks = new WeakMap<GasStore, Block<Decision>>()
  // The VM uses one store for a whole block: remember the last one and skip the WeakMap.
  let lastStore: GasStore | undefined
  let last: Block<Decision> | undefined
  const blockOf = (store: GasStore): Block<Decision> => {
    if (store === lastStore) return last!
    let b = blocks.get(store)
    if (b === undefined) {
      b = { owner, senders: new Map(), decisions: new Map() }
      blocks.set(store, b)
    }
    lastStore = store
    last = b
    return b
  }
  /** The sender's key and what this block holds for it so far. */
  const holder = (store: GasStore, sender: Address): Holder => holderIn(blockOf(store), sender)
  const holderIn = (b: Block<Decision>, sender: Address): Holder => {
    let h = b.senders.get(sender)
    if (h === undefined) {
      h = {
        key: keyOf(sender),
        txs: 0n,
        gas: 0n,
        raw: -1n,
        window: -1n,
        usage: NO_USAGE,
        inWindow: false,
        prefetched: false,
        block: b,
        sender,
      }
      b.senders.set(sender, h)
    }
    return h
  }
  /** The holder of `tx`'s sender, from the transaction when it remembers this block's (then set on it). */
  const txHolder = (store: GasStore, tx: TxEnvelope): Holder => {
    const b = blockOf(store)
    const known = (tx as WithHolder)[HOLDER]
    // A spread copies the property: a copy with another sender looks its own holder up.
    if (known !== undefined && known.block === b && known.sender === tx.sender) return known
    const h = holderIn(b, tx.sender)
    if (Object.isExtensible(tx)) (tx as WithHolder)[HOLDER] = h
    return h
  }
  // The latest decision (see `decide`), and where the earlier ones go: on the transaction (a record naming its
  // block execution), or in the block's map when the transaction holds another model's record or is frozen.
  let slotTx: TxEnvelope | undefined
  let slotBlock: Block<Decision> | undefined
  let slotDecision: Decision | undefined
  const keep = (tx: TxEnvelope, b: Block<Decision>, decision: Decision | undefined): void => {
    const r = (tx as WithDecision)[DECISION]
    // None yet, or one a spread copied from another transaction (never changed through the copy).
    if (r === undefined || r.tx !== tx) {
      if (Object.isExtensible(tx)) {
        ;(tx as WithDecision)[DECISION] = { tx, block: b, decision }
        return
      }
    } else if (r.block === b) {
      r.decision = decision
      return
    } else if (r.block.owner === owner) {
      // Ours, from another block execution: that one keeps its decision in its map, this one takes the record.
      if (r.decision !== undefined) r.block.decisions.set(tx, r.decision)
      if (b.decisions.size !== 0) b.decisions.delete(tx)
      r.block = b
      r.decision = decision
      return
    }
    if (decision === undefined) b.decisions.delete(tx)
    else b.decisions.set(tx, decision)
  }
  // upfront and charge ask for the same transaction's holder back to back (the EVM VM): keep the last answer.
  let lastTx: TxEnvelope | undefined
  let lastTxStore: GasStore | undefined
  let lastHolder: Holder | undefined
  return {
    holder,
    /** `holder(store, tx.sender)`, answered without a lookup when `tx` was the last one asked about. */
    holderOf(store: GasStore, tx: TxEnvelope): Holder {
      if (tx === lastTx && store === lastTxStore) return lastHolder!
      const h = txHolder(store, tx)
      lastTx = tx
      lastTxStore = store
      lastHolder = h
      return h
    },
    /**
     * Loads the keys of the senders of `txs` (those `include` accepts) in one batched read of the store (its
     * `getMany`), each sender once per block execution; nothing without `getMany`.
     */
    async prefetch(store: GasStore, txs: readonly TxEnvelope[], include?: (tx: TxEnvelope) => boolean): Promise<void> {
      if (store.getMany === undefined) return
      const keys: string[] = []
      // Indexed: once per batch, mostly unoptimised, where a for-of allocates an iterator result per element.
      for (let i = 0; i < txs.length; i++) {
        const tx = txs[i]!
        if (include !== undefined && !include(tx)) continue
        const h = txHolder(store, tx)
        if (h.prefetched) continue
        h.prefetched = true
        keys.push(h.key)
      }
      if (keys.length > 0) await store.getMany(keys)
    },
    decide(tx: TxEnvelope, store: GasStore, decision: Decision): void {
      const b = blockOf(store)
      if (tx === slotTx && b === slotBlock) {
        slotDecision = decision
        return
      }
      const r = (tx as WithDecision)[DECISION]
      if (r !== undefined && r.tx === tx && r.block === b) {
        r.decision = decision
        return
      }
      // The latest decision waits in the slot: the EVM VM decides, charges and forgets one transaction at a
      // time, and then no decision is ever stored anywhere else. An earlier one moves to its transaction.
      if (slotTx !== undefined) keep(slotTx, slotBlock!, slotDecision)
      slotTx = tx
      slotBlock = b
      slotDecision = decision
    },
    /** The decision upfront made for `tx` in this block execution; undefined when it made none. */
    decision(tx: TxEnvelope, store: GasStore): Decision | undefined {
      const b = blockOf(store)
      if (tx === slotTx && b === slotBlock) return slotDecision
      const r = (tx as WithDecision)[DECISION]
      if (r !== undefined && r.tx === tx && r.block === b) return r.decision as Decision | undefined
      return b.decisions.size === 0 ? undefined : b.decisions.get(tx)
    },
    forget(tx: TxEnvelope, store: GasStore): void {
      const b = blockOf(store)
      if (tx === slotTx && b === slotBlock) {
        slotTx = undefined
        slotBlock = undefined
        slotDecision = undefined
        return
      }
      const r = (tx as WithDecision)[DECISION]
      if (r !== undefined && r.tx === tx && r.block === b) r.decision = undefined
      else if (b.decisions.size !== 0) b.decisions.delete(tx)
    },
  }
}

const NO_USAGE: WindowUsage = Object.freeze({ txs: 0n, gas: 0n, mark: 0n })

/**
 * `decodeUsage(v, window)`, decoded once per value: a sender's transactions in a block read back the value
 * the previous one wrote, so the holder keeps the last decoding.
 */
export function usageOf(h: Holder, v: bigint, window: bigint): WindowUsage {
  if (v !== h.raw || window !== h.window) {
    h.usage = decodeUsage(v, window)
    h.raw = v
    h.window = window
    h.inWindow = v !== 0n && v >> 192n === window
  }
  return h.usage
}

/**
 * The stored value after one more transaction (`gasUsed`, and `mark`) on the stored value `v` in `window`:
 * `encodeUsage(window, { txs + 1, gas + gasUsed, mark })`, remembered as the holder's last decoding (the
 * sender's next transaction reads this value back, and `usageOf` then needs no decoding). When `v` is already
 * a value of `window` and no field saturates, the new value is `v` plus the differences, field by field, which
 * is exactly the encoding (no carry crosses a field), in two or three additions instead of a dozen bigint
 * operations per transaction.
 */
export function bump(h: Holder, v: bigint, window: bigint, gasUsed: bigint, mark: bigint): bigint {
  const u = usageOf(h, v, window)
  const txs = u.txs + 1n
  const gas = u.gas + gasUsed
  // Saturating (or a window past 64 bits): encode, and decode again next time.
  if (txs > 0xffff_ffffn || gas > M96 || mark > M64 || window > M64) return encodeUsage(window, { txs, gas, mark })
  let value: bigint
  if (h.inWindow) {
    value = v + txAndGas(gasUsed)
    if (mark !== u.mark) value += (mark - u.mark) << 96n
    // `u` is this holder's own decoding of a value of `window` (never the shared empty one): updated in place,
    // no new object per transaction.
    u.txs = txs
    u.gas = gas
    u.mark = mark
  } else {
    const next: WindowUsage = { txs, gas, mark }
    value = encodeUsage(window, next)
    h.usage = next
  }
  h.raw = value
  h.window = window
  h.inWindow = true
  return value
}

const TX_ONE = 1n << 160n
// TX_ONE + gasUsed for the last gas amount asked about (a block's transfers all use the same): one bigint
// allocation less per transaction.
let lastGasUsed = -1n
let lastTxAndGas = 0n
const txAndGas = (gasUsed: bigint): bigint => {
  if (gasUsed !== lastGasUsed) {
    lastTxAndGas = TX_ONE + gasUsed
    lastGasUsed = gasUsed
  }
  return lastTxAndGas
}
const M64 = (1n << 64n) - 1n
const M96 = (1n << 96n) - 1n

/** Takes back `txs` and `gas` from a holder (never below zero). */
export function unhold(h: Holder, txs: bigint, gas: bigint): void {
  h.txs = h.txs > txs ? h.txs - txs : 0n
  h.gas = h.gas > gas ? h.gas - gas : 0n
}

/** Adds `txs` and `gas` to a holder (no new bigint while it holds nothing: the EVM VM's common case). */
export function hold(h: Holder, txs: bigint, gas: bigint): void {
  h.txs = h.txs === 0n ? txs : h.txs + txs
  h.gas = h.gas === 0n ? gas : h.gas + gas
}
