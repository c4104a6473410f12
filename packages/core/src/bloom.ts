import { bytesToHex, hexToBytes } from './bytes.js'
import { keccak256 } from './hash.js'
import type { Hex, Log } from './types.js'

/** A 2048-bit bloom filter of addresses and topics, as Ethereum receipts and headers carry. */
export function createBloom(): Uint8Array {
  return new Uint8Array(256)
}

/** Adds one item (address or topic bytes) to a bloom, in place. */
export function addToBloom(bloom: Uint8Array, item: Uint8Array): void {
  const h = keccak256(item)
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047
    bloom[256 - 1 - (bit >> 3)]! |= 1 << (bit & 7)
  }
}

/**
 * The logs bloom of a list of logs.
 *
 * @example
 * ```ts
 * logsBloom(receipt.logs) // '0x0000...'
 * ```
 */
export function logsBloom(logs: readonly Log[]): Hex {
  const bloom = createBloom()
  for (const log of logs) {
    addToBloom(bloom, hexToBytes(log.address))
    for (const topic of log.topics) addToBloom(bloom, hexToBytes(topic))
  }
  return bytesToHex(bloom)
}

/** ORs `src` into `dst` (a block's bloom from its receipts' blooms). */
export function orBloom(dst: Uint8Array, src: Uint8Array): void {
  for (let i = 0; i < 256; i++) dst[i]! |= src[i]!
}

/** True when the bloom may contain the item (false means it certainly does not). */
export function bloomMayContain(bloom: Uint8Array, item: Uint8Array): boolean {
  const h = keccak256(item)
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047
    if ((bloom[256 - 1 - (bit >> 3)]! & (1 << (bit & 7))) === 0) return false
  }
  return true
}
