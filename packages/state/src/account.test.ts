import { bytesToHex, EMPTY_TRIE_ROOT, hexToBytes, KECCAK_EMPTY } from '@appchain/core'
import { toRlp } from 'viem'
import { describe, expect, it } from 'vitest'
import { decodeAccount, encodeAccount, encodeAccountWith } from './account.js'

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
