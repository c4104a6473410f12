import type { Receipt } from '@appchain/core'
import { fastHexToBytes } from './hex.js'
import type { PackedItems } from './packed.js'
import { headerLength, writeHeader } from './rlpHeader.js'
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

// The last address's and the last topic's bytes: consecutive logs mostly repeat both (often the very same string,
// a batch's log strings cross from the worker once), so most lookups are one comparison instead of a map probe.
function lastOf(bytes: (hex: string) => Uint8Array): (hex: string) => Uint8Array {
  let last = ''
  let lastBytes: Uint8Array = new Uint8Array()
  return (hex) => {
    if (hex !== last) {
      lastBytes = bytes(hex)
      last = hex
    }
    return lastBytes
  }
}
const addressBytes = lastOf(fixedBytes)
const topicBytes = lastOf(fixedBytes)

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

/**
 * The minimal big-endian bytes of `v` (empty for 0); gas counts fit a double, so no bigint shifting. Safe integers
 * are written into one scratch buffer and returned as a view of it, valid until the next call: a receipt's
 * cumulative gas costs no allocation of its own.
 */
function uintScratch(v: bigint): Uint8Array {
  if (v === 0n) return EMPTY
  if (v <= MAX_SAFE) {
    let n = Number(v)
    let len = 0
    for (let x = n; x > 0; x = Math.floor(x / 256)) len++
    for (let i = len - 1; i >= 0; i--) {
      UINT_SCRATCH[i] = n % 256
      n = Math.floor(n / 256)
    }
    return UINT_VIEWS[len - 1]!
  }
  let hex = v.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  return fastHexToBytes(hex)
}

// Safe integers take 1..7 bytes: a view of the scratch per length, made once.
const UINT_SCRATCH = new Uint8Array(8)
const UINT_VIEWS = Array.from({ length: 8 }, (_, i) => UINT_SCRATCH.subarray(0, i + 1))

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

const NIBBLE = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i
  NIBBLE[97 + i] = 10 + i
}

/** Where the digits of a 0x hex string start; throws on an odd digit count, as `fastHexToBytes` does. */
function digitsStart(hex: string): number {
  const start = hex.startsWith('0x') ? 2 : 0
  if ((hex.length - start) % 2) throw new TypeError(`Odd-length hex: ${hex.slice(0, 66)}`)
  return start
}

function hexByte(hex: string, k: number): number {
  const hi = NIBBLE[hex.charCodeAt(k)] ?? -1
  const lo = NIBBLE[hex.charCodeAt(k + 1)] ?? -1
  if (hi < 0 || lo < 0) throw new TypeError(`Invalid hex string: ${hex.slice(0, 66)}`)
  return (hi << 4) | lo
}

/** rlp size of the byte string a hex string holds. */
function hexStringSize(hex: string): number {
  const start = digitsStart(hex)
  const len = (hex.length - start) >> 1
  return len === 1 ? stringSize(1, hexByte(hex, start)) : stringSize(len, 0)
}

/** Writes the byte string a hex string holds as an rlp string, parsing the hex straight into `out`. */
function writeHexString(out: Uint8Array, at: number, hex: string): number {
  const start = digitsStart(hex)
  const len = (hex.length - start) >> 1
  if (len === 1) {
    const b = hexByte(hex, start)
    if (b < 0x80) {
      out[at] = b
      return at + 1
    }
  }
  at = writeHeader(out, at, 0x80, len)
  for (let k = start; k < hex.length; k += 2) out[at++] = hexByte(hex, k)
  return at
}

// Per-log sizes of the receipt being measured and then written (reused: one receipt at a time, no allocation per receipt).
const topicsSizes: number[] = []
const logSizes: number[] = []
let bodySize = 0
let logsSize = 0

