// 256-bit words between bigints and bytes without hex strings or array spreads. One scratch DataView:
// `setBigUint64` stores its argument modulo 2^64, so a word is written as four 64-bit limbs.
const scratch = new DataView(new ArrayBuffer(32))
const scratchBytes = new Uint8Array(scratch.buffer)

/**
 * Writes a 256-bit word as 32 big-endian bytes into `target` at `offset`. Same bytes as
 * `setLengthLeft(bigIntToBytes(v), 32)` for 0 ≤ v < 2^256 (every EVM stack value).
 *
 * @example
 * ```ts
 * writeWord32(memory, 64, 1n) // memory[64..95] = 0, ..., 0, 1
 * ```
 */
export function writeWord32(target: Uint8Array, offset: number, v: bigint): void {
  scratch.setBigUint64(24, v)
  if (v < 0x10000000000000000n) {
    scratch.setBigUint64(16, 0n)
    scratch.setBigUint64(8, 0n)
    scratch.setBigUint64(0, 0n)
  } else {
    scratch.setBigUint64(16, v >> 64n)
    scratch.setBigUint64(8, v >> 128n)
    scratch.setBigUint64(0, v >> 192n)
  }
  target.set(scratchBytes, offset)
}

/**
 * A 256-bit word as 32 big-endian bytes. Same bytes as `setLengthLeft(bigIntToBytes(v), 32)` for
 * 0 ≤ v < 2^256 (every EVM stack value), without the hex string and array spreads that pair costs.
 *
 * @example
 * ```ts
 * word32(1n) // Uint8Array(32) [0, ..., 0, 1]
 * ```
 */
export function word32(v: bigint): Uint8Array {
  const out = new Uint8Array(32)
  if (v !== 0n) writeWord32(out, 0, v)
  return out
}

/**
 * The big-endian word in `source[offset .. offset + 32)`, bytes past the end read as zero (CALLDATALOAD's
 * padding). Same value as `bytesToBigInt` of those 32 bytes, without the hex string.
 *
 * @example
 * ```ts
 * readWord32(word32(5n), 0) // 5n
 * ```
 */
export function readWord32(source: Uint8Array, offset: number): bigint {
  const end = source.length - offset
  if (end >= 32) for (let i = 0; i < 32; i++) scratchBytes[i] = source[offset + i]!
  else for (let i = 0; i < 32; i++) scratchBytes[i] = i < end ? source[offset + i]! : 0
  const d = scratch.getBigUint64(24)
  if (
    scratch.getUint32(0) === 0 &&
    scratch.getUint32(4) === 0 &&
    scratch.getUint32(8) === 0 &&
    scratch.getUint32(12) === 0 &&
    scratch.getUint32(16) === 0 &&
    scratch.getUint32(20) === 0
  )
    return d
  return (((scratch.getBigUint64(0) << 64n) | scratch.getBigUint64(8)) << 128n) | (scratch.getBigUint64(16) << 64n) | d
}
