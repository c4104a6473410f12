import { type Account, bytesToBigint, bytesToHex, EMPTY_TRIE_ROOT, type Hex, hexToBytes } from '@appchain/core'
import { bigintBytes, fromHex } from './hex.js'
import { decodeRlp, encodeStrList, RlpError } from './rlp.js'

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
  return encodeStrList([
    bigintBytes(account.nonce),
    bigintBytes(account.balance),
    storageRoot,
    fromHex(account.codeHash),
  ])
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
