import type { Receipt } from '@appchain/core'
import { fastHexToBytes } from './hex.js'
import { PARALLEL_TX_TYPE } from './tx.js'

// Log addresses and topics repeat across a block's receipts: their bytes are parsed once.
const fixed = new Map<string, Uint8Array>()
function fixedBytes(hex: string): Uint8Array {
  let b = fixed.get(hex)
  if (!b) {
    b = fastHexToBytes(hex)
    if (fixed.size > 4096) fixed.clear()
    fixed.set(hex, b)
  }
  return b
}

/** Length of the rlp header of a string or list whose payload is `len` bytes (single bytes < 0x80 aside). */
function headerLength(len: number): number {
  if (len <= 55) return 1
  let n = 1
  for (let l = len; l > 255; l = Math.floor(l / 256)) n++
  return 1 + n
}

/** Writes the rlp header of a string (`base` 0x80) or list (`base` 0xc0) of `len` bytes at `at`; returns the end. */
function writeHeader(out: Uint8Array, at: number, base: number, len: number): number {
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

/** rlp size of a byte string of `len` bytes whose first byte is `first`. */
function stringSize(len: number, first: number): number {
  return len === 1 && first < 0x80 ? 1 : headerLength(len) + len
}

function writeString(out: Uint8Array, at: number, bytes: Uint8Array): number {
  if (bytes.length === 1 && bytes[0]! < 0x80) {
    out[at] = bytes[0]!
    return at + 1
  }
  at = writeHeader(out, at, 0x80, bytes.length)
  out.set(bytes, at)
  return at + bytes.length
}

function uintBytes(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array()
  let hex = v.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  return fastHexToBytes(hex)
}

/**
 * Receipt bytes committed in `receiptsRoot`: `0x70 || rlp([status, cumulativeGasUsed, logsBloom, logs])`.
 * Written straight into one buffer (sizes first), not through a generic rlp tree.
 *
 * @example
 * ```ts
 * encodeReceipt(receipt) // Uint8Array [0x70, ...]
 * ```
 */
export function encodeReceipt(r: Receipt, bloom: Uint8Array = fastHexToBytes(r.logsBloom)): Uint8Array {
  const status = r.status === 'success' ? ONE : EMPTY
  const cumulative = uintBytes(r.cumulativeGasUsed)
  const logs = r.logs.map((l) => ({
    address: fixedBytes(l.address),
    topics: l.topics.map(fixedBytes),
    data: fastHexToBytes(l.data),
  }))
  const topicsSizes: number[] = []
  const logSizes: number[] = []
  let logsSize = 0
  for (const l of logs) {
    let t = 0
    for (const x of l.topics) t += stringSize(x.length, x[0] ?? 0)
    topicsSizes.push(t)
    const size =
      stringSize(l.address.length, l.address[0] ?? 0) + headerLength(t) + t + stringSize(l.data.length, l.data[0] ?? 0)
    logSizes.push(size)
    logsSize += headerLength(size) + size
  }
  const body =
    stringSize(status.length, status[0] ?? 0) +
    stringSize(cumulative.length, cumulative[0] ?? 0) +
    stringSize(bloom.length, bloom[0] ?? 0) +
    headerLength(logsSize) +
    logsSize
  const out = new Uint8Array(1 + headerLength(body) + body)
  out[0] = PARALLEL_TX_TYPE
  let at = writeHeader(out, 1, 0xc0, body)
  at = writeString(out, at, status)
  at = writeString(out, at, cumulative)
  at = writeString(out, at, bloom)
  at = writeHeader(out, at, 0xc0, logsSize)
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]!
    at = writeHeader(out, at, 0xc0, logSizes[i]!)
    at = writeString(out, at, l.address)
    at = writeHeader(out, at, 0xc0, topicsSizes[i]!)
    for (const x of l.topics) at = writeString(out, at, x)
    at = writeString(out, at, l.data)
  }
  return out
}

const ONE = new Uint8Array([1])
const EMPTY = new Uint8Array()
