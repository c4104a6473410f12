import { type Account, bytesToBigint, bytesToHex, EMPTY_TRIE_ROOT, type Hex, hexToBytes } from '@appchain/core'
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
  // Written straight into one output (no per-field arrays): the state root encodes one per account.
  const nonceLen = uintLen(account.nonce)
  const balanceLen = uintLen(account.balance)
  const codeHash = account.codeHash
  if (storageRoot.length !== 32 || codeHash.length !== 66) {
    return encodeStrList([
      bigintBytes(account.nonce),
      bigintBytes(account.balance),
      storageRoot,
      fromHex(account.codeHash),
    ])
  }
  const payload = uintStrLen(account.nonce, nonceLen) + uintStrLen(account.balance, balanceLen) + 66
  // Its own allocation: records outlive their block in a memoryDb (a shared slab would stay pinned).
  const out = new Uint8Array(listHeaderLen(payload) + payload)
  let off = writeListHeader(out, 0, payload)
  off = writeUint(out, off, account.nonce, nonceLen)
  off = writeUint(out, off, account.balance, balanceLen)
  out[off++] = 0xa0
  out.set(storageRoot, off)
  off += 32
  out[off++] = 0xa0
  fromHexInto(codeHash, out, off)
  return out
}

/** Bytes of a non-negative bigint without leading zeros (0 for 0n). */
function uintLen(v: bigint): number {
  if (v < 0x100000000n) {
    const x = Number(v)
    return x === 0 ? 0 : x < 0x100 ? 1 : x < 0x10000 ? 2 : x < 0x1000000 ? 3 : 4
  }
  return (v.toString(16).length + 1) >> 1
}

/** RLP length of that integer as a string. */
function uintStrLen(v: bigint, len: number): number {
  return len === 1 && v < 0x80n ? 1 : 1 + len
}

/** Writes the integer as an RLP string (len from uintLen, at most 32 bytes). */
function writeUint(out: Uint8Array, off: number, v: bigint, len: number): number {
  if (len === 1 && v < 0x80n) {
    out[off] = Number(v)
    return off + 1
  }
  out[off++] = 0x80 + len
  if (len <= 4) {
    for (let i = len - 1, x = Number(v); i >= 0; i--, x >>>= 8) out[off + i] = x & 0xff
    return off + len
  }
  let x = v
  for (let i = len - 1; i >= 0; i--, x >>= 8n) out[off + i] = Number(x & 0xffn)
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

export const EMPTY_ROOT_BYTES = hexToBytes(EMPTY_TRIE_ROOT)

/** The storage root bytes inside an account record (a view; no full decode). */
export function storageRootOf(record: Uint8Array | undefined): Uint8Array {
  if (record === undefined) return EMPTY_ROOT_BYTES
  let off = record[0]! < 0xf8 ? 1 : 1 + record[0]! - 0xf7
  for (let field = 0; field < 2; field++) {
    const p = record[off]!
    off += p < 0x80 ? 1 : p < 0xb8 ? 1 + p - 0x80 : Number.NaN
  }
  if (record[off] !== 0xa0 || Number.isNaN(off)) return hexToBytes(decodeAccount(record).storageRoot)
  return record.subarray(off + 1, off + 33)
}
