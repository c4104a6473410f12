// Minimal, allocation-light RLP for trie nodes and account records (hot path: no generic encoder).

/** A decoded RLP item: bytes (a view into the input) or a list of items. */
export type RlpItem = Uint8Array | RlpItem[]

/** Encoded length of a byte string. */
export function strLen(b: Uint8Array): number {
  const n = b.length
  if (n === 1 && b[0]! < 0x80) return 1
  return n < 56 ? 1 + n : 1 + lenOfLen(n) + n
}

export function lenOfLen(n: number): number {
  return n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4
}

/** Writes a byte string at `off`, returns the offset after it. */
export function writeStr(out: Uint8Array, off: number, b: Uint8Array): number {
  const n = b.length
  if (n === 1 && b[0]! < 0x80) {
    out[off] = b[0]!
    return off + 1
  }
  if (n < 56) {
    out[off++] = 0x80 + n
  } else {
    const l = lenOfLen(n)
    out[off++] = 0xb7 + l
    for (let i = l - 1; i >= 0; i--) out[off++] = (n >>> (8 * i)) & 0xff
  }
  out.set(b, off)
  return off + n
}

export function listHeaderLen(payload: number): number {
  return payload < 56 ? 1 : 1 + lenOfLen(payload)
}

export function writeListHeader(out: Uint8Array, off: number, payload: number): number {
  if (payload < 56) {
    out[off] = 0xc0 + payload
    return off + 1
  }
  const l = lenOfLen(payload)
  out[off++] = 0xf7 + l
  for (let i = l - 1; i >= 0; i--) out[off++] = (payload >>> (8 * i)) & 0xff
  return off
}

/** RLP list of byte strings. */
export function encodeStrList(items: Uint8Array[]): Uint8Array {
  let payload = 0
  for (const it of items) payload += strLen(it)
  const out = new Uint8Array(listHeaderLen(payload) + payload)
  let off = writeListHeader(out, 0, payload)
  for (const it of items) off = writeStr(out, off, it)
  return out
}

/** RLP of a single byte string. */
export function encodeStr(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(strLen(b))
  writeStr(out, 0, b)
  return out
}

export class RlpError extends Error {}

/** Decodes one item spanning the whole input; throws `RlpError` on malformed or non-canonical input. */
export function decodeRlp(input: Uint8Array): RlpItem {
  const [item, end] = decodeAt(input, 0, input.length)
  if (end !== input.length) throw new RlpError('trailing bytes')
  return item
}

function readLen(input: Uint8Array, off: number, l: number, end: number): number {
  if (off + l > end) throw new RlpError('length out of bounds')
  if (input[off] === 0) throw new RlpError('leading zero in length')
  let n = 0
  for (let i = 0; i < l; i++) n = n * 256 + input[off + i]!
  if (n < 56) throw new RlpError('non-canonical length')
  return n
}

/** Decodes the item at `off` (not past `end`); returns it and the offset after it. */
export function decodeAt(input: Uint8Array, off: number, end: number): [RlpItem, number] {
  if (off >= end) throw new RlpError('unexpected end')
  const p = input[off]!
  if (p < 0x80) return [input.subarray(off, off + 1), off + 1]
  if (p < 0xb8) {
    const n = p - 0x80
    if (off + 1 + n > end) throw new RlpError('string out of bounds')
    if (n === 1 && input[off + 1]! < 0x80) throw new RlpError('non-canonical single byte')
    return [input.subarray(off + 1, off + 1 + n), off + 1 + n]
  }
  if (p < 0xc0) {
    const l = p - 0xb7
    const n = readLen(input, off + 1, l, end)
    const start = off + 1 + l
    if (start + n > end) throw new RlpError('string out of bounds')
    return [input.subarray(start, start + n), start + n]
  }
  let start: number
  let n: number
  if (p < 0xf8) {
    n = p - 0xc0
    start = off + 1
  } else {
    const l = p - 0xf7
    n = readLen(input, off + 1, l, end)
    start = off + 1 + l
  }
  const stop = start + n
  if (stop > end) throw new RlpError('list out of bounds')
  const items: RlpItem[] = []
  let o = start
  while (o < stop) {
    const [it, next] = decodeAt(input, o, stop)
    items.push(it)
    o = next
  }
  return [items, stop]
}
