import type { Address, FeeCharge, GasStore, TxEnvelope, UpfrontCharge } from '@appchain/core'
import { settleUsage } from './unpackedUsage.js'
import { decodeUsage, encodeUsage, type WindowUsage } from './windowUsage.js'

/** One sender's state in one block execution: its store key (derived once) and what upfront holds for it. */
export interface Holder {
  readonly key: string
  txs: bigint
  gas: bigint
  /**
   * The sender's usage lives in the fields below, unpacked, for the whole block execution, and reaches the store
   * once, packed, when the model's `observeBlock` calls `writeUsage` (see `unpackedUsage.ts`): the holder's store
   * is a block's write-back cache (it has `put`), which the VM flushes after `observeBlock`. Otherwise (a plain
   * store) each charge writes the packed value, decoded through `raw`/`usage` below.
   */
  readonly unpacked: boolean
  /** uTxs, uGas and uMark hold the sender's usage in uWindow (read from the store once per block execution). */
  loaded: boolean
  uWindow: bigint
  /** uWindow is past the packed field's 64 bits (see `addUsage`). */
  wideWindow: boolean
  uTxs: number
  /** A number while it is a safe integer, a bigint above (up to the packed field's 96 bits). */
  uGas: number | bigint
  /** The usage's mark − 1 (rateLimited: the nonce of the sender's last free transaction); −1 for none (mark 0). */
  uMark: bigint
  /** The stored value the fields started from in uWindow; `bumped` when they have moved on from it since. */
  base: bigint
  bumped: boolean
  /** In the block's list of holders `writeUsage` writes (bumped, or rolled to a new window over a bumped one). */
  dirty: boolean
  /** The stored value last decoded for this sender, and its decoding (see `usageOf`). */
  raw: bigint
  window: bigint
  usage: WindowUsage
  /** `raw` is a value of `window` (not zero, not an older window): `usage` is exactly its fields. */
  inWindow: boolean
  /** The key was handed to a prefetch in this block execution. */
  prefetched: boolean
  /** Answers a model hands out for this sender again and again (frozen): rateLimited's free upfront and charge. */
  freeUpfront: UpfrontCharge | undefined
  freeCharge: FeeCharge | undefined
  /** The block execution (of one `reservations`) it belongs to. */
  readonly block: BlockUsage
  /** The sender it holds for. */
  readonly sender: Address
}

// A transaction remembers its sender's holder of the current block execution (a symbol-keyed property; the
// holder names its block): a Map lookup by the sender's address per transaction cost about 0.1 µs, most of
// it comparing the 42-character strings (each transaction carries its own copy of the address).
const HOLDER = Symbol('holder')
type WithHolder = TxEnvelope & { [HOLDER]?: Holder }

/** What a holder knows of its block execution's unpacked usage (see `unpackedUsage.ts`). */
export interface BlockUsage {
  /** The block execution's store (the one its holders read and `writeUsage` writes). */
  readonly store: GasStore
  /** Holders whose usage `writeUsage` still has to write, in the order they first changed. */
  dirty: Holder[]
  /** The block executions (of one `reservations`) with usage to write, latest last (shared by all of them). */
  readonly pending: BlockUsage[]
}

interface Block<Decision> extends BlockUsage {
  senders: Map<Address, Holder>
  /** Its store has `put` (a write-back cache): its holders keep usage unpacked (see `Holder.unpacked`). */
  unpacked: boolean
  /**
   * Decisions moved out of the slot (see `decide`), in order, until a lookup misses the slot: then `index` is built
   * from them once and takes every later one. An array append costs no object per transaction, where a record on
   * each transaction (or a Map entry) cost one; the EVM VM never looks an older decision up.
   */
  logTxs: TxEnvelope[]
  logDecisions: (Decision | undefined)[]
  logLength: number
  /** Transactions handed to `prefetch` in this block execution: the log's first size. */
  expected: number
  index: Map<TxEnvelope, Decision> | undefined
}

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
 * sender's holder (a symbol-keyed property that names its block execution), so the hot path needs no Map lookup;
 * upfront's latest decision waits in one slot and earlier ones in the block's log.
 */
