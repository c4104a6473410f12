import {
  type Account,
  bytesToBigint,
  bytesToHex,
  EMPTY_TRIE_ROOT,
  type Hex,
  hexToBytes,
  KECCAK_EMPTY,
} from '@appchain/core'
import { bigintBytes, fromHex, fromHexInto } from './hex.js'
import { decodeRlp, encodeStrList, listHeaderLen, RlpError, writeListHeader } from './rlp.js'

/** An account as the account trie commits to it. */
export interface AccountRecord extends Account {
  storageRoot: Hex
}

const MAX_U256 = (1n << 256n) - 1n
const MAX_U64 = (1n << 64n) - 1n
const HASH_RE = /^0x[0-9a-f]{64}$/

/** Checks an account's fields (RangeError/TypeError) and returns a normalised copy. */
export function checkAccount(account: Account): Account {
  if (typeof account !== 'object' || account === null) throw new TypeError('Account must be an object')
  const { nonce, balance, codeHash } = account
  if (typeof nonce !== 'bigint' || nonce < 0n || nonce > MAX_U64)
    throw new RangeError(`Invalid nonce: ${String(nonce)}`)
  if (typeof balance !== 'bigint' || balance < 0n || balance > MAX_U256)
    throw new RangeError(`Invalid balance: ${String(balance)}`)
  // Most accounts hold no code: their hash is the shared constant, already checked.
  if (codeHash === KECCAK_EMPTY) return { nonce, balance, codeHash }
  const hash = typeof codeHash === 'string' ? (codeHash.toLowerCase() as Hex) : codeHash
  if (typeof hash !== 'string' || !HASH_RE.test(hash)) throw new TypeError(`Invalid codeHash: ${String(codeHash)}`)
  return { nonce, balance, codeHash: hash }
}

/**
 * rlp([nonce, balance, storageRoot, codeHash]): the account trie's leaf and the flat record.
 *
 * @example
 * ```ts
 * encodeAccount({ nonce: 0n, balance: 1n, codeHash: KECCAK_EMPTY }, hexToBytes(EMPTY_TRIE_ROOT))
 * ```
 */
export function encodeAccount(account: Account, storageRoot: Uint8Array): Uint8Array {
  return encodeAccountWith(account, storageRoot, newBytes)
}

const newBytes = (n: number) => new Uint8Array(n)
const U32 = 0x100000000n

// The last code hash parsed (most accounts share one: KECCAK_EMPTY), as bytes.
let lastCodeHash = ''
const lastCodeHashBytes = new Uint8Array(32)

/**
 * `encodeAccountWith` keeping the storage root of `old` (the account's record before, or undefined: the empty root),
 * read where it sits in that record (no view of it): what a root writes for an account without storage changes.
 *
 * @example
 * ```ts
 * encodeAccountKeeping({ nonce: 1n, balance: 9n, codeHash: KECCAK_EMPTY }, oldRecord, allocBytes)
 * ```
 */
export function encodeAccountKeeping(
  account: Account,
  old: Uint8Array | undefined,
  alloc: (n: number) => Uint8Array,
): Uint8Array {
  if (old === undefined) return encodeAccountWith(account, EMPTY_ROOT_BYTES, alloc)
  const at = storageRootAt(old)
  return at < 0 ? encodeAccountWith(account, storageRootOf(old), alloc) : encodeAccountWith(account, old, alloc, at)
}

/**
 * `encodeAccount` with the output from `alloc` (the state root cuts its records from a shared slab:
 * they live and die together, one block's flush ops).
 */
export function encodeAccountWith(
  account: Account,
  storageRoot: Uint8Array,
  alloc: (n: number) => Uint8Array,
  rootAt = 0,
): Uint8Array {
  // Written straight into one output (no per-field arrays): the state root encodes one per account.
  const { nonce, balance, codeHash } = account
  if ((rootAt === 0 ? storageRoot.length !== 32 : rootAt + 32 > storageRoot.length) || codeHash.length !== 66) {
    const root = rootAt === 0 ? storageRoot : storageRoot.subarray(rootAt, rootAt + 32)
    return encodeStrList([bigintBytes(nonce), bigintBytes(balance), root, fromHex(codeHash)])
  }
  // Integers of 32 bits or more are written from their hex digits (one toString, no bigint shifts).
  const nonceHex = nonce < U32 ? undefined : nonce.toString(16)
  const balanceHex = balance < U32 ? undefined : balance.toString(16)
  const nonceLen = uintLen(nonce, nonceHex)
  const balanceLen = uintLen(balance, balanceHex)
  const payload = uintStrLen(nonce, nonceLen) + uintStrLen(balance, balanceLen) + 66
  const out = alloc(listHeaderLen(payload) + payload)
  let off = writeListHeader(out, 0, payload)
  off = writeUint(out, off, nonce, nonceLen, nonceHex)
  off = writeUint(out, off, balance, balanceLen, balanceHex)
  out[off++] = 0xa0
  for (let i = 0; i < 32; i++) out[off + i] = storageRoot[rootAt + i]!
  off += 32
  out[off++] = 0xa0
  if (codeHash === lastCodeHash) out.set(lastCodeHashBytes, off)
  else {
    fromHexInto(codeHash, out, off)
    for (let i = 0; i < 32; i++) lastCodeHashBytes[i] = out[off + i]!
    lastCodeHash = codeHash
  }
  return out
}

/** Bytes of a non-negative bigint without leading zeros (0 for 0n); `hex`: its digits when >= 2^32. */
function uintLen(v: bigint, hex: string | undefined): number {
  if (hex === undefined) {
    const x = Number(v)
    return x === 0 ? 0 : x < 0x100 ? 1 : x < 0x10000 ? 2 : x < 0x1000000 ? 3 : 4
  }
  return (hex.length + 1) >> 1
}

