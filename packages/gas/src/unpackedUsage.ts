import type { GasStore } from '@appchain/core'
import type { Holder } from './reservations.js'
import { encodeUsage } from './windowUsage.js'

// A sender's usage in a block execution on a write-back store (`Holder.unpacked`): plain numbers in the holder,
// read from the stored 256-bit value once and packed into it once, by `writeUsage` in the model's `observeBlock`.
// Every charge used to add to the packed value (a 256-bit bigint and a gas bigint per transaction, most of the
// model's allocation). The fields follow the packed value's rules step by step (each field saturates, a value of
// another window reads as zero), so what `writeUsage` writes is bit for bit what the per-charge writes left.

const M64 = (1n << 64n) - 1n
const M96 = (1n << 96n) - 1n
const MAX_TXS = 0xffff_ffff
const MAX_SAFE = Number.MAX_SAFE_INTEGER
const MAX_SAFE_BIG = BigInt(MAX_SAFE)

/**
 * Makes `h`'s fields the sender's usage in `window`, reading the stored value from the store's memory the first
 * time in the block execution; false, with nothing changed, when only `get` can tell (then `loadUsage` after it).
 *
 * @example
 * ```ts
 * if (!usageReady(h, ctx.store, window)) loadUsage(h, await ctx.store.get(h.key), window)
 * h.uTxs // transactions in the window so far, this block's charges included
 * ```
 */
export function usageReady(h: Holder, store: GasStore, window: bigint): boolean {
  if (h.loaded) {
    if (window !== h.uWindow) toWindow(h, window)
    return true
  }
  const v = store.peek?.(h.key)
  if (v === undefined) return false
  loadUsage(h, v, window)
  return true
}

/** Loads the stored value `v` as `h`'s usage in `window` (a no-op when it was loaded meanwhile: memory wins). */
export function loadUsage(h: Holder, v: bigint, window: bigint): void {
  if (h.loaded) {
    if (window !== h.uWindow) toWindow(h, window)
    return
  }
  h.loaded = true
  h.base = v
  h.bumped = false
  fieldsOf(h, v, window)
}

/** The fields of stored value `v` in `window`, as `decodeUsage` reads them (a value of another window is zero). */
function fieldsOf(h: Holder, v: bigint, window: bigint): void {
  h.uWindow = window
  h.wideWindow = window > M64
  if (v === 0n || v >> 192n !== window) {
    h.uTxs = 0
    h.uGas = 0
    h.uMark = -1n
    return
  }
  h.uTxs = Number((v >> 160n) & 0xffff_ffffn)
  const gas = v & M96
  h.uGas = gas <= MAX_SAFE_BIG ? Number(gas) : gas
  const mark = (v >> 96n) & M64
  h.uMark = mark === 0n ? -1n : mark - 1n
}

/**
 * Another window on the same store (a store reused across blocks): the fields' usage becomes the value to write
 * (if it moved), and the fields are that value read in `window`, as the next charge would read the store.
 */
function toWindow(h: Holder, window: bigint): void {
  if (h.bumped) {
    h.base = packed(h)
    h.bumped = false
  }
  fieldsOf(h, h.base, window)
}

/**
 * One more transaction for the sender: `gasUsed` and the mark `markNonce + 1` (rateLimited: the transaction's
 * nonce + 1; sponsored keeps the mark, the default), as `bump` adds them to the stored value, saturation included.
 *
 * @example
 * ```ts
 * addUsage(h, 21_000n, h.uMark) // h.uTxs + 1, h.uGas + 21,000; written by writeUsage
 * ```
 */
export function addUsage(h: Holder, gasUsed: bigint, markNonce?: bigint): void {
  if (h.wideWindow) {
    // A window past the packed field's 64 bits never reads back as its own: every charge writes a first one.
    h.base = encodeUsage(h.uWindow, { txs: 1n, gas: gasUsed, mark: (markNonce ?? h.uMark) + 1n })
    markDirty(h)
    return
  }
  h.uTxs = h.uTxs < MAX_TXS ? h.uTxs + 1 : MAX_TXS
  const g = h.uGas
  // Number() of a value above the safe integers rounds to one above them too: a number check, not a bigint one.
  const used = Number(gasUsed)
  if (typeof g === 'number' && used <= MAX_SAFE && g <= MAX_SAFE - used) h.uGas = g + used
  else {
    const sum = (typeof g === 'number' ? BigInt(g) : g) + gasUsed
    h.uGas = sum > M96 ? M96 : sum
  }
  // The mark saturates at 64 bits: mark − 1 at most M64 − 1 (sponsored keeps its mark: nothing to compare).
  if (markNonce !== undefined) h.uMark = markNonce < M64 ? markNonce : M64 - 1n
  h.bumped = true
  markDirty(h)
}

function markDirty(h: Holder): void {
  const b = h.block
  const pending = b.pending
  if (pending[pending.length - 1] !== b) {
    // The block execution that charged last: the one a store `writeUsage` does not know stands for (an aborted
    // block's, never written, drops out).
    const i = pending.lastIndexOf(b)
    if (i >= 0) pending.splice(i, 1)
    if (pending.length >= MAX_PENDING) pending.shift()
    pending.push(b)
  }
  if (h.dirty) return
  h.dirty = true
  b.dirty.push(h)
}
// Block executions kept waiting for observeBlock by a model (aborted ones never get it).
const MAX_PENDING = 4

/**
 * The packed value of the fields: `encodeUsage`, without its saturation (each field is in its range by
 * construction: the count saturates in `addUsage`, the gas is a safe integer or at most 96 bits, the mark at most
 * 64 bits, and a window past 64 bits never packs here), with the window's and small counts' bits made once.
 */
function packed(h: Holder): bigint {
  const txs = h.uTxs < SHIFTED_TXS.length ? SHIFTED_TXS[h.uTxs]! : BigInt(h.uTxs) << 160n
  return windowBits(h.uWindow) | txs | ((h.uMark + 1n) << 96n) | BigInt(h.uGas)
}
// A sender's count << 160 for counts below 256 (a block writes one value per sender).
const SHIFTED_TXS: bigint[] = Array.from({ length: 256 }, (_, i) => BigInt(i) << 160n)
// window << 192 for the last window asked about (a block packs every sender's value in one window).
let lastWindow = -1n
let lastWindowBits = 0n
const windowBits = (window: bigint): bigint => {
  if (window !== lastWindow) {
    lastWindowBits = window << 192n
    lastWindow = window
  }
  return lastWindowBits
}

/**
 * The stored value `h`'s usage has reached (what the per-charge writes would have left in the store), now the
 * fields' starting value: `writeUsage` writes it.
 */
export function settleUsage(h: Holder): bigint {
  const v = h.bumped ? packed(h) : h.base
  h.base = v
  h.bumped = false
  h.dirty = false
  return v
}
