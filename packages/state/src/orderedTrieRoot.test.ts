import { bigintToBytes, bytesToHex, rlpEncode } from '@appchain/core'
import { createMPT } from '@ethereumjs/mpt'
import { describe, expect, it } from 'vitest'
import { indexKey, orderedTrieRoot } from './orderedTrieRoot.js'

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

  it('refuses empty items and non-bytes', () => {
    expect(() => orderedTrieRoot([new Uint8Array(0)])).toThrow(RangeError)
    expect(() => orderedTrieRoot(['0x01' as unknown as Uint8Array])).toThrow(TypeError)
  })
})
