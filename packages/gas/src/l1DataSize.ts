import { flzCompressLen } from './flzCompressLen.js'

/** OP Stack Fjord's regression of a transaction's size in a compressed batch on its FastLZ size (×1e6). */
export const L1_COST_INTERCEPT = -42_585_600n
export const L1_COST_FASTLZ_COEF = 836_500n
export const MIN_TRANSACTION_SIZE_SCALED = 100_000_000n

const cache = new WeakMap<Uint8Array, bigint>()
// A strong reference to one buffer at most (the last transaction's), so nothing else is kept alive.
let lastRaw: Uint8Array | undefined
let lastSize = 0n

/**
 * The estimated bytes a signed transaction occupies in a compressed DA batch, in millionths of a byte:
 * `max(100, −42.5856 + 0.8365 × fastLzSize)`, exactly OP Stack's Fjord estimate. Cached per `raw` buffer,
 * because admission, the up-front hold and the charge all ask for it.
 *
 * @example
 * ```ts
 * l1DataSizeScaled(rawTx) // e.g. 126_442_400n ≈ 126.4 bytes for a 202-byte FastLZ size
 * ```
 */
export function l1DataSizeScaled(raw: Uint8Array): bigint {
  // The VM asks for the same transaction twice in a row (upfront, then charge): skip the WeakMap then.
  if (raw === lastRaw) return lastSize
  let size = cache.get(raw)
  if (size === undefined) {
    const estimate = L1_COST_INTERCEPT + L1_COST_FASTLZ_COEF * BigInt(flzCompressLen(raw))
    size = estimate < MIN_TRANSACTION_SIZE_SCALED ? MIN_TRANSACTION_SIZE_SCALED : estimate
    cache.set(raw, size)
  }
  lastRaw = raw
  lastSize = size
  return size
}
