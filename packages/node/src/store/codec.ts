import type { Block, Receipt } from '@appchain/core'
import { bytesToHex, hexToBytes } from '@appchain/core'

// Chain data is stored as JSON: bigints are tagged `#<hex>` (every other string we store is 0x-hex or a
// status word, so the tag is unambiguous) and raw transactions are 0x-hex.
const replacer = (_key: string, value: unknown) => (typeof value === 'bigint' ? `#${value.toString(16)}` : value)
const reviver = (_key: string, value: unknown) =>
  typeof value === 'string' && value.charCodeAt(0) === 35 /* # */ ? BigInt(`0x${value.slice(1)}`) : value

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** JSON bytes of any value made of plain objects, arrays, strings, numbers, booleans and bigints. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value, replacer))
}

/** Inverse of `encodeJson`. */
export function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes), reviver) as T
}

/** A block as stored: the core `Block` with its raw transactions as hex and their hashes. */
interface StoredBlock {
  hash: Block['hash']
  header: Block['header']
  transactions: `0x${string}`[]
  deposits: Block['deposits']
  txHashes: `0x${string}`[]
}

/** A stored block: the core block plus the hashes of its transactions (in block order). */
export interface BlockRecord extends Block {
  txHashes: `0x${string}`[]
}

export function encodeBlock(block: BlockRecord): Uint8Array {
  const stored: StoredBlock = {
    hash: block.hash,
    header: block.header,
    transactions: block.transactions.map(bytesToHex),
    deposits: block.deposits,
    txHashes: block.txHashes,
  }
  return encodeJson(stored)
}

export function decodeBlock(bytes: Uint8Array): BlockRecord {
  const stored = decodeJson<StoredBlock>(bytes)
  return {
    hash: stored.hash,
    header: stored.header,
    transactions: stored.transactions.map(hexToBytes),
    deposits: stored.deposits,
    txHashes: stored.txHashes,
  }
}

const ZERO_BLOOM = `0x${'0'.repeat(512)}`

/**
 * Receipts as `encodeJson` would write them, without its per-value replacer: a receipt's bigints are top-level
 * fields (logs hold only strings), so each receipt is converted shallowly and stringified plainly. A receipt
 * without logs has an all-zero bloom, left out (512 characters of zeros per transfer) and restored on decode.
 */
export function encodeReceipts(receipts: readonly Receipt[]): Uint8Array {
  const out: Record<string, unknown>[] = new Array(receipts.length)
  for (let i = 0; i < receipts.length; i++) {
    const r = receipts[i]!
    const o: Record<string, unknown> = {}
    for (const k in r) {
      const v = (r as unknown as Record<string, unknown>)[k]
      if (typeof v === 'bigint') o[k] = `#${v.toString(16)}`
      else if (k === 'logsBloom' && r.logs.length === 0 && v === ZERO_BLOOM) continue
      else o[k] = v
    }
    out[i] = o
  }
  try {
    return encoder.encode(JSON.stringify(out))
  } catch {
    // A VM's receipt with a bigint nested deeper than the top level: the general (slower) encoder.
    return encodeJson(receipts)
  }
}

export function decodeReceipts(bytes: Uint8Array): Receipt[] {
  const receipts = decodeJson<Receipt[]>(bytes)
  for (const r of receipts) r.logsBloom ??= ZERO_BLOOM as Receipt['logsBloom']
  return receipts
}

/** 8-byte big-endian block number, so LevelDB orders keys by number. */
export function u64(n: bigint): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, n)
  return out
}

export function readU64(bytes: Uint8Array, offset = 0): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset)
}
