// Trie nodes held in memory. Nodes are mutated in place by the trie; `ref` caches the node's
// reference (its RLP when shorter than 32 bytes, else keccak of it) and is cleared on change, so a
// commit re-hashes only the paths that changed. `stored` says the node's encoding is in the store.
import { allocBytes, latin1TailHead } from './allocBytes.js'
import { keccak256 as keccak_256, keccak256Into } from './keccak.js'
import { fromLatin1, latin1 } from './latin1.js'
import { decodeRlp, lenOfLen, listHeaderLen, type RlpItem, strLen, writeListHeader, writeStr } from './rlp.js'

const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer

let scratch: Uint8Array = NodeBuffer === undefined ? new Uint8Array(4096) : NodeBuffer.allocUnsafeSlow(4096)
/** Views of scratch[0..n) by n, made once per length: an encoding is hashed in place with no view per hash. */
let heads: (Uint8Array | undefined)[] = []
/** A module-level buffer for encodings that are copied out at once (hashing is synchronous). */
function scratchOf(n: number): Uint8Array {
  if (scratch.length < n) {
    const size = Math.max(n, scratch.length * 2)
    scratch = NodeBuffer === undefined ? new Uint8Array(size) : NodeBuffer.allocUnsafeSlow(size)
    heads = []
  }
  return scratch
}

/** keccak256 of scratch[0..len), written at scratch[len..len + 32) (the leaf's encoding, then its hash). */
function hashScratchHead(len: number): void {
  let head = heads[len]
  if (head === undefined) {
    head = scratch.subarray(0, len)
    heads[len] = head
  }
  keccak256Into(head, 0, len, scratch, len)
}

/** scratch[0..len) as a Latin-1 string (Buffer's native encoder when there is one: no object per call). */
function scratchString(buf: Uint8Array, len: number): string {
  if (NodeBuffer !== undefined) return (buf as Buffer).toString('latin1', 0, len)
  return latin1(buf.subarray(0, len))
}

/** Copies a Latin-1 string into buf at 0. */
function stringToScratch(buf: Uint8Array, s: string, len: number): void {
  if (NodeBuffer !== undefined) (buf as Buffer).write(s, 0, len, 'latin1')
  else for (let i = 0; i < len; i++) buf[i] = s.charCodeAt(i)
}

/** Writes the hex-prefix string of path[pos..] (a leaf's or extension's RLP path item) at `off`. */
function writeHexPrefixStr(out: Uint8Array, off: number, path: Uint8Array, pos: number, leaf: boolean): number {
  const n = path.length - pos
  const bytes = (n >> 1) + 1
  let o = off
  if (bytes > 1) out[o++] = 0x80 + bytes // at most 33 bytes: a short string
  let i = pos
  if (n & 1) {
    out[o] = (leaf ? 0x30 : 0x10) | path[i]!
    i++
  } else out[o] = leaf ? 0x20 : 0x00
  o++
  for (; i < path.length; i += 2) out[o++] = (path[i]! << 4) | path[i + 1]!
  return o
}

/** RLP length of the hex-prefix path item of n nibbles. */
function hexPrefixStrLen(n: number): number {
  const bytes = (n >> 1) + 1
  return bytes === 1 ? 1 : 1 + bytes
}

/**
 * A leaf, kept compact (a 1M-account state holds 1M of them): the leaf's RLP,
 * rlp([hexPrefix(path), value]), then its 32-byte hash once computed, in one Latin-1 string (see
 * latin1.ts). Path and value are decoded on access; setting either re-encodes.
 */
export class LeafNode {
  private s: string
  /** Length of the encoding at the start of `s`. */
  private len: number
  /** 1: hash (or inline encoding) valid; 2: stored. */
  private flags: number

  /** A leaf from its compact form (see `LeafNode.of` and `LeafNode.stored`). */
  constructor(s: string, len: number, flags: number) {
    this.s = s
    this.len = len
    this.flags = flags
  }

  /**
   * A leaf for path[pos..] (pos defaults to 0: the whole path). With `hash`, its reference is computed
   * at once (for leaves built in their final place: one string instead of two).
   */
  static of(path: Uint8Array, value: Uint8Array, pos = 0, hash = false): LeafNode {
    const payload = hexPrefixStrLen(path.length - pos) + strLen(value)
    const len = listHeaderLen(payload) + payload
    // Encode in a reused scratch buffer: no short-lived off-heap allocation per leaf.
    const buf = scratchOf(len + 32)
    writeStr(buf, writeHexPrefixStr(buf, writeListHeader(buf, 0, payload), path, pos, true), value)
    if (!hash) return new LeafNode(scratchString(buf, len), len, 0)
    if (len < 32) return new LeafNode(scratchString(buf, len), len, 1)
    hashScratchHead(len)
    return new LeafNode(scratchString(buf, len + 32), len, 1)
  }

