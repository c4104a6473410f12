import { type Address, bytesToHex, type Hex, hexToBytes, KECCAK_EMPTY, keccak256, memoryDb } from '@appchain/core'
import { createMerkleProof, createMPT } from '@ethereumjs/mpt'
import { describe, expect, it } from 'vitest'
import { InvalidProofError } from './errors.js'
import { createStateDb } from './stateDb.js'
import { createTrie } from './trie.js'
import { verifyProof, verifyTrieProof } from './verifyProof.js'

const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address
const word = (i: number | bigint) => `0x${i.toString(16).padStart(64, '0')}` as Hex

async function stateWithData() {
  const db = memoryDb()
  const state = createStateDb({ db })
  for (let i = 0; i < 200; i++) {
    await state.putAccount(addr(i), { nonce: BigInt(i), balance: BigInt(i) * 10n ** 18n, codeHash: KECCAK_EMPTY })
  }
  for (let s = 0; s < 50; s++) await state.putStorage(addr(7), word(s), word(s * 3 + 1))
  // A small value makes a leaf shorter than 32 bytes, embedded in its parent.
  await state.putStorage(addr(8), word(1), word(1))
  await state.putStorage(addr(8), word(2), word(2))
  return { db, state }
}

/** Flips one byte of one proof node. */
function tamper(proof: Hex[], node: number, byte: number): Hex[] {
  const out = [...proof]
  const b = hexToBytes(out[node]!)
  b[byte % b.length]! ^= 0x01
  out[node] = bytesToHex(b)
  return out
}

describe('getProof / verifyProof', () => {
  it('proves accounts and storage (present, absent, embedded nodes) before and after flush', async () => {
    const { state } = await stateWithData()
    for (const flushFirst of [false, true]) {
      if (flushFirst) await state.flush()
      const root = await state.root()
      const p = await state.getProof(addr(7), [word(0), word(49), word(1000)])
      expect(p.nonce).toBe(7n)
      expect(p.storageProof.map((s) => s.value)).toEqual([1n, 148n, 0n])
      expect(p.storageHash).toBe(await state.storageRoot(addr(7)))
      expect(verifyProof(root, p)).toBe(true)
      expect(verifyProof(root, await state.getProof(addr(8), [word(1), word(2), word(3)]))).toBe(true)
      const absent = await state.getProof(addr(99999), [word(1)])
      expect(absent.balance).toBe(0n)
      expect(verifyProof(root, absent)).toBe(true)
    }
  })

  it('refuses tampered proofs with InvalidProofError', async () => {
    const { state } = await stateWithData()
    const root = await state.root()
    const p = await state.getProof(addr(7), [word(3)])
    const refuse = (proof: typeof p) => {
      try {
        verifyProof(root, proof)
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidProofError)
        return (e as InvalidProofError).data
      }
      throw new Error('tampered proof accepted')
    }
    expect(refuse({ ...p, balance: p.balance + 1n })).toMatchObject({ address: addr(7) })
    expect(refuse({ ...p, nonce: 8n })).toMatchObject({ address: addr(7) })
    expect(refuse({ ...p, storageHash: word(5) })).toMatchObject({ address: addr(7) })
    for (let node = 0; node < p.accountProof.length; node++) {
      expect(refuse({ ...p, accountProof: tamper(p.accountProof, node, 40) })).toMatchObject({ address: addr(7) })
    }
    expect(refuse({ ...p, accountProof: p.accountProof.slice(0, -1) })).toMatchObject({ address: addr(7) })
    const sp = p.storageProof[0]!
    expect(refuse({ ...p, storageProof: [{ ...sp, value: sp.value + 1n }] })).toMatchObject({ slot: word(3) })
    expect(refuse({ ...p, storageProof: [{ ...sp, proof: tamper(sp.proof, 0, 7) }] })).toMatchObject({ slot: word(3) })
    // An absent account that claims a balance.
    const absent = await state.getProof(addr(99999), [])
    expect(refuse({ ...absent, balance: 1n })).toMatchObject({ address: addr(99999) })
    // A proof against another root.
    expect(() => verifyProof(word(1), p)).toThrow(InvalidProofError)
  })

  it('trie proofs match @ethereumjs/mpt proofs and verify', async () => {
    const ours = createTrie({ secure: true })
    const theirs = await createMPT({ useKeyHashing: true })
    for (let i = 0; i < 300; i++) {
      const k = keccak256(Uint8Array.of(i)).subarray(0, 20)
      const v = Uint8Array.from({ length: 1 + (i % 70) }, (_, j) => (i + j) & 255)
      await ours.put(k, v)
      await theirs.put(k, v)
    }
    for (let i = 0; i < 300; i += 37) {
      const k = keccak256(Uint8Array.of(i)).subarray(0, 20)
      const proof = await ours.createProof(k)
      const expected = (await createMerkleProof(theirs, k)).map((b) => bytesToHex(b))
      // ethereumjs lists embedded nodes separately; ours (like geth) only the hashed ones.
      expect(proof.map((b) => bytesToHex(b))).toEqual(
        expected.filter((n) => (n.length - 2) / 2 >= 32 || n === expected[0]),
      )
      expect(verifyTrieProof(ours.rootHash(), keccak256(k), proof)).toEqual(await ours.get(k))
    }
  })

  it('verifies proofs through nodes embedded in their parents (short keys, plain trie)', async () => {
    const trie = createTrie()
    const keys = Array.from({ length: 40 }, (_, i) => Uint8Array.of(i >> 2, i & 3))
    for (const k of keys) await trie.put(k, Uint8Array.of(k[1]! + 1))
    const root = trie.rootHash()
    for (const k of keys) {
      const proof = await trie.createProof(k)
      expect(verifyTrieProof(root, k, proof)).toEqual(Uint8Array.of(k[1]! + 1))
    }
    // Absent keys: below an existing branch, past a leaf, beyond the key space used.
    for (const k of [Uint8Array.of(0, 9), Uint8Array.of(0x30, 0), Uint8Array.of(1)]) {
      expect(verifyTrieProof(root, k, await trie.createProof(k))).toBeUndefined()
    }
    const proof = await trie.createProof(keys[5]!)
    expect(() => verifyTrieProof(root, keys[5]!, [])).toThrow(InvalidProofError)
    expect(() => verifyTrieProof(keccak256(Uint8Array.of(1)), keys[5]!, proof)).toThrow(InvalidProofError)
  })
})
