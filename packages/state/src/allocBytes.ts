// Small outputs made together and kept (or dropped) together — trie node encodings and a commit's
// entries, queued trie values — are cut from a shared slab, as Buffer.allocUnsafe does from its pool:
// a view costs a small on-heap object, while each `new Uint8Array(n)` over 64 bytes is its own malloc'd
// backing store. The views are plain Uint8Arrays (`slice()` copies); a slab lives as long as any view
// into it, so values with their own lifetimes (account records, values read back) are not cut from it.

const SLAB = 64 * 1024
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer
const newSlab = (): Uint8Array => (NodeBuffer === undefined ? new Uint8Array(SLAB) : NodeBuffer.allocUnsafeSlow(SLAB))
let slab = newSlab()
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
    slab = newSlab()
    used = 0
  }
  // A plain Uint8Array view even when the slab is a Buffer (whose slice() would not copy).
  const out = new Uint8Array(slab.buffer, slab.byteOffset + used, n)
  used += n
  return out
}

/**
 * The bytes of a Latin-1 string (one byte per char), cut from the slab and written natively.
 *
 * @example
 * ```ts
 * latin1Bytes('\x01\xff') // Uint8Array [1, 255]
 * ```
 */
export function latin1Bytes(s: string): Uint8Array {
  const n = s.length
  if (NodeBuffer === undefined || n > 4096) {
    const out = allocBytes(n)
    for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i)
    return out
  }
  if (used + n > SLAB) {
    slab = newSlab()
    used = 0
  }
  ;(slab as Buffer).write(s, used, n, 'latin1')
  const out = new Uint8Array(slab.buffer, slab.byteOffset + used, n)
  used += n
  return out
}

/**
 * A Latin-1 string's bytes cut from the slab as two views, [at, end) and [0, at) (no view of the whole): a trie
 * leaf's hash and encoding, kept in one string as encoding + hash.
 *
 * @example
 * ```ts
 * const [hash, encoding] = latin1TailHead(leafString, encodingLength)
 * ```
 */
export function latin1TailHead(s: string, at: number): [tail: Uint8Array, head: Uint8Array] {
  const n = s.length
  if (NodeBuffer === undefined || n > 4096) {
    const all = latin1Bytes(s)
    return [all.subarray(at), all.subarray(0, at)]
  }
  if (used + n > SLAB) {
    slab = newSlab()
    used = 0
  }
  ;(slab as Buffer).write(s, used, n, 'latin1')
  const base = slab.byteOffset + used
  used += n
  return [new Uint8Array(slab.buffer, base + at, n - at), new Uint8Array(slab.buffer, base, at)]
}