  /** A leaf loaded from the store: its encoding (32 bytes or more) and hash, kept as one string. */
  static stored(enc: Uint8Array, hash: Uint8Array): LeafNode {
    const len = enc.length
    const buf = scratchOf(len + 32)
    buf.set(enc)
    buf.set(hash, len)
    return new LeafNode(scratchString(buf, len + 32), len, 3)
  }

  /** Computes the reference (hashing the encoding when 32 bytes or more) and keeps it. */
  computeRef(): Uint8Array {
    const len = this.len
    const buf = scratchOf(len + 32)
    stringToScratch(buf, this.s, len)
    this.flags |= 1
    if (len < 32) return buf.slice(0, len)
    const hash = keccak_256(buf.subarray(0, len))
    buf.set(hash, len)
    this.s = scratchString(buf, len + 32)
    return hash
  }

  /** Computes the reference like `computeRef`, without returning it. */
  hash(): void {
    const len = this.len
    this.flags |= 1
    if (len < 32) return
    const buf = scratchOf(len + 32)
    stringToScratch(buf, this.s, len)
    hashScratchHead(len)
    this.s = scratchString(buf, len + 32)
  }

  get ref(): Uint8Array | undefined {
    if ((this.flags & 1) === 0) return undefined
    return this.len < 32 ? fromLatin1(this.s, 0, this.len) : fromLatin1(this.s, this.len, this.len + 32)
  }
  set ref(ref: Uint8Array | undefined) {
    if (ref === undefined) {
      this.flags &= ~1
      return
    }
    if (ref.length === 32) {
      const buf = scratchOf(this.len + 32)
      for (let i = 0; i < this.len; i++) buf[i] = this.s.charCodeAt(i)
      buf.set(ref, this.len)
      this.s = scratchString(buf, this.len + 32)
    }
    this.flags |= 1
  }
  get stored(): boolean {
    return (this.flags & 2) !== 0
  }
  set stored(v: boolean) {
    this.flags = v ? this.flags | 2 : this.flags & ~2
  }
  /** Whether `ref` is valid (without materialising it). */
  get hashed(): boolean {
    return (this.flags & 1) !== 0
  }

  /** Length of the (valid) reference inside a parent: an inline encoding, or 0xa0 + 32-byte hash. */
  refLength(): number {
    return this.len < 32 ? this.len : 33
  }

  /** Writes the (valid) reference into a parent's encoding without materialising it. */
  writeRefTo(out: Uint8Array, off: number): number {
    const s = this.s
    if (this.len < 32) {
      for (let i = 0; i < this.len; i++) out[off + i] = s.charCodeAt(i)
      return off + this.len
    }
    out[off] = 0xa0
    for (let i = 0; i < 32; i++) out[off + 1 + i] = s.charCodeAt(this.len + i)
    return off + 33
  }

  /** [hash, RLP] of a hashed leaf of 32 bytes or more, as views into one new allocation. */
  hashAndEncoding(): [hash: Uint8Array, encoding: Uint8Array] {
    return latin1TailHead(this.s, this.len)
  }

  /** The node's RLP (a fresh copy). */
  encoding(): Uint8Array {
    return fromLatin1(this.s, 0, this.len)
  }

  /** Offset and length of the hex-prefix path inside the encoding. */
  private hp(): [start: number, length: number] {
    const s = this.s
    const c0 = s.charCodeAt(0)
    const h = c0 < 0xf8 ? 1 : 1 + c0 - 0xf7
    const first = s.charCodeAt(h)
    return first < 0x80 ? [h, 1] : [h + 1, first - 0x80]
  }

  /** Remaining key nibbles. */
  get path(): Uint8Array {
    const [start, length] = this.hp()
    return decodeHexPrefix(fromLatin1(this.s, start, start + length)).path
  }
  set path(path: Uint8Array) {
    const fresh = LeafNode.of(path, this.value)
    this.s = fresh.s
    this.len = fresh.len
    this.flags = 0
  }

  get value(): Uint8Array {
    const [start, length] = this.valueSpan()
    return fromLatin1(this.s, start, start + length)
  }

