import type { TxEnvelope } from '@appchain/core'
import { flzCompressLen } from './flzCompressLen.js'

/** OP Stack Fjord's regression of a transaction's size in a compressed batch on its FastLZ size (×1e6). */
export const L1_COST_INTERCEPT = -42_585_600n
export const L1_COST_FASTLZ_COEF = 836_500n
export const MIN_TRANSACTION_SIZE_SCALED = 100_000_000n

/**
 * The estimated bytes a signed transaction occupies in a compressed DA batch, in millionths of a byte:
 * `max(100, −42.5856 + 0.8365 × fastLzSize)`, exactly OP Stack's Fjord estimate. Computed afresh on every call
 * (`withL1DataFee` keeps the result per transaction).
 *
 * @example
 * ```ts
 * l1DataSizeScaled(rawTx) // e.g. 126_442_400n ≈ 126.4 bytes for a 202-byte FastLZ size
 * ```
 */
export function l1DataSizeScaled(raw: Uint8Array): bigint {
  const estimate = L1_COST_INTERCEPT + L1_COST_FASTLZ_COEF * BigInt(flzCompressLen(raw))
  return estimate < MIN_TRANSACTION_SIZE_SCALED ? MIN_TRANSACTION_SIZE_SCALED : estimate
}

// The size rides on the transaction object, with the buffer it was computed from: admission, the up-front
// hold and the charge all ask for it. A WeakMap keyed by the buffer cost as much as FastLZ itself here (an
// ephemeron entry per transaction, which the garbage collector then has to process).
const SIZE = Symbol('l1DataSize')
type Sized = TxEnvelope & { [SIZE]?: { raw: Uint8Array; size: bigint } }

/**
 * `l1DataSizeScaled(tx.raw)`, computed once per transaction object and remembered on it (a symbol-keyed
 * property, checked against `tx.raw`, so a copy with other bytes computes its own).
 *
 * @example
 * ```ts
 * l1DataSizeOf(tx) // FastLZ once; later calls for the same tx read it back
 * ```
 */
export function l1DataSizeOf(tx: TxEnvelope): bigint {
  const known = (tx as Sized)[SIZE]
  if (known !== undefined && known.raw === tx.raw) return known.size
  const size = l1DataSizeScaled(tx.raw)
  if (Object.isExtensible(tx)) (tx as Sized)[SIZE] = { raw: tx.raw, size }
  return size
}