/** The encoded length of a receipt; leaves its per-log sizes in the scratch arrays for `writeReceipt`. */
function receiptLength(r: Receipt, bloom: Uint8Array, cumulative: Uint8Array): number {
  const logs = r.logs
  logsSize = 0
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]!
    const address = addressBytes(l.address)
    let t = 0
    const topics = l.topics
    for (let k = 0; k < topics.length; k++) {
      const b = topicBytes(topics[k]!)
      t += stringSize(b.length, b[0] ?? 0)
    }
    topicsSizes[i] = t
    const size = stringSize(address.length, address[0] ?? 0) + headerLength(t) + t + hexStringSize(l.data)
    logSizes[i] = size
    logsSize += headerLength(size) + size
  }
  bodySize =
    1 + // status: [0x01] or the empty string, one byte either way
    stringSize(cumulative.length, cumulative[0] ?? 0) +
    stringSize(bloom.length, bloom[0] ?? 0) +
    headerLength(logsSize) +
    logsSize
  return 1 + headerLength(bodySize) + bodySize
}

/** Writes the receipt `receiptLength` measured last at `at`; returns the end. */
function writeReceipt(r: Receipt, bloom: Uint8Array, cumulative: Uint8Array, out: Uint8Array, at: number): number {
  out[at] = PARALLEL_TX_TYPE
  at = writeHeader(out, at + 1, 0xc0, bodySize)
  at = writeString(out, at, r.status === 'success' ? ONE : EMPTY)
  at = writeString(out, at, cumulative)
  at = writeString(out, at, bloom)
  at = writeHeader(out, at, 0xc0, logsSize)
  const logs = r.logs
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]!
    at = writeHeader(out, at, 0xc0, logSizes[i]!)
    at = writeString(out, at, addressBytes(l.address))
    at = writeHeader(out, at, 0xc0, topicsSizes[i]!)
    const topics = l.topics
    for (let k = 0; k < topics.length; k++) at = writeString(out, at, topicBytes(topics[k]!))
    at = writeHexString(out, at, l.data)
  }
  return at
}

/**
 * Receipt bytes committed in `receiptsRoot`: `0x70 || rlp([status, cumulativeGasUsed, logsBloom, logs])`.
 * Written straight into one buffer (sizes first), not through a generic rlp tree; log data is parsed from
 * its hex straight into the output.
 *
 * @example
 * ```ts
 * encodeReceipt(receipt) // Uint8Array [0x70, ...]
 * ```
 */
export function encodeReceipt(r: Receipt, bloom: Uint8Array = fastHexToBytes(r.logsBloom)): Uint8Array {
  const cumulative = uintScratch(r.cumulativeGasUsed)
  const out = new Uint8Array(receiptLength(r, bloom, cumulative))
  writeReceipt(r, bloom, cumulative, out, 0)
  return out
}

/**
 * Every receipt's `encodeReceipt` bytes packed end to end in one buffer: a block's receipts cost one allocation
 * (each ~420-byte receipt was its own off-heap backing store) and cross to a worker as one transfer.
 *
 * @example
 * ```ts
 * const { bytes, ends } = encodeReceipts(receipts) // receipt i: bytes.subarray(ends[i - 1] ?? 0, ends[i])
 * ```
 */
export function encodeReceipts(receipts: readonly Receipt[], blooms?: readonly Uint8Array[]): PackedItems {
  let bytes = new Uint8Array(Math.max(1024, receipts.length * 512))
  const ends = new Uint32Array(receipts.length)
  let at = 0
  for (let i = 0; i < receipts.length; i++) {
    const r = receipts[i]!
    const bloom = blooms?.[i] ?? fastHexToBytes(r.logsBloom)
    const cumulative = uintScratch(r.cumulativeGasUsed)
    const n = receiptLength(r, bloom, cumulative)
    if (at + n > bytes.length) {
      const grown = new Uint8Array(Math.max(2 * bytes.length, at + n))
      grown.set(bytes.subarray(0, at))
      bytes = grown
    }
    at = writeReceipt(r, bloom, cumulative, bytes, at)
    ends[i] = at
  }
  return { bytes: bytes.subarray(0, at), ends }
}

const ONE = new Uint8Array([1])
const EMPTY = new Uint8Array()
