/**
 * The length of `input` after FastLZ (level 1) compression, computed without producing the output: the
 * measure OP Stack (Fjord and later) uses for a transaction's share of a compressed batch. Same results as
 * op-geth's `FlzCompressLen` and Solady's `LibZip.flzCompress(...).length`.
 *
 * @example
 * ```ts
 * flzCompressLen(new Uint8Array(1000)) // 21: a thousand zero bytes compress to one literal and a few matches
 * ```
 */
export function flzCompressLen(input: Uint8Array): number {
  const n = input.length
  const limit = n < 13 ? 0 : n - 13
  // The shared hash table holds positions offset by this call's base: an entry below the base is from an earlier
  // call and reads as 0, as in a freshly zeroed table (one array read and write per step, no zeroing per call).
  // Every value an earlier call wrote is below its base plus its length, which is this call's base at least.
  if (nextBase > MAX_BASE - n) {
    TABLE.fill(0)
    nextBase = 1
  }
  const b = nextBase
  nextBase = b + n + 1
  let i = 2
  let anchor = 0
  let size = 0
  while (i < limit) {
    let ref = 0
    for (;;) {
      const seq = u24(input, i)
      const h = hash(seq)
      const at = TABLE[h]! - b
      ref = at < 0 ? 0 : at
      TABLE[h] = i + b
      const distance = i - ref
      if (i >= limit) break
      i++
      if (distance < 8192 && seq === u24(input, ref)) break
    }
    if (i >= limit) break
    i--
    if (i > anchor) size = literals(i - anchor, size)
    // Length of the match, counting the first mismatching byte, up to 9 bytes past the limit.
    const p = ref + 3
    const q = i + 3
    let len = 0
    let end = limit + 9 - q
    while (len < end) {
      if (input[p + len] !== input[q + len]) end = 0
      len++
    }
    size = match(len, size)
    i = remember(input, i + len, b)
    i = remember(input, i, b)
    anchor = i
  }
  return literals(n - anchor, size)
}

// One hash table for every call (the function is synchronous), of positions plus the call's base (see above).
const TABLE = new Uint32Array(8192)
const MAX_BASE = 2 ** 32 - 2
let nextBase = 1

const u24 = (input: Uint8Array, i: number) => input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16)
// Bits 19..31 of the 64-bit product v × 2654435769 lie in its low 32 bits, which Math.imul gives exactly.
const hash = (v: number) => (Math.imul(v, 0x9e3779b9) >>> 19) & 0x1fff
const literals = (run: number, size: number) => {
  const s = size + 0x21 * Math.floor(run / 0x20)
  const rest = run % 0x20
  return rest === 0 ? s : s + rest + 1
}
const match = (len: number, size: number) => {
  const l = len - 1
  const s = size + 3 * Math.floor(l / 262)
  return l % 262 >= 6 ? s + 3 : s + 2
}
const remember = (input: Uint8Array, i: number, b: number) => {
  TABLE[hash(u24(input, i))] = i + b
  return i + 1
}