  /**
   * The value, cut from the shared slab (see allocBytes.ts): for values read and dropped together,
   * e.g. the old values a batch write hands to its callback (no backing store of their own each).
   */
  valueFromSlab(): Uint8Array {
    const [start, length] = this.valueSpan()
    const out = allocBytes(length)
    const s = this.s
    for (let i = 0; i < length; i++) out[i] = s.charCodeAt(start + i)
    return out
  }
  set value(value: Uint8Array) {
    const fresh = LeafNode.of(this.path, value)
    this.s = fresh.s
    this.len = fresh.len
    this.flags = 0
  }

  /** Offset and length of the value inside the encoding. */
  private valueSpan(): [start: number, length: number] {
    const [start, length] = this.hp()
    const off = start + length
    const s = this.s
    const p = s.charCodeAt(off)
    if (p < 0x80) return [off, 1]
    if (p < 0xb8) return [off + 1, p - 0x80]
    const l = p - 0xb7
    let n = 0
    for (let i = 1; i <= l; i++) n = n * 256 + s.charCodeAt(off + i)
    return [off + 1 + l, n]
  }

  /** Whether the value equals `value`, without materialising it. */
  valueEquals(value: Uint8Array): boolean {
    const [start, length] = this.valueSpan()
    if (length !== value.length) return false
    const s = this.s
    for (let i = 0; i < length; i++) if (s.charCodeAt(start + i) !== value[i]) return false
    return true
  }

  /** Replaces the value, keeping the path (no path decode / re-encode); clears the hash. */
  replaceValue(value: Uint8Array): void {
    const [start, length] = this.hp()
    const hpHeader = length === 1 && this.s.charCodeAt(start) < 0x80 ? 0 : 1
    const hpStrLen = hpHeader + length
    const payload = hpStrLen + strLen(value)
    const len = listHeaderLen(payload) + payload
    const buf = scratchOf(len + 32)
    let off = writeListHeader(buf, 0, payload)
    for (let i = start - hpHeader; i < start + length; i++) buf[off++] = this.s.charCodeAt(i)
    writeStr(buf, off, value)
    this.s = scratchString(buf, len)
    this.len = len
    this.flags = 0
  }

  /** Number of path nibbles. */
  pathLength(): number {
    const [start, length] = this.hp()
    return (length - 1) * 2 + ((this.s.charCodeAt(start) >> 4) & 1)
  }

  /** Length of the common prefix of the path and key[pos..], without decoding the path. */
  commonPrefix(key: Uint8Array, pos: number): number {
    const [start, length] = this.hp()
    const s = this.s
    const b0 = s.charCodeAt(start)
    const max = key.length - pos
    let k = 0
    if ((b0 >> 4) & 1) {
      if (max === 0 || key[pos] !== (b0 & 0x0f)) return 0
      k = 1
    }
    for (let i = start + 1; i < start + length; i++) {
      const c = s.charCodeAt(i)
      if (k >= max || key[pos + k] !== c >> 4) return k
      k++
      if (k >= max || key[pos + k] !== (c & 0x0f)) return k
      k++
    }
    return k
  }

  /** The path nibble at index i (i < pathLength()). */
  nibbleAt(i: number): number {
    const [start] = this.hp()
    const s = this.s
    const odd = (s.charCodeAt(start) >> 4) & 1
    if (odd && i === 0) return s.charCodeAt(start) & 0x0f
    const j = i - odd // index among the nibbles after the flag byte
    const c = s.charCodeAt(start + 1 + (j >> 1))
    return j & 1 ? c & 0x0f : c >> 4
  }

  /**
   * Drops the first n nibbles of the path, keeping the value (copied as encoded: no decode); clears
   * the hash. Used when a branch or extension is inserted above the leaf.
   */
  dropPrefix(n: number): void {
    const [start, length] = this.hp()
    const s = this.s
    const b0 = s.charCodeAt(start)
    const odd = (b0 >> 4) & 1
    const total = (length - 1) * 2 + odd
    const m = total - n
    const [vStart, vLength] = this.valueSpan()
    const vHead = vStart - (start + length) // the value's RLP header, copied with it
    const payload = hexPrefixStrLen(m) + vHead + vLength
    const len = listHeaderLen(payload) + payload
    const buf = scratchOf(len + 32)
    let o = writeListHeader(buf, 0, payload)
    const bytes = (m >> 1) + 1
    if (bytes > 1) buf[o++] = 0x80 + bytes
    const nib = (i: number): number => {
      if (odd && i === 0) return b0 & 0x0f
      const j = i - odd
      const c = s.charCodeAt(start + 1 + (j >> 1))
      return j & 1 ? c & 0x0f : c >> 4
    }
    let i = n
    if (m & 1) buf[o++] = 0x30 | nib(i++)
    else buf[o++] = 0x20
    for (; i < total; i += 2) buf[o++] = (nib(i) << 4) | nib(i + 1)
    for (let k = start + length; k < vStart + vLength; k++) buf[o++] = s.charCodeAt(k)
    this.s = scratchString(buf, len)
    this.len = len
    this.flags = 0
  }

