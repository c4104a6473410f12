// Small outputs that outlive a call (node encodings, account records, flushed nodes) are cut from a
// shared slab, as Buffer.allocUnsafe does from its pool: a view costs a small on-heap object, while
// each `new Uint8Array(n)` over 64 bytes is its own malloc'd backing store. The views are plain
// Uint8Arrays (`slice()` copies); a slab lives as long as any view into it.

const SLAB = 64 * 1024
let slab = new Uint8Array(SLAB)
let used = 0

/**
 * n zeroed-or-to-be-overwritten bytes: a view into a shared slab for small n. Callers write every byte.
 *
 * @example
 * ```ts
 * const out = allocBytes(33); out[0] = 0xa0; out.set(hash, 1)
 * ```
 */
export function allocBytes(n: number): Uint8Array {
  if (n > 4096) return new Uint8Array(n)
  if (used + n > SLAB) {
    slab = new Uint8Array(SLAB)
    used = 0
  }
  const out = slab.subarray(used, used + n)
  used += n
  return out
}
