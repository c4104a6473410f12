/** Length of the rlp header of a string or list whose payload is `len` bytes (single bytes < 0x80 aside). */
export function headerLength(len: number): number {
  if (len <= 55) return 1
  let n = 1
  for (let l = len; l > 255; l = Math.floor(l / 256)) n++
  return 1 + n
}

/**
 * Writes the rlp header of a string (`base` 0x80) or list (`base` 0xc0) of `len` bytes at `at`; returns the end.
 *
 * @example
 * ```ts
 * const out = new Uint8Array(3)
 * writeHeader(out, 0, 0xc0, 100) // out = [0xf8, 100, 0], returns 2
 * ```
 */
export function writeHeader(out: Uint8Array, at: number, base: number, len: number): number {
  if (len <= 55) {
    out[at] = base + len
    return at + 1
  }
  const n = headerLength(len) - 1
  out[at] = base + 55 + n
  for (let i = n; i >= 1; i--) {
    out[at + i] = len & 0xff
    len = Math.floor(len / 256)
  }
  return at + 1 + n
}
