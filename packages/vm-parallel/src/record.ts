import type { Hex, RlpInput } from '@appchain/core'
import { bigintToBytes, bytesToBigint, bytesToHex, hexToBytes, keccak256, rlpDecode, rlpEncode } from '@appchain/core'

/** Largest encoded record a program may keep per account. */
export const MAX_RECORD_BYTES = 8192
const MOD = 1n << 256n
const enc = new TextEncoder()
const dec = new TextDecoder()
const bases = new Map<string, bigint>()

/**
 * The storage slot `i` of a program's record at an account: slot 0 (at keccak256("appchain.record:" + id))
 * holds the byte length, slots 1.. the bytes in 32-byte chunks. Records live in ordinary storage, so the
 * state root is the same kind of root the EVM computes.
 *
 * @example
 * ```ts
 * recordSlot('game', 0) // '0x...'
 * ```
 */
export function recordSlot(program: string, i: number): Hex {
  let base = bases.get(program)
  if (base === undefined) {
    base = bytesToBigint(keccak256(enc.encode(`appchain.record:${program}`)))
    bases.set(program, base)
  }
  return `0x${((base + BigInt(i)) % MOD).toString(16).padStart(64, '0')}`
}

/** Canonical bytes of a record: rlp of [key, value] pairs sorted by key, zero values left out. */
export function encodeRecord(record: ReadonlyMap<string, bigint>): Uint8Array {
  if (record.size === 0) return new Uint8Array()
  const keys = [...record.keys()].sort()
  const items: RlpInput[] = []
  for (const k of keys) {
    const v = record.get(k)!
    if (v !== 0n) items.push([enc.encode(k), bigintToBytes(v)])
  }
  return items.length ? rlpEncode(items) : new Uint8Array()
}

export function decodeRecord(bytes: Uint8Array): Map<string, bigint> {
  const out = new Map<string, bigint>()
  if (bytes.length === 0) return out
  const items = rlpDecode(bytes) as Uint8Array[][]
  for (const [k, v] of items) out.set(dec.decode(k!), bytesToBigint(v!))
  return out
}

/** Splits encoded record bytes into the 32-byte words of slots 1..n. */
export function recordWords(bytes: Uint8Array): Hex[] {
  const words: Hex[] = []
  for (let off = 0; off < bytes.length; off += 32) {
    const w = new Uint8Array(32)
    w.set(bytes.subarray(off, off + 32))
    words.push(bytesToHex(w))
  }
  return words
}

export function joinWords(words: Hex[], length: number): Uint8Array {
  const out = new Uint8Array(length)
  words.forEach((w, i) => out.set(hexToBytes(w).subarray(0, Math.min(32, length - i * 32)), i * 32))
  return out
}
