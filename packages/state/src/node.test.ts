import { keccak256 } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import { BranchNode, decodeNode, encodeNode, HashNode, LeafNode } from './node.js'
import { createTrie } from './trie.js'

/** Every node a trie commits (plain and secure keys, short and long values, inline children). */
async function committedNodes(secure: boolean, valueLength: number): Promise<[Uint8Array, Uint8Array][]> {
  const trie = createTrie({ secure })
  for (let i = 0; i < 300; i++) {
    const key = secure ? Uint8Array.of(i >> 8, i & 255) : Uint8Array.of(i & 15, i >> 4, 7)
    await trie.put(key, new Uint8Array(valueLength + (i % 3)).fill(1 + (i % 200)))
  }
  return trie.commit()
}

describe('decodeNode', () => {
  for (const [secure, valueLength] of [
    [true, 70],
    [true, 1],
    [false, 3],
    [false, 60],
  ] as const) {
    it(`decodes committed nodes back to the same encoding and hash (secure: ${secure}, values ~${valueLength} B)`, async () => {
      const nodes = await committedNodes(secure, valueLength)
      expect(nodes.length).toBeGreaterThan(10)
      for (const [hash, enc] of nodes) {
        const node = decodeNode(enc, hash)
        expect(node.stored).toBe(true)
        expect(node.ref).toEqual(hash)
        expect(encodeNode(node)).toEqual(enc)
        if (node instanceof BranchNode)
          for (const c of node.children) if (c instanceof HashNode) expect(c.key).toHaveLength(32)
      }
    })
  }

  it('a loaded leaf keeps its hash and can be changed (re-encoded, hash cleared)', () => {
    const leafEnc = Uint8Array.of(0xe2, 0xa0, 0x20, ...new Array(31).fill(0x11), 0x05)
    const node = decodeNode(leafEnc, keccak256(leafEnc))
    expect(node).toBeInstanceOf(LeafNode)
    const leaf = node as LeafNode
    expect(leaf.hashed).toBe(true)
    expect(leaf.value).toEqual(Uint8Array.of(5))
    leaf.replaceValue(Uint8Array.of(6))
    expect(leaf.hashed).toBe(false)
    expect(leaf.value).toEqual(Uint8Array.of(6))
    expect(leaf.pathLength()).toBe(62)
  })

  it('rejects malformed and non-canonical nodes', () => {
    const h = new Uint8Array(32)
    const bad = [
      // branch of 16 empty references and a value that is a list
      Uint8Array.of(0xd1 + 1, ...new Array(16).fill(0x80), 0xc0, ...new Array(14).fill(0)),
      // leaf with a non-canonical single-byte value (0x81 0x05)
      Uint8Array.of(0xe3, 0xa0, 0x20, ...new Array(31).fill(0x11), 0x81, 0x05),
      // leaf with bad hex-prefix padding (flag 2, low nibble set)
      Uint8Array.of(0xe2, 0xa0, 0x21, ...new Array(31).fill(0x11), 0x05),
      // long list header with a length under 56
      Uint8Array.of(0xf8, 0x22, 0xa0, 0x20, ...new Array(31).fill(0x11), 0x05),
      // list header longer than the input
      Uint8Array.of(0xe5, 0xa0, 0x20, ...new Array(31).fill(0x11), 0x05),
    ]
    for (const enc of bad) expect(() => decodeNode(enc, h)).toThrow()
  })
})
