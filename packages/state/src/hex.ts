import type { Hex } from '@appchain/core'
import { bytesToHex } from '@appchain/core'

const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer

/**
 * Bytes to 0x hex as a flat string. Map keys built by `+=` stay as ropes of cons-strings (about
 * 1.7 KB per 54-byte key); Buffer's native encoder returns one flat string.
 */
export function toHex(bytes: Uint8Array): Hex {
  if (NodeBuffer === undefined) return bytesToHex(bytes)
  return `0x${NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}` as Hex
}

const NIBBLE = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i
  NIBBLE[97 + i] = 10 + i
}

/** 0x hex (even length) to bytes, by char codes (the hot path parses addresses, slots and hashes). */
export function fromHex(hex: string): Uint8Array {
  const n = (hex.length - 2) >> 1
  if (hex.length % 2 !== 0 || hex.charCodeAt(0) !== 48 || (hex.charCodeAt(1) | 0x20) !== 120)
    throw new TypeError(`Invalid hex: ${hex.slice(0, 66)}`)
  const out = new Uint8Array(n)
  for (let i = 0, j = 2; i < n; i++, j += 2) {
    const hi = NIBBLE[hex.charCodeAt(j)] ?? -1
    const lo = NIBBLE[hex.charCodeAt(j + 1)] ?? -1
    if (hi < 0 || lo < 0) throw new TypeError(`Invalid hex: ${hex.slice(0, 66)}`)
    out[i] = (hi << 4) | lo
  }
  return out
}

/** Parses 0x hex (even length) into out at off; returns the offset after it. */
export function fromHexInto(hex: string, out: Uint8Array, off: number): number {
  const n = (hex.length - 2) >> 1
  if (hex.length % 2 !== 0 || hex.charCodeAt(0) !== 48 || (hex.charCodeAt(1) | 0x20) !== 120)
    throw new TypeError(`Invalid hex: ${hex.slice(0, 66)}`)
  for (let i = 0, j = 2; i < n; i++, j += 2) {
    const hi = NIBBLE[hex.charCodeAt(j)] ?? -1
    const lo = NIBBLE[hex.charCodeAt(j + 1)] ?? -1
    if (hi < 0 || lo < 0) throw new TypeError(`Invalid hex: ${hex.slice(0, 66)}`)
    out[off + i] = (hi << 4) | lo
  }
  return off + n
}

/** Minimal big-endian bytes of a non-negative bigint (0 -> empty), as RLP wants integers. */
export function bigintBytes(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0)
  if (v < 0x100000000n) {
    const x = Number(v)
    const len = x < 0x100 ? 1 : x < 0x10000 ? 2 : x < 0x1000000 ? 3 : 4
    const out = new Uint8Array(len)
    for (let i = len - 1, y = x; i >= 0; i--, y >>>= 8) out[i] = y & 0xff
    return out
  }
  const h = v.toString(16)
  return fromHex(h.length % 2 ? `0x0${h}` : `0x${h}`)
}