/** RLP length of that integer as a string. */
function uintStrLen(v: bigint, len: number): number {
  return len === 1 && v < 0x80n ? 1 : 1 + len
}

const digit = (c: number) => (c <= 57 ? c - 48 : c - 87) // a lower-case hex digit's value

/** Writes the integer as an RLP string (len from uintLen, at most 32 bytes). */
function writeUint(out: Uint8Array, off: number, v: bigint, len: number, hex: string | undefined): number {
  if (len === 1 && v < 0x80n) {
    out[off] = Number(v)
    return off + 1
  }
  out[off++] = 0x80 + len
  if (hex === undefined) {
    for (let i = len - 1, x = Number(v); i >= 0; i--, x >>>= 8) out[off + i] = x & 0xff
    return off + len
  }
  let j = 0
  let o = off
  if (hex.length & 1) out[o++] = digit(hex.charCodeAt(j++))
  for (; j < hex.length; j += 2) out[o++] = (digit(hex.charCodeAt(j)) << 4) | digit(hex.charCodeAt(j + 1))
  return off + len
}

/**
 * Decodes an account record (a trie leaf or a flat `Sa` value); throws on malformed input.
 *
 * @example
 * ```ts
 * decodeAccount(record) // { nonce, balance, storageRoot, codeHash }
 * ```
 */
export function decodeAccount(record: Uint8Array): AccountRecord {
  const item = decodeRlp(record)
  if (!Array.isArray(item) || item.length !== 4 || !item.every((x) => x instanceof Uint8Array))
    throw new RlpError('account record is not a list of 4 strings')
  const [nonce, balance, storageRoot, codeHash] = item as Uint8Array[]
  if (storageRoot!.length !== 32 || codeHash!.length !== 32) throw new RlpError('account hashes are not 32 bytes')
  return {
    nonce: bytesToBigint(nonce!),
    balance: bytesToBigint(balance!),
    storageRoot: bytesToHex(storageRoot!),
    codeHash: bytesToHex(codeHash!),
  }
}

const KECCAK_EMPTY_BYTES = hexToBytes(KECCAK_EMPTY)

/** A canonical rlp integer string at `off`: [value, end], or undefined for anything else (the caller falls back). */
function readUint(record: Uint8Array, off: number, end: number): [bigint, number] | undefined {
  const p = record[off]!
  if (p < 0x80) return [BigInt(p), off + 1]
  const n = p - 0x80
  if (n > 32 || off + 1 + n > end || (n === 1 && record[off + 1]! < 0x80)) return undefined
  // Six bytes (48 bits) at a time as doubles: no hex string per integer.
  let v = 0n
  let i = off + 1
  const stop = i + n
  let chunk = n % 6 || 6
  while (i < stop) {
    let x = 0
    for (let k = 0; k < chunk; k++) x = x * 256 + record[i++]!
    v = v === 0n ? BigInt(x) : (v << BigInt(8 * chunk)) | BigInt(x)
    chunk = 6
  }
  return [v, stop]
}

/**
 * The nonce, balance and code hash of an account record, without the generic rlp decoder and the storage
 * root's hex (what reads of accounts return); the common code hash comes back as the shared constant.
 * Anything but the canonical shape goes through `decodeAccount` (same results, same errors).
 *
 * @example
 * ```ts
 * decodeAccountFields(record) // { nonce, balance, codeHash }
 * ```
 */
export function decodeAccountFields(record: Uint8Array): Account {
  const end = record.length
  const h = record[0]!
  let off: number
  if (h >= 0xc0 && h <= 0xf7 && 1 + h - 0xc0 === end) off = 1
  else if (h === 0xf8 && record[1]! >= 56 && 2 + record[1]! === end) off = 2
  else return fields(decodeAccount(record))
  const nonce = readUint(record, off, end)
  const balance = nonce && readUint(record, nonce[1], end)
  if (!balance) return fields(decodeAccount(record))
  off = balance[1]
  if (off + 66 !== end || record[off] !== 0xa0 || record[off + 33] !== 0xa0) return fields(decodeAccount(record))
  let empty = true
  for (let i = 0; i < 32 && empty; i++) empty = record[off + 34 + i] === KECCAK_EMPTY_BYTES[i]
  const codeHash = empty ? KECCAK_EMPTY : bytesToHex(record.subarray(off + 34, off + 66))
  return { nonce: nonce[0], balance: balance[0], codeHash }
}

function fields({ nonce, balance, codeHash }: AccountRecord): Account {
  return { nonce, balance, codeHash }
}

export const EMPTY_ROOT_BYTES = hexToBytes(EMPTY_TRIE_ROOT)

/** The storage root bytes inside an account record (a view; no full decode). */
export function storageRootOf(record: Uint8Array | undefined): Uint8Array {
  if (record === undefined) return EMPTY_ROOT_BYTES
  const at = storageRootAt(record)
  if (at < 0) return hexToBytes(decodeAccount(record).storageRoot)
  return record.subarray(at, at + 32)
}

/** Where the storage root starts in a record of the usual shape (short nonce and balance), else -1. */
function storageRootAt(record: Uint8Array): number {
  let off = record[0]! < 0xf8 ? 1 : 1 + record[0]! - 0xf7
  for (let field = 0; field < 2; field++) {
    const p = record[off]!
    off += p < 0x80 ? 1 : p < 0xb8 ? 1 + p - 0x80 : Number.NaN
  }
  if (record[off] !== 0xa0 || Number.isNaN(off)) return -1
  return off + 1
}
