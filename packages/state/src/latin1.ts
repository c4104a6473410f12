// Bytes held as Latin-1 strings: a flat one-byte string costs its length plus 16 bytes, a small
// Uint8Array about 300 bytes more (object, ArrayBuffer, backing store). The trie keeps its leaves so.

const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer

/** Bytes to a flat Latin-1 string (one char per byte). */
export function latin1(b: Uint8Array): string {
  if (NodeBuffer !== undefined) return NodeBuffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')
  return String.fromCharCode.apply(null, b as unknown as number[])
}

/** Chars [start, end) of a Latin-1 string back to bytes. */
export function fromLatin1(s: string, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start)
  for (let i = start; i < end; i++) out[i - start] = s.charCodeAt(i)
  return out
}