  /** Whether the remaining path equals key[pos..], without decoding it. */
  pathEquals(key: Uint8Array, pos: number): boolean {
    const [start, length] = this.hp()
    const s = this.s
    const b0 = s.charCodeAt(start)
    const odd = (b0 >> 4) & 1
    const n = (length - 1) * 2 + odd
    if (key.length - pos !== n) return false
    let k = pos
    if (odd && key[k++] !== (b0 & 0x0f)) return false
    for (let i = start + 1; i < start + length; i++) {
      const c = s.charCodeAt(i)
      if (key[k++] !== c >> 4 || key[k++] !== (c & 0x0f)) return false
    }
    return true
  }
}

export class ExtensionNode {
  ref: Uint8Array | undefined = undefined
  stored = false
  path: Uint8Array
  child: TrieNode
  constructor(path: Uint8Array, child: TrieNode) {
    this.path = path
    this.child = child
  }
}

export class BranchNode {
  ref: Uint8Array | undefined = undefined
  stored = false
  children: (TrieNode | undefined)[] = new Array(16).fill(undefined)
  value: Uint8Array | undefined = undefined
}

/** A node known only by hash, loaded from the store when a path through it is needed. */
export class HashNode {
  /** The hash as a Latin-1 string (48 bytes on the heap instead of ~150 for a Uint8Array). */
  private readonly h: string
  /** From the hash's bytes, or its 32-char Latin-1 string. */
  constructor(hash: Uint8Array | string) {
    this.h = typeof hash === 'string' ? hash : latin1(hash)
  }
  /** The hash as a 32-char Latin-1 string: a cheap map key (no bytes, no hex). */
  get key(): string {
    return this.h
  }
  get ref(): Uint8Array {
    return fromLatin1(this.h, 0, 32)
  }
  get stored(): boolean {
    return true
  }
}

export type TrieNode = LeafNode | ExtensionNode | BranchNode | HashNode

const EMPTY = new Uint8Array(0)

/** Hex-prefix encoding of a nibble path. */
export function hexPrefix(path: Uint8Array, leaf: boolean): Uint8Array {
  const n = path.length
  const out = new Uint8Array((n >> 1) + 1)
  let i = 0
  if (n & 1) {
    out[0] = (leaf ? 0x30 : 0x10) | path[0]!
    i = 1
  } else {
    out[0] = leaf ? 0x20 : 0x00
  }
  for (let o = 1; i < n; i += 2, o++) out[o] = (path[i]! << 4) | path[i + 1]!
  return out
}

/** Decodes a hex-prefix path: nibbles and whether it is a leaf. */
export function decodeHexPrefix(hp: Uint8Array): { path: Uint8Array; leaf: boolean } {
  if (hp.length === 0) throw new Error('empty hex-prefix path')
  const flag = hp[0]! >> 4
  if (flag > 3) throw new Error(`bad hex-prefix flag ${flag}`)
  const odd = flag & 1
  const n = (hp.length - 1) * 2 + odd
  const path = new Uint8Array(n)
  let o = 0
  if (odd) path[o++] = hp[0]! & 0x0f
  else if ((hp[0]! & 0x0f) !== 0) throw new Error('bad hex-prefix padding')
  for (let i = 1; i < hp.length; i++) {
    path[o++] = hp[i]! >> 4
    path[o++] = hp[i]! & 0x0f
  }
  return { path, leaf: flag >= 2 }
}

export function bytesToNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2)
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4
    out[2 * i + 1] = key[i]! & 0x0f
  }
  return out
}

