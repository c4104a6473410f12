import type { Hex } from '@appchain/core'

// Hot-path hex conversions (logs, storage words, addresses): char-code tables instead of parseInt/slice.
const NIBBLE = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i
for (let i = 0; i < 6; i++) {
  NIBBLE[97 + i] = 10 + i
  NIBBLE[65 + i] = 10 + i
}
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** 0x hex to bytes (odd length left-padded); throws TypeError on a non-hex character. */
export function fromHex(hex: string): Uint8Array {
  let start = hex.length >= 2 && hex.charCodeAt(0) === 48 && (hex.charCodeAt(1) | 32) === 120 ? 2 : 0
  const digits = hex.length - start
  const out = new Uint8Array((digits + 1) >> 1)
  let o = 0
  if (digits & 1) {
    const n = NIBBLE[hex.charCodeAt(start)] ?? -1
    if (n < 0) throw new TypeError(`Invalid hex: ${hex.slice(0, 66)}`)
    out[o++] = n
    start++
  }
  for (let i = start; i < hex.length; i += 2) {
    const hi = NIBBLE[hex.charCodeAt(i)] ?? -1
    const lo = NIBBLE[hex.charCodeAt(i + 1)] ?? -1
    if (hi < 0 || lo < 0) throw new TypeError(`Invalid hex: ${hex.slice(0, 66)}`)
    out[o++] = (hi << 4) | lo
  }
  return out
}

/** Bytes to lower-case 0x hex. */
export function toHex(bytes: Uint8Array): Hex {
  let out = '0x'
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!]
  return out as Hex
}
