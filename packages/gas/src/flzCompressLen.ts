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
  const table = new Uint32Array(8192)
  const u24 = (i: number) => input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16)
  // Bits 19..31 of the 64-bit product v × 2654435769 lie in its low 32 bits, which Math.imul gives exactly.
  const hash = (v: number) => (Math.imul(v, 0x9e3779b9) >>> 19) & 0x1fff
  const literals = (run: number, size: number) => {
    size += 0x21 * Math.floor(run / 0x20)
    const rest = run % 0x20
    return rest === 0 ? size : size + rest + 1
  }
  const match = (len: number, size: number) => {
    const l = len - 1
    size += 3 * Math.floor(l / 262)
    return l % 262 >= 6 ? size + 3 : size + 2
  }
  const remember = (i: number) => {
    table[hash(u24(i))] = i
    return i + 1
  }

  let i = 2
  let anchor = 0
  let size = 0
  while (i < limit) {
    let ref = 0
    for (;;) {
      const seq = u24(i)
      const h = hash(seq)
      ref = table[h]!
      table[h] = i
      const distance = i - ref
      if (i >= limit) break
      i++
      if (distance < 8192 && seq === u24(ref)) break
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
    i = remember(i + len)
    i = remember(i)
    anchor = i
  }
  return literals(n - anchor, size)
}
