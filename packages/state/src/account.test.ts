import { bytesToHex, EMPTY_TRIE_ROOT, hexToBytes, KECCAK_EMPTY } from '@appchain/core'
import { toRlp } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  decodeAccount,
  decodeAccountFields,
  encodeAccount,
  encodeAccountKeeping,
  encodeAccountWith,
  storageRootOf,
} from './account.js'

const hexOf = (v: bigint) =>
  v === 0n ? '0x' : (`0x${v.toString(16).padStart(v.toString(16).length + (v.toString(16).length & 1), '0')}` as const)

describe('encodeAccount', () => {
  const values = [
    0n,
    1n,
    0x7fn,
    0x80n,
    0xffn,
    0x100n,
    0xffffffffn,
    0x100000000n,
    0x1234567890n,
    10n ** 24n - 1n,
    (1n << 256n) - 1n,
  ]
  const codeHashes = [KECCAK_EMPTY, `0x${'ab'.repeat(32)}`, KECCAK_EMPTY] as const
  it('equals the generic RLP of [nonce, balance, storageRoot, codeHash] for every integer size', () => {
    const storageRoot = hexToBytes(EMPTY_TRIE_ROOT)
    let i = 0
    for (const nonce of values.filter((v) => v < 1n << 64n))
      for (const balance of values) {
        const codeHash = codeHashes[i++ % codeHashes.length]!
        const expected = toRlp([hexOf(nonce), hexOf(balance), EMPTY_TRIE_ROOT, codeHash])
        const account = { nonce, balance, codeHash }
        expect(bytesToHex(encodeAccount(account, storageRoot))).toBe(expected)
        const slab = new Uint8Array(200)
        const cut = encodeAccountWith(account, storageRoot, (n) => slab.subarray(7, 7 + n))
        expect(bytesToHex(cut)).toBe(expected)
        expect(decodeAccount(cut)).toEqual({ nonce, balance, codeHash, storageRoot: EMPTY_TRIE_ROOT })
      }
  })
})

describe('encodeAccountKeeping', () => {
  it("writes the new fields with the old record's storage root (the empty root without one), for every size", () => {
    const sizes = [0n, 1n, 0x80n, 0xffffffffn, 10n ** 24n - 1n, (1n << 256n) - 1n]
    const slab = new Uint8Array(4096)
    let at = 0
    const alloc = (n: number) => {
      const out = slab.subarray(at, at + n)
      at += n
      return out
    }
    for (const oldBalance of sizes)
      for (const balance of sizes) {
        const storageRoot = hexToBytes(
          `0x${'5a'.repeat(31)}${(Number(oldBalance % 251n) + 1).toString(16).padStart(2, '0')}`,
        )
        const old = encodeAccount({ nonce: 3n, balance: oldBalance, codeHash: KECCAK_EMPTY }, storageRoot)
        const account = { nonce: 4n, balance, codeHash: `0x${'ab'.repeat(32)}` as const }
        at = 0
        expect(bytesToHex(encodeAccountKeeping(account, old, alloc))).toBe(
          bytesToHex(encodeAccount(account, storageRoot)),
        )
        expect(storageRootOf(encodeAccountKeeping(account, old, alloc))).toEqual(storageRoot)
        at = 0
        expect(bytesToHex(encodeAccountKeeping(account, undefined, alloc))).toBe(
          bytesToHex(encodeAccount(account, hexToBytes(EMPTY_TRIE_ROOT))),
        )
      }
  })
})

describe('decodeAccountFields', () => {
  const sizes = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x100n, 0xffffffffffffn, 0x1000000000000n, 10n ** 24n, (1n << 256n) - 1n]
  it('returns what decodeAccount does for every integer size and code hash', () => {
    const storageRoot = hexToBytes(`0x${'cd'.repeat(32)}`)
    for (const nonce of sizes.filter((v) => v < 1n << 64n))
      for (const balance of sizes)
        for (const codeHash of [KECCAK_EMPTY, `0x${'ab'.repeat(32)}`] as const) {
          const record = encodeAccount({ nonce, balance, codeHash }, storageRoot)
          const { storageRoot: _, ...expected } = decodeAccount(record)
          expect(decodeAccountFields(record)).toEqual(expected)
          expect(expected).toEqual({ nonce, balance, codeHash })
        }
  })
  it('throws what decodeAccount throws on malformed or non-canonical records', () => {
    const good = encodeAccount({ nonce: 5n, balance: 300n, codeHash: KECCAK_EMPTY }, hexToBytes(EMPTY_TRIE_ROOT))
    const bad = [
      good.subarray(0, good.length - 1), // truncated
      Uint8Array.of(...good, 0), // trailing byte
      // nonce 5 written as the one-byte string 0x81 0x05 (non-canonical)
      Uint8Array.of(
        0xf8,
        69,
        0x81,
        0x05,
        0x80,
        0xa0,
        ...hexToBytes(EMPTY_TRIE_ROOT),
        0xa0,
        ...hexToBytes(KECCAK_EMPTY),
      ),
      hexToBytes(toRlp(['0x05', '0x01', '0x1234', KECCAK_EMPTY])), // short storage root
      hexToBytes(toRlp(['0x05', '0x01', EMPTY_TRIE_ROOT])), // three fields
    ]
    for (const record of bad) {
      let expected: unknown
      try {
        decodeAccount(record)
      } catch (e) {
        expected = e
      }
      expect(expected).toBeInstanceOf(Error)
      expect(() => decodeAccountFields(record)).toThrow((expected as Error).message)
    }
  })
})