export function nibblesToBytes(n: Uint8Array): Uint8Array {
  const out = new Uint8Array(n.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = (n[2 * i]! << 4) | n[2 * i + 1]!
  return out
}

/** Length of a child reference inside its parent: a hash as a 33-byte string, an inline node as is. */
function refLen(ref: Uint8Array): number {
  return ref.length === 32 ? 33 : ref.length
}

function writeRef(out: Uint8Array, off: number, ref: Uint8Array): number {
  if (ref.length === 32) {
    out[off] = 0xa0
    out.set(ref, off + 1)
    return off + 33
  }
  out.set(ref, off)
  return off + ref.length
}

let sink: Map<TrieNode, Uint8Array> | undefined

/**
 * Runs `fn` with hashed branch and extension encodings recorded in `encodings`, so a later commit
 * writes them without encoding them again. (Hashing is synchronous, so one module-level sink is safe.)
 */
export function withEncodingSink<T>(encodings: Map<TrieNode, Uint8Array>, fn: () => T): T {
  const prev = sink
  sink = encodings
  try {
    return fn()
  } finally {
    sink = prev
  }
}

/** Hashes a child if needed and returns the length of its reference inside the parent. */
function childRefLength(c: TrieNode): number {
  if (c instanceof LeafNode) {
    if (!c.hashed) c.hash()
    return c.refLength()
  }
  return refLen(nodeRef(c))
}

/** Writes a child's (computed) reference. */
function writeChildRef(out: Uint8Array, off: number, c: TrieNode): number {
  if (c instanceof LeafNode) return c.writeRefTo(out, off)
  return writeRef(out, off, c.ref!)
}

/** The reference of a node, computing (and caching) it and those of its changed descendants. */
export function nodeRef(node: TrieNode): Uint8Array {
  if (node instanceof LeafNode) return node.hashed ? node.ref! : node.computeRef()
  const cached = node.ref
  if (cached !== undefined) return cached
  // Hashed encodings are kept for the commit (with the other nodes of this root): cut from the slab.
  const enc = encodeNode(node, allocBytes)
  let ref: Uint8Array
  if (enc.length < 32)
    ref = enc.slice() // an inline node's ref lives with the node: its own bytes
  else {
    ref = keccak_256(enc)
    if (sink !== undefined) sink.set(node, enc)
  }
  ;(node as BranchNode).ref = ref
  return ref
}

const newBytes = (n: number) => new Uint8Array(n)

/** RLP of a node; children's references are computed (and cached) as needed. */
export function encodeNode(node: TrieNode, alloc: (n: number) => Uint8Array = newBytes): Uint8Array {
  if (node instanceof LeafNode) return node.encoding()
  if (node instanceof BranchNode) {
    let payload = node.value === undefined ? 1 : strLen(node.value)
    const children = node.children
    for (let i = 0; i < 16; i++) {
      const c = children[i]
      if (c === undefined) payload += 1
      else payload += childRefLength(c)
    }
    const out = alloc(listHeaderLen(payload) + payload)
    let off = writeListHeader(out, 0, payload)
    for (let i = 0; i < 16; i++) {
      const c = children[i]
      if (c === undefined) out[off++] = 0x80
      else off = writeChildRef(out, off, c)
    }
    if (node.value === undefined) out[off] = 0x80
    else writeStr(out, off, node.value)
    return out
  }
  if (node instanceof ExtensionNode) {
    const hp = hexPrefix(node.path, false)
    const r = nodeRef(node.child)
    const payload = strLen(hp) + refLen(r)
    const out = alloc(listHeaderLen(payload) + payload)
    writeRef(out, writeStr(out, writeListHeader(out, 0, payload), hp), r)
    return out
  }
  throw new Error('cannot encode an unresolved hash node')
}

/** keccak of the root node's encoding (the root is hashed even when shorter than 32 bytes). */
export function rootHashOf(node: TrieNode): Uint8Array {
  const r = nodeRef(node)
  return r.length === 32 ? r : keccak_256(r)
}

/** Builds a node from its RLP (as stored or in a proof); child hashes become `HashNode`s. */
export function decodeNode(enc: Uint8Array, hash: Uint8Array | undefined): TrieNode {
  if (hash !== undefined && enc.length >= 32) {
    const fast = decodeCommon(enc, hash)
    if (fast !== undefined) return fast
  }
  const node = nodeFromItem(decodeRlp(enc))
  node.ref = hash ?? (enc.length < 32 ? enc : keccak_256(enc))
  node.stored = true
  return node
}

/** Offset after a list header at 0 spanning exactly `enc` (canonical), else -1. */
function listPayloadStart(enc: Uint8Array): number {
  const p = enc[0]!
  if (p < 0xc0) return -1
  if (p < 0xf8) return p - 0xc0 === enc.length - 1 ? 1 : -1
  const l = p - 0xf7
  if (l > 3 || enc[1] === 0) return -1
  let n = 0
  for (let i = 1; i <= l; i++) n = n * 256 + enc[i]!
  return n >= 56 && n === enc.length - 1 - l ? 1 + l : -1
}

/**
 * The common stored shapes, decoded without intermediate items: a branch whose children are all
 * hashes or empty and without a value (its hashes become `HashNode`s cut from one string), and a leaf
 * (kept as its encoding + hash, as it is). Anything else (inline children, values, extensions, and all
 * malformed input) returns undefined for the general decoder, which validates and throws.
 */
function decodeCommon(enc: Uint8Array, hash: Uint8Array): TrieNode | undefined {
  const start = listPayloadStart(enc)
  if (start < 0) return undefined
  const end = enc.length
  const p = enc[start]!
  if (p === 0x80 || p === 0xa0) {
    // A branch: 16 references (empty or 32-byte hashes), then an empty value ending the list.
    let o = start
    for (let i = 0; i < 16; i++) {
      const c = enc[o]
      if (c === 0x80) o++
      else if (c === 0xa0) o += 33
      else return undefined
      if (o > end) return undefined
    }
    if (o !== end - 1 || enc[o] !== 0x80) return undefined
    const s = latin1(enc)
    const b = new BranchNode()
    const children = b.children
    o = start
    for (let i = 0; i < 16; i++) {
      if (enc[o] === 0x80) o++
      else {
        children[i] = new HashNode(s.substring(o + 1, o + 33))
        o += 33
      }
    }
    b.ref = hash
    b.stored = true
    return b
  }
  // A leaf: [hex-prefix path with the leaf flag, value], both canonical strings.
  let o = start
  let hpFirst: number
  if (p < 0x80) {
    hpFirst = p
    o++
  } else if (p > 0x81 && p <= 0xa1) {
    hpFirst = enc[o + 1]!
    o += 1 + p - 0x80
  } else return undefined
  const flag = hpFirst >> 4
  if (flag !== 2 && flag !== 3) return undefined
  if (flag === 2 && (hpFirst & 0x0f) !== 0) return undefined
  if (o >= end) return undefined
  const v = enc[o]!
  if (v < 0x80) o++
  else if (v < 0xb8) {
    if (v === 0x81 && enc[o + 1]! < 0x80) return undefined
    o += 1 + v - 0x80
  } else if (v <= 0xb9) {
    const l = v - 0xb7
    if (enc[o + 1] === 0) return undefined
    let n = 0
    for (let i = 1; i <= l; i++) n = n * 256 + enc[o + i]!
    if (n < 56) return undefined
    o += 1 + l + n
  } else return undefined
  if (o !== end) return undefined
  return LeafNode.stored(enc, hash)
}

type MutableNode = LeafNode | ExtensionNode | BranchNode

function childFromItem(item: RlpItem): TrieNode | undefined {
  if (item instanceof Uint8Array) {
    if (item.length === 0) return undefined
    if (item.length === 32) return new HashNode(item.slice())
    throw new Error(`bad child reference of ${item.length} bytes`)
  }
  const node = nodeFromItem(item)
  const ref = encodeNode(node)
  if (ref.length >= 32) throw new Error('inline node of 32 bytes or more')
  node.ref = ref
  node.stored = true
  return node
}

function nodeFromItem(item: RlpItem): MutableNode {
  if (!Array.isArray(item)) throw new Error('node is not a list')
  if (item.length === 17) {
    const b = new BranchNode()
    for (let i = 0; i < 16; i++) b.children[i] = childFromItem(item[i]!)
    const v = item[16]!
    if (!(v instanceof Uint8Array)) throw new Error('branch value is a list')
    if (v.length > 0) b.value = v.slice()
    return b
  }
  if (item.length === 2) {
    const [k, v] = item as [RlpItem, RlpItem]
    if (!(k instanceof Uint8Array)) throw new Error('node path is a list')
    const { path, leaf } = decodeHexPrefix(k)
    if (leaf) {
      if (!(v instanceof Uint8Array)) throw new Error('leaf value is a list')
      return LeafNode.of(path, v.slice())
    }
    const child = childFromItem(v)
    if (child === undefined) throw new Error('extension without child')
    return new ExtensionNode(path, child)
  }
  throw new Error(`list of ${item.length} items`)
}

export { EMPTY as EMPTY_BYTES, lenOfLen }
