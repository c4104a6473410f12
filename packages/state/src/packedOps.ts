// The Db ops a shard's commit hands to the caller, packed back to back in one ArrayBuffer (one transferable per
// shard instead of tens of thousands of op objects through structured clone).
import type { Address, DbOp } from '@appchain/core'
import { ByteWriter } from './byteWriter.js'
import { fromHexInto } from './hex.js'

/** Op kinds in a packed buffer: put, del, and "delete every stored slot under this storage prefix". */
export const PACKED_PUT = 0
export const PACKED_DEL = 1
export const PACKED_CLEAR_PREFIX = 2

/**
 * Appends ops into one growing buffer: per op, its kind (1 byte), key length (u32), key, value length (u32), value.
 *
 * @example
 * ```ts
 * const w = new PackedOpsWriter(); w.put(key, value); const buf = w.finish()
 * ```
 */
export class PackedOpsWriter extends ByteWriter {
  /** `capacity`: bytes to start with (a block's flush is megabytes: fewer regrowths). */
  constructor(capacity = 1 << 20) {
    super(capacity)
  }

  private op(kind: number, key: Uint8Array, value: Uint8Array | undefined): void {
    const vlen = value === undefined ? 0 : value.length
    this.reserve(9 + key.length + vlen)
    this.buf[this.at] = kind
    this.view.setUint32(this.at + 1, key.length)
    this.buf.set(key, this.at + 5)
    this.at += 5 + key.length
    this.view.setUint32(this.at, vlen)
    if (value !== undefined) this.buf.set(value, this.at + 4)
    this.at += 4 + vlen
  }

  /** A put of a trie node: its key (`Sn` + hash) written in place, no key array per node. */
  putNode(hash: Uint8Array, encoding: Uint8Array): void {
    this.reserve(43 + encoding.length)
    const buf = this.buf
    let at = this.at
    buf[at] = PACKED_PUT
    this.view.setUint32(at + 1, 34)
    buf[at + 5] = 0x53
    buf[at + 6] = 0x6e
    buf.set(hash, at + 7)
    at += 39
    this.view.setUint32(at, encoding.length)
    buf.set(encoding, at + 4)
    this.at = at + 4 + encoding.length
  }

  /** A put (or, for null, a del) of an account record: its key (`Sa` + address) written in place. */
  account(address: Address, record: Uint8Array | null): void {
    const vlen = record === null ? 0 : record.length
    this.reserve(31 + vlen)
    const buf = this.buf
    let at = this.at
    buf[at] = record === null ? PACKED_DEL : PACKED_PUT
    this.view.setUint32(at + 1, 22)
    buf[at + 5] = 0x53
    buf[at + 6] = 0x61
    at = fromHexInto(address, buf, at + 7)
    this.view.setUint32(at, vlen)
    if (record !== null) buf.set(record, at + 4)
    this.at = at + 4 + vlen
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.op(PACKED_PUT, key, value)
  }
  del(key: Uint8Array): void {
    this.op(PACKED_DEL, key, undefined)
  }
  clearPrefix(prefix: Uint8Array): void {
    this.op(PACKED_CLEAR_PREFIX, prefix, undefined)
  }
}

/**
 * Unpacks a buffer of `PackedOpsWriter` into DbOps (keys and values are views into `buffer`), and the
 * storage prefixes to clear.
 *
 * @example
 * ```ts
 * const { ops, clearPrefixes } = unpackOps(buf)
 * ```
 */
export function unpackOps(buffer: ArrayBuffer, ops: DbOp[] = []): { ops: DbOp[]; clearPrefixes: Uint8Array[] } {
  const bytes = new Uint8Array(buffer)
  const view = new DataView(buffer)
  const clearPrefixes: Uint8Array[] = []
  let at = 0
  while (at < bytes.length) {
    const kind = bytes[at]!
    const klen = view.getUint32(at + 1)
    const key = bytes.subarray(at + 5, at + 5 + klen)
    at += 5 + klen
    const vlen = view.getUint32(at)
    const value = bytes.subarray(at + 4, at + 4 + vlen)
    at += 4 + vlen
    if (kind === PACKED_PUT) ops.push({ type: 'put', key, value })
    else if (kind === PACKED_DEL) ops.push({ type: 'del', key })
    else if (kind === PACKED_CLEAR_PREFIX) clearPrefixes.push(key)
    else throw new RangeError(`Unknown packed op kind ${kind} at offset ${at}`)
  }
  return { ops, clearPrefixes }
}

/**
 * A list of byte strings (or gaps) packed into one transferable ArrayBuffer: per item, its length as u32
 * (0xffffffff for a gap), then its bytes. One buffer crosses threads far cheaper than thousands of small
 * typed arrays, each its own ArrayBuffer to clone.
 *
 * @example
 * ```ts
 * unpackList(packList([a, undefined, b])) // [a, undefined, b] (views)
 * ```
 */
export function packList(items: readonly (Uint8Array | undefined)[]): ArrayBuffer {
  let size = 0
  for (const item of items) size += 4 + (item?.length ?? 0)
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  let at = 0
  for (const item of items) {
    if (item === undefined) {
      view.setUint32(at, 0xffffffff)
      at += 4
      continue
    }
    view.setUint32(at, item.length)
    out.set(item, at + 4)
    at += 4 + item.length
  }
  return out.buffer
}

/** The items of a `packList` buffer, as views into it. @example `unpackList(buffer)` */
export function unpackList(buffer: ArrayBuffer): (Uint8Array | undefined)[] {
  const bytes = new Uint8Array(buffer)
  const view = new DataView(buffer)
  const out: (Uint8Array | undefined)[] = []
  let at = 0
  while (at < bytes.length) {
    const len = view.getUint32(at)
    at += 4
    if (len === 0xffffffff) out.push(undefined)
    else {
      out.push(bytes.subarray(at, at + len))
      at += len
    }
  }
  return out
}
