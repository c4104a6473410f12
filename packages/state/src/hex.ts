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
