import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex, hexToBytes } from './bytes.js'
import type { Hex } from './types.js'

/**
 * keccak256 from @noble/hashes, on bytes.
 *
 * @example
 * ```ts
 * keccak256(new Uint8Array()) // Uint8Array(32) c5d2...
 * ```
 */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data)
}

/**
 * keccak256 of bytes or hex, as hex.
 *
 * @example
 * ```ts
 * keccak256Hex('0x') // '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'
 * ```
 */
export function keccak256Hex(data: Uint8Array | Hex): Hex {
  return bytesToHex(keccak_256(typeof data === 'string' ? hexToBytes(data) : data))
}
