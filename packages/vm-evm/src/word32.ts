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
  if (v === 0n) return out
  const view = new DataView(out.buffer)
  view.setBigUint64(24, BigInt.asUintN(64, v))
  v >>= 64n
  if (v === 0n) return out
  view.setBigUint64(16, BigInt.asUintN(64, v))
  v >>= 64n
  view.setBigUint64(8, BigInt.asUintN(64, v))
  view.setBigUint64(0, BigInt.asUintN(64, v >> 64n))
  return out
}
