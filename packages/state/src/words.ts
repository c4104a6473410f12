// Input checks and storage-word encodings of the state (createStateDb, the sharded state's caller side and its
// shards): one set of rules for every StateDb in this package.
import { type Address, type Hex, hexToBytes } from '@appchain/core'
import { toHex } from './hex.js'

/** The zero storage word (what an unset slot reads as). */
export const ZERO_WORD = `0x${'0'.repeat(64)}` as Hex
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/
const WORD_RE = /^0x[0-9a-fA-F]{1,64}$/

/** Whether `value` is a string of `length` characters: `0x` and lower-case hex digits only (one pass, no regex). */
function isLowerHex(value: unknown, length: number): boolean {
  if (typeof value !== 'string' || value.length !== length || value.charCodeAt(0) !== 48 || value.charCodeAt(1) !== 120)
    return false
  for (let i = 2; i < length; i++) {
    const c = value.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

/**
 * A checked address as lower-case hex; TypeError otherwise.
 *
 * @example
 * ```ts
 * checkAddress('0xAbC…') // '0xabc…'
 * ```
 */
export function checkAddress(address: Address): Address {
  if (isLowerHex(address, 42)) return address
  if (typeof address !== 'string' || !ADDRESS_RE.test(address))
    throw new TypeError(`Invalid address: ${String(address)}`)
  return address.toLowerCase() as Address
}

/**
 * A 32-byte word as lower-case, zero-padded hex (shorter input is left-padded); TypeError otherwise.
 *
 * @example
 * ```ts
 * checkWord('0x1', 'slot') // '0x000…01'
 * ```
 */
export function checkWord(value: Hex, what: string): Hex {
  if (isLowerHex(value, 66)) return value
  if (typeof value !== 'string' || !WORD_RE.test(value))
    throw new TypeError(`Invalid ${what}: ${String(value)} (expected up to 32 bytes of hex)`)
  const digits = value.slice(2).toLowerCase()
  return (digits.length === 64 ? `0x${digits}` : `0x${digits.padStart(64, '0')}`) as Hex
}

/**
 * The value bytes without leading zeros (what the storage trie and flat store hold).
 *
 * @example
 * ```ts
 * stripWord(ZERO_WORD).length // 0
 * ```
 */
export function stripWord(word: Hex): Uint8Array {
  const b = hexToBytes(word)
  let i = 0
  while (i < b.length && b[i] === 0) i++
  return b.subarray(i)
}

/**
 * A stored value (bytes without leading zeros, or nothing) as a 32-byte word.
 *
 * @example
 * ```ts
 * wordOf(undefined) // ZERO_WORD
 * ```
 */
export function wordOf(bytes: Uint8Array | undefined | null): Hex {
  if (bytes == null || bytes.length === 0) return ZERO_WORD
  return `0x${toHex(bytes).slice(2).padStart(64, '0')}` as Hex
}

/**
 * Storage trie values are rlp(value without leading zeros); the flat store keeps the bare bytes.
 *
 * @example
 * ```ts
 * encodeStorageValue(Uint8Array.of(0x80)) // 0x8180
 * ```
 */
export function encodeStorageValue(v: Uint8Array): Uint8Array {
  if (v.length === 1 && v[0]! < 0x80) return v
  const out = new Uint8Array(v.length + 1)
  out[0] = 0x80 + v.length
  out.set(v, 1)
  return out
}