export function reservations<Decision>(keyOf: (sender: Address) => string) {
  const blocks = new WeakMap<GasStore, Block<Decision>>()
  const pending: BlockUsage[] = []
  // The VM uses one store for a whole block: remember the last one and skip the WeakMap.
  let lastStore: GasStore | undefined
  let last: Block<Decision> | undefined
  const blockOf = (store: GasStore): Block<Decision> => {
    if (store === lastStore) return last!
    let b = blocks.get(store)
    if (b === undefined) {
      b = {
        store,
        pending,
        senders: new Map(),
        unpacked: store.put !== undefined,
        dirty: [],
        logTxs: NO_LOG,
        logDecisions: NO_LOG,
        logLength: 0,
        expected: 0,
        index: undefined,
      }
      blocks.set(store, b)
    }
    lastStore = store
    last = b
    return b
  }
  // Each sender's store key, kept across block executions (bounded, as core's table of slots): a new block's holder
  // takes the string the last one had, whose hash V8 keeps with it and which core's slot table and the admission
  // batch's store already hold, instead of a new string to build, flatten and hash per sender and block.
  const keys = new Map<Address, string>()
  const keyFor = (sender: Address): string => {
    let key = keys.get(sender)
    if (key === undefined) {
      if (keys.size >= MAX_KEYS) keys.clear()
      key = keyOf(sender)
      keys.set(sender, key)
    }
    return key
  }
  /** The sender's key and what this block holds for it so far. */
  const holder = (store: GasStore, sender: Address): Holder => holderIn(blockOf(store), sender)
  const holderIn = (b: Block<Decision>, sender: Address): Holder => {
    let h = b.senders.get(sender)
    if (h === undefined) {
      h = {
        key: keyFor(sender),
        txs: 0n,
        gas: 0n,
        unpacked: b.unpacked,
        loaded: false,
        uWindow: -1n,
        wideWindow: false,
        uTxs: 0,
        uGas: 0,
        uMark: -1n,
        base: 0n,
        bumped: false,
        dirty: false,
        raw: -1n,
        window: -1n,
        usage: NO_USAGE,
        inWindow: false,
        prefetched: false,
        freeUpfront: undefined,
        freeCharge: undefined,
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
  // The latest decision (see `decide`), and where the earlier ones go: the block's log, or its index once built.
  let slotTx: TxEnvelope | undefined
  let slotBlock: Block<Decision> | undefined
  let slotDecision: Decision | undefined
  const keep = (tx: TxEnvelope, b: Block<Decision>, decision: Decision | undefined): void => {
    if (b.index !== undefined) {
      if (decision === undefined) b.index.delete(tx)
      else b.index.set(tx, decision)
      return
    }
    const i = b.logLength++
    if (i === 0) {
      // Sized for the block's prefetched transactions (at most one decision each): one allocation per block
      // instead of a dozen growths (each a copy) on the way to 10k entries.
      const n = Math.max(16, b.expected)
      b.logTxs = new Array(n)
      b.logDecisions = new Array(n)
    }
    if (i < b.logTxs.length) {
      b.logTxs[i] = tx
      b.logDecisions[i] = decision
    } else {
      b.logTxs.push(tx)
      b.logDecisions.push(decision)
    }
  }
  /** The block's decisions outside the slot by transaction, built from its log at the first lookup that needs it. */
  const indexOf = (b: Block<Decision>): Map<TxEnvelope, Decision> => {
    if (b.index !== undefined) return b.index
    const index = new Map<TxEnvelope, Decision>()
    // In order: a transaction moved out twice keeps its later decision.
    for (let i = 0; i < b.logLength; i++) {
      const d = b.logDecisions[i]
      if (d === undefined) index.delete(b.logTxs[i]!)
      else index.set(b.logTxs[i]!, d)
    }
    b.logTxs = NO_LOG
    b.logDecisions = NO_LOG
    b.logLength = 0
    b.index = index
    return index
  }
  /** Whether the block holds decisions outside the slot (none in the EVM VM's order until a lookup misses it). */
  const hasOlder = (b: Block<Decision>): boolean => b.index !== undefined || b.logLength !== 0
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
      const b = blockOf(store)
      b.expected += txs.length
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
    /**
     * Writes the packed usage of every holder of `store`'s block execution that changed since the last call (its
     * `put`, in the order they first changed): the model's `observeBlock`, before the VM flushes the store.
     *
     * A store this model has not seen (the parallel VM hands `observeBlock` a new view of the block's store,
     * `BlockState.gasStore()`, not the object its charges used) stands for the latest block execution with usage
     * to write: that one's is written, through its own store. Never a store seen with nothing to write.
     */
    writeUsage(store: GasStore): void {
      const known = blocks.get(store)
      const b: BlockUsage | undefined = known ?? pending[pending.length - 1]
      if (b === undefined || b.dirty.length === 0) return
      const i = pending.lastIndexOf(b)
      if (i >= 0) pending.splice(i, 1)
      const dirty = b.dirty
      b.dirty = []
      for (let j = 0; j < dirty.length; j++) b.store.put!(dirty[j]!.key, settleUsage(dirty[j]!))
    },
    decide(tx: TxEnvelope, store: GasStore, decision: Decision): void {
      const b = blockOf(store)
      if (tx === slotTx && b === slotBlock) {
        slotDecision = decision
        return
      }
      // The latest decision waits in the slot: the EVM VM decides, charges and forgets one transaction at a
      // time, and then no decision is ever stored anywhere else. An earlier one moves to its block's log (an
      // older decision of `tx` there is overridden when the slot's moves after it, and dropped by `forget`).
      if (slotTx !== undefined) keep(slotTx, slotBlock!, slotDecision)
      slotTx = tx
      slotBlock = b
      slotDecision = decision
    },
    /** The decision upfront made for `tx` in this block execution; undefined when it made none. */
    decision(tx: TxEnvelope, store: GasStore): Decision | undefined {
      const b = blockOf(store)
      if (tx === slotTx && b === slotBlock) return slotDecision
      return hasOlder(b) ? indexOf(b).get(tx) : undefined
    },
    forget(tx: TxEnvelope, store: GasStore): void {
      const b = blockOf(store)
      if (tx === slotTx && b === slotBlock) {
        slotTx = undefined
        slotBlock = undefined
        slotDecision = undefined
      }
      // An older decision of `tx` (decided again since it left the slot) goes too.
      if (hasOlder(b)) indexOf(b).delete(tx)
    },
  }
}

const MAX_KEYS = 65_536

// A block's log before its first entry (never written: the first entry makes the block's own arrays).
const NO_LOG: never[] = []

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
  const txs = u.txs < SMALL_COUNTS ? SMALL[Number(u.txs) + 1]! : u.txs + 1n
  const gas = u.gas + gasUsed
  // Saturating (or a window past 64 bits): encode, and decode again next time.
  if (txs > 0xffff_ffffn || gas > M96 || mark > M64 || window > M64) return encodeUsage(window, { txs, gas, mark })
  let value: bigint
  if (h.inWindow) {
    value = v + (mark === u.mark ? txAndGas(gasUsed) : txGasAndMark(gasUsed, mark - u.mark))
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

// Transaction counts below 1024 as shared bigints: a count goes up by one per transaction, and `u.txs + 1n` stored
// in the usage allocated a new bigint each time.
const SMALL_COUNTS = 1023n
const SMALL: bigint[] = Array.from({ length: 1024 }, (_, i) => BigInt(i))

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
// TX_ONE + gasUsed + (markDelta << 96n) for the last pair asked about (rateLimited's mark moves on by one nonce
// per free transaction of a sender): one addition to the stored value instead of three (each a 256-bit bigint).
let lastMarkGas = -1n
let lastMarkDelta = 0n
let lastMarkInc = 0n
const txGasAndMark = (gasUsed: bigint, markDelta: bigint): bigint => {
  if (gasUsed !== lastMarkGas || markDelta !== lastMarkDelta) {
    lastMarkInc = TX_ONE + gasUsed + (markDelta << 96n)
    lastMarkGas = gasUsed
    lastMarkDelta = markDelta
  }
  return lastMarkInc
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
