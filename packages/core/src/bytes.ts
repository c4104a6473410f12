import type { Hex } from './types.js'

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer

/**
 * Bytes to 0x hex, with a lookup table (hot path: keys, hashes). In Node the result is one flat
 * string from Buffer's encoder: a string built with `+=` stays a rope of cons-strings (about 1.7 KB
 * for a 54-byte key), which made Map keys (memoryDb) large and slow to garbage-collect.
 *
 * @example
 * ```ts
 * bytesToHex(new Uint8Array([1, 255])) // '0x01ff'
 * ```
 */
export function bytesToHex(bytes: Uint8Array): Hex {
  if (NodeBuffer !== undefined && bytes.length > 8)
    return `0x${NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}` as Hex
  let out = '0x'
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!]
  return out as Hex
}

/**
 * 0x hex (or bare hex) to bytes; odd lengths are left-padded with a zero nibble.
 *
 * @example
 * ```ts
 * hexToBytes('0x01ff') // Uint8Array [1, 255]
 * ```
 */
export function hexToBytes(hex: string): Uint8Array {
  let h = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex
  if (h.length % 2) h = `0${h}`
  const out = new Uint8Array(h.length / 2)
  for (let i = 0; i < out.length; i++) {
    const byte = Number.parseInt(h.slice(i * 2, i * 2 + 2), 16)
    if (Number.isNaN(byte)) throw new TypeError(`Invalid hex string: ${hex.slice(0, 66)}`)
    out[i] = byte
  }
  return out
}

/**
 * Big-endian minimal bytes of a non-negative bigint (0 -> empty), as RLP wants integers.
 *
 * @example
 * ```ts
 * bigintToBytes(256n) // Uint8Array [1, 0]
 * ```
 */
export function bigintToBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError(`Negative integer: ${value}`)
  if (value === 0n) return new Uint8Array()
  let hex = value.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  return hexToBytes(hex)
}

/**
 * Big-endian bytes to bigint (empty -> 0).
 *
 * @example
 * ```ts
 * bytesToBigint(new Uint8Array([1, 0])) // 256n
 * ```
 */
export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n
  return BigInt(bytesToHex(bytes))
}

/**
 * Concatenates byte arrays.
 *
 * @example
 * ```ts
 * concatBytes(new Uint8Array([1]), new Uint8Array([2])) // Uint8Array [1, 2]
 * ```
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0
  for (const p of parts) len += p.length
  const out = new Uint8Array(len)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

/**
 * Byte-wise equality.
 *
 * @example
 * ```ts
 * equalBytes(new Uint8Array([1]), new Uint8Array([1])) // true
 * ```
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Lexicographic byte order (LevelDB's order), for sorted keys and iteration.
 *
 * @example
 * ```ts
 * compareBytes(new Uint8Array([1]), new Uint8Array([1, 0])) // -1
 * ```
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}
