// Byte strings packed end to end in one buffer: one allocation for many items, one transfer to a worker.

/** Byte strings packed end to end: item i is `bytes[ends[i - 1] ?? 0, ends[i])`. */
export interface PackedItems {
  bytes: Uint8Array<ArrayBuffer>
  ends: Uint32Array<ArrayBuffer>
}

/**
 * Packs byte strings end to end (one copy).
 *
 * @example
 * ```ts
 * packItems([Uint8Array.of(1), Uint8Array.of(2, 3)]) // { bytes: [1, 2, 3], ends: [1, 3] }
 * ```
 */
export function packItems(items: readonly Uint8Array[]): PackedItems {
  let size = 0
  for (const it of items) size += it.length
  const bytes = new Uint8Array(size)
  const ends = new Uint32Array(items.length)
  let at = 0
  for (let i = 0; i < items.length; i++) {
    bytes.set(items[i]!, at)
    at += items[i]!.length
    ends[i] = at
  }
  return { bytes, ends }
}

/**
 * Views of packed items (no copies).
 *
 * @example
 * ```ts
 * unpackItems(packItems(items)) // equal to items
 * ```
 */
export function unpackItems({ bytes, ends }: PackedItems): Uint8Array[] {
  const items: Uint8Array[] = new Array(ends.length)
  for (let i = 0, start = 0; i < items.length; i++) {
    items[i] = bytes.subarray(start, ends[i]!)
    start = ends[i]!
  }
  return items
}
