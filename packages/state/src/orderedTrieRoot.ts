import { EMPTY_TRIE_ROOT, type Hex } from '@appchain/core'
import { toHex } from './hex.js'
import { keccak256 as keccak_256 } from './keccak.js'
import { listHeaderLen, strLen, writeListHeader, writeStr } from './rlp.js'

/**
 * rlp(index) as a trie key: 0 -> 0x80, 1..127 -> one byte, then big-endian with a length prefix.
 *
 * @example
 * ```ts
 * indexKey(0) // Uint8Array [0x80]
 * indexKey(128) // Uint8Array [0x81, 0x80]
 * ```
 */
export function indexKey(index: number): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`Invalid index: ${index}`)
  if (index === 0) return Uint8Array.of(0x80)
  if (index < 0x80) return Uint8Array.of(index)
  const n = index < 0x100 ? 1 : index < 0x10000 ? 2 : index < 0x1000000 ? 3 : index < 0x100000000 ? 4 : 0
  if (n === 0) {
    const bytes: number[] = []
    for (let v = index; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
    return Uint8Array.of(0x80 + bytes.length, ...bytes)
  }
  const out = new Uint8Array(1 + n)
  out[0] = 0x80 + n
  for (let i = n, v = index; i >= 1; i--, v >>>= 8) out[i] = v & 0xff
  return out
}

/** Nibbles per key slot: rlp(index) of an index below 2^32 is at most 5 bytes. */
const STRIDE = 10

/**
 * Root of an ordered trie keyed by rlp(index): Ethereum's transactionsRoot, receiptsRoot and
 * withdrawalsRoot. Items are the encoded transactions / receipts / withdrawals, in order.
 *
 * The keys are known, so the trie is not built: the item indices are put in key order directly and
 * each node's encoding is written once into a scratch buffer and hashed from there, bottom-up.
 *
 * @example
 * ```ts
 * import { orderedTrieRoot } from '@appchain/state'
 * orderedTrieRoot([]) // '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421'
 * orderedTrieRoot(block.transactions) // transactionsRoot
 * ```
 */
export function orderedTrieRoot(items: readonly Uint8Array[]): Hex {
  const n = items.length
  if (n > 0xffffffff) throw new RangeError(`Too many items: ${n}`)
  for (let i = 0; i < n; i++) {
    const item = items[i]
    if (!(item instanceof Uint8Array)) throw new TypeError(`Item ${i} is not a Uint8Array`)
    // An empty item still takes its slot: Ethereum never puts empty values in these tries.
    if (item.length === 0) throw new RangeError(`Item ${i} is empty`)
  }
  if (n === 0) return EMPTY_TRIE_ROOT
  // Key order of rlp(index): 1..127 (one byte below 0x80), 0 (0x80), then 128.. in numeric order
  // (0x81 xx, 0x82 xx xx, ...: longer keys have a larger first byte).
  const order = new Uint32Array(n)
  let k = 0
  for (let i = 1; i < Math.min(n, 0x80); i++) order[k++] = i
  order[k++] = 0
  for (let i = 0x80; i < n; i++) order[k++] = i
  const keys = new Uint8Array(n * STRIDE)
  const lens = new Uint8Array(n)
  for (let j = 0; j < n; j++) lens[j] = writeKeyNibbles(order[j]!, keys, j * STRIDE)
  const b = new Builder(items, order, keys, lens)
  const ref = new Uint8Array(33 + 32)
  const end = b.ref(0, n, 0, ref, 0)
  // The root is hashed even when its encoding is shorter than 32 bytes.
  return toHex(end === 33 && ref[0] === 0xa0 ? ref.subarray(1, 33) : keccak_256(ref.subarray(0, end)))
}

/** Writes the nibbles of rlp(index) at keys[off..]; returns how many. */
function writeKeyNibbles(index: number, keys: Uint8Array, off: number): number {
  let bytes: number
  if (index === 0) bytes = 0x80
  else if (index < 0x80) bytes = index
  else {
    const len = index < 0x100 ? 1 : index < 0x10000 ? 2 : index < 0x1000000 ? 3 : 4
    keys[off] = 8
    keys[off + 1] = len
    for (let i = len - 1, o = off + 2 + 2 * i, v = index; i >= 0; i--, o -= 2, v >>>= 8) {
      keys[o] = (v >> 4) & 0x0f
      keys[o + 1] = v & 0x0f
    }
    return 2 + 2 * len
  }
  keys[off] = bytes >> 4
  keys[off + 1] = bytes & 0x0f
  return 2
}

/** Encodes the trie of sorted keys bottom-up: each node into one scratch buffer, hashed from there. */
class Builder {
  private enc = new Uint8Array(1024)
  /** Per depth: the references of a branch's children, written before the branch itself. */
  private bodies: Uint8Array[] = []

