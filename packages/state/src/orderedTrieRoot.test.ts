import { bigintToBytes, bytesToHex, rlpEncode } from '@appchain/core'
import { createMPT } from '@ethereumjs/mpt'
import { describe, expect, it } from 'vitest'
import { bytesToNibbles } from './node.js'
import { indexKey, orderedTrieRoot } from './orderedTrieRoot.js'
import { Trie } from './trie.js'

describe('orderedTrieRoot', () => {
  it('is the empty root for no items', () => {
    expect(orderedTrieRoot([])).toBe('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421')
  })

  it('keys are rlp(index)', () => {
    for (const i of [0, 1, 127, 128, 255, 256, 65535, 65536])
      expect(indexKey(i)).toEqual(rlpEncode(bigintToBytes(BigInt(i))))
    expect(() => indexKey(-1)).toThrow(RangeError)
  })

  it('equals @ethereumjs/mpt keyed by rlp(index) for 1..300 items', async () => {
    for (const n of [1, 2, 16, 17, 128, 129, 300]) {
      const items = Array.from({ length: n }, (_, i) =>
        Uint8Array.from({ length: 1 + ((i * 7) % 90) }, (_, j) => (i * 31 + j) & 255),
      )
      const mpt = await createMPT()
      for (const [i, item] of items.entries()) await mpt.put(indexKey(i), item)
      expect(orderedTrieRoot(items)).toBe(bytesToHex(mpt.root()))
    }
  })

  it('equals the general trie keyed by rlp(index) across key lengths (1, 2, 3 bytes after the prefix)', () => {
    for (const n of [128, 129, 256, 257, 4096, 65_537]) {
      const items = Array.from({ length: n }, (_, i) =>
        Uint8Array.from({ length: 1 + ((i * 13) % 40) }, (_, j) => (i + j) & 255),
      )
      const trie = new Trie()
      for (let i = 0; i < n; i++) trie.putPath(bytesToNibbles(indexKey(i)), items[i]!)
      expect(orderedTrieRoot(items), `${n} items`).toBe(trie.root())
    }
    for (const i of [16_777_215, 16_777_216, 4_294_967_295])
      expect(indexKey(i)).toEqual(rlpEncode(bigintToBytes(BigInt(i))))
  })

  it('refuses empty items and non-bytes', () => {
    expect(() => orderedTrieRoot([new Uint8Array(0)])).toThrow(RangeError)
    expect(() => orderedTrieRoot(['0x01' as unknown as Uint8Array])).toThrow(TypeError)
  })
})