  constructor(
    private readonly items: readonly Uint8Array[],
    private readonly order: Uint32Array,
    private readonly keys: Uint8Array,
    private readonly lens: Uint8Array,
  ) {}

  private scratch(size: number): Uint8Array {
    if (this.enc.length < size) this.enc = new Uint8Array(Math.max(size, this.enc.length * 2))
    return this.enc
  }

  /**
   * Writes at out[off] the reference (inline encoding under 32 bytes, else 0xa0 + keccak) of the node
   * holding sorted keys [lo, hi) below nibble d; returns the offset after it.
   */
  ref(lo: number, hi: number, d: number, out: Uint8Array, off: number): number {
    const keys = this.keys
    const first = lo * STRIDE
    const firstLen = this.lens[lo]!
    if (hi - lo === 1) {
      const value = this.items[this.order[lo]!]!
      const payload = hexPrefixLen(firstLen - d) + strLen(value)
      const len = listHeaderLen(payload) + payload
      const enc = this.scratch(len)
      let o = writeListHeader(enc, 0, payload)
      o = writeHexPrefix(enc, o, keys, first + d, first + firstLen, true)
      writeStr(enc, o, value)
      return this.emit(enc, len, out, off)
    }
    // Sorted keys: the prefix shared by all is the one the first and last share.
    const last = (hi - 1) * STRIDE
    const max = Math.min(firstLen, this.lens[hi - 1]!)
    let c = d
    while (c < max && keys[first + c] === keys[last + c]) c++
    if (c > d) {
      // An extension over the shared nibbles, then the branch.
      const child = this.bodyAt(d) // free: the branch below writes its children at depth c > d
      const childEnd = this.branch(lo, hi, c, child, 0)
      const payload = hexPrefixLen(c - d) + childEnd
      const len = listHeaderLen(payload) + payload
      const enc = this.scratch(len)
      let o = writeListHeader(enc, 0, payload)
      o = writeHexPrefix(enc, o, keys, first + d, first + c, false)
      enc.set(child.subarray(0, childEnd), o)
      return this.emit(enc, len, out, off)
    }
    return this.branch(lo, hi, d, out, off)
  }

  private bodyAt(d: number): Uint8Array {
    let body = this.bodies[d]
    if (body === undefined) {
      body = new Uint8Array(16 * 33 + 33)
      this.bodies[d] = body
    }
    return body
  }

  /** A branch at nibble d over sorted keys [lo, hi) (at least two, differing at d or ending there). */
  private branch(lo: number, hi: number, d: number, out: Uint8Array, off: number): number {
    const keys = this.keys
    const lens = this.lens
    const body = this.bodyAt(d)
    let k = lo
    // A key ending at d sorts first: it is the branch's value.
    let value: Uint8Array | undefined
    if (lens[k] === d) value = this.items[this.order[k++]!]!
    let o = 0
    for (let nib = 0; nib < 16; nib++) {
      let e = k
      while (e < hi && keys[e * STRIDE + d] === nib) e++
      if (e === k) body[o++] = 0x80
      else o = this.ref(k, e, d + 1, body, o)
      k = e
    }
    const payload = o + (value === undefined ? 1 : strLen(value))
    const len = listHeaderLen(payload) + payload
    const enc = this.scratch(len)
    const h = writeListHeader(enc, 0, payload)
    enc.set(body.subarray(0, o), h)
    if (value === undefined) enc[h + o] = 0x80
    else writeStr(enc, h + o, value)
    return this.emit(enc, len, out, off)
  }

  /** Writes the reference of the encoding enc[0..len) at out[off]. */
  private emit(enc: Uint8Array, len: number, out: Uint8Array, off: number): number {
    if (len < 32) {
      out.set(enc.subarray(0, len), off)
      return off + len
    }
    out[off] = 0xa0
    out.set(keccak_256(enc.subarray(0, len)), off + 1)
    return off + 33
  }
}

/** RLP length of the hex-prefix encoding of n nibbles. */
function hexPrefixLen(n: number): number {
  const bytes = (n >> 1) + 1
  return bytes === 1 ? 1 : 1 + bytes
}

/** Writes the hex-prefix encoding of nibbles[from..to) as an RLP string at off. */
function writeHexPrefix(
  out: Uint8Array,
  off: number,
  nibbles: Uint8Array,
  from: number,
  to: number,
  leaf: boolean,
): number {
  const n = to - from
  const bytes = (n >> 1) + 1
  let o = off
  if (bytes > 1) out[o++] = 0x80 + bytes
  let i = from
  if (n & 1) out[o++] = (leaf ? 0x30 : 0x10) | nibbles[i++]!
  else out[o++] = leaf ? 0x20 : 0x00
  for (; i < to; i += 2) out[o++] = (nibbles[i]! << 4) | nibbles[i + 1]!
  return o
}
