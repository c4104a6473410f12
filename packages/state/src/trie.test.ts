import { readdirSync, readFileSync } from 'node:fs'
import { bytesToHex, hexToBytes, keccak256 } from '@appchain/core'
import { createMPT } from '@ethereumjs/mpt'
import { describe, expect, it } from 'vitest'
import { MissingTrieNodeError, UnresolvedTrieNodeError } from './errors.js'
import { memoryNodeStore } from './nodeStore.js'
import { createTrie, Trie } from './trie.js'

const FIXTURES = new URL('../../../../shared/fixtures/trie/', import.meta.url)

type Fixture = { in: [string, string | null][] | Record<string, string | null>; root: string; hexEncoded?: boolean }

const enc = new TextEncoder()
// ethereum/tests convention: strings starting 0x are hex, others are their UTF-8 bytes.
const bytesOf = (s: string, hex: boolean) => (hex || s.startsWith('0x') ? hexToBytes(s) : enc.encode(s))

function loadFixtures(file: string): Record<string, Fixture> {
  return JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8'))
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

const rootFiles = readdirSync(FIXTURES).filter((f) => f.endsWith('.json') && f !== 'trietestnextprev.json')

describe('ethereum/tests TrieTests fixtures', () => {
  it('covers every fixture file', () => {
    expect(rootFiles.sort()).toEqual([
      'hex_encoded_securetrie_test.json',
      'trieanyorder.json',
      'trieanyorder_secureTrie.json',
      'trietest.json',
      'trietest_secureTrie.json',
    ])
  })
  for (const file of rootFiles) {
    const secure = file.includes('secure')
    for (const [name, fx] of Object.entries(loadFixtures(file))) {
      it(`${file} ${name}`, async () => {
        const hex = fx.hexEncoded === true
        const entries = Array.isArray(fx.in) ? fx.in : Object.entries(fx.in)
        const trie = createTrie({ secure })
        for (const [k, v] of entries) {
          if (v === null) await trie.del(bytesOf(k, hex))
          else await trie.put(bytesOf(k, hex), bytesOf(v, hex))
        }
        expect(trie.root()).toBe(fx.root)
        if (!Array.isArray(fx.in)) {
          // "any order" fixtures: every insertion order gives the same root.
          for (const seed of [1, 2, 3, 4, 5]) {
            const t = createTrie({ secure })
            for (const [k, v] of shuffled(entries, seed)) await t.put(bytesOf(k, hex), bytesOf(v!, hex))
            expect(t.root()).toBe(fx.root)
          }
        }
      })
    }
  }

  it('trietestnextprev.json: entries iterate in key order (next/prev of every probe)', async () => {
    const fx = loadFixtures('trietestnextprev.json') as unknown as Record<
      string,
      { in: string[]; tests: [string, string, string][] }
    >
    for (const { in: keys, tests } of Object.values(fx)) {
      const trie = createTrie()
      for (const k of keys) await trie.put(enc.encode(k), enc.encode(k))
      const ordered: string[] = []
      for await (const [k] of trie.entries()) ordered.push(new TextDecoder().decode(k))
      for (const [probe, prev, next] of tests) {
        const before = ordered.filter((k) => k < probe)
        const after = ordered.filter((k) => k > probe)
        expect([probe, before.at(-1) ?? '', after[0] ?? '']).toEqual([probe, prev, next])
      }
    }
  })
})

describe('roots equal @ethereumjs/mpt on random data', () => {
  for (const secure of [false, true]) {
    it(`random puts and deletes (secure: ${secure})`, async () => {
      let seed = secure ? 7 : 3
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        return seed % n
      }
      const ours = createTrie({ secure })
      const theirs = await createMPT({ useKeyHashing: secure })
      const keys: Uint8Array[] = []
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 100; i++) {
          // Short keys from a small alphabet make shared prefixes, branch values and extensions.
          const key =
            keys.length > 0 && rand(4) === 0
              ? keys[rand(keys.length)]!
              : Uint8Array.from({ length: 1 + rand(6) }, () => rand(4))
          if (rand(5) === 0) {
            await ours.del(key)
            await theirs.del(key)
          } else {
            const value = Uint8Array.from({ length: 1 + rand(40) }, () => rand(256))
            keys.push(key)
            await ours.put(key, value)
            await theirs.put(key, value)
          }
        }
        expect(ours.root()).toBe(bytesToHex(theirs.root()))
      }
    })
  }

  for (const secure of [false, true]) {
    it(`update() batches (duplicates, prefixes, on top of existing nodes) equal one put at a time (secure: ${secure})`, async () => {
      let seed = secure ? 11 : 5
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        return seed % n
      }
      const batched = createTrie({ secure })
      const single = createTrie({ secure })
      const theirs = await createMPT({ useKeyHashing: secure })
      const keys: Uint8Array[] = []
      for (let round = 0; round < 12; round++) {
        const batch: [Uint8Array, Uint8Array | undefined][] = []
        // Round sizes 1..~300: single writes, small groups, and whole new subtrees.
        for (let i = 0, n = round % 3 === 2 ? 0 : 1 + rand(round * 25 + 1); i < n; i++) {
          // A third of the keys repeat: an older key, or (often new to the trie) one of this batch.
          const r = rand(6)
          const key =
            r === 0 && keys.length > 0
              ? keys[rand(keys.length)]!
              : r === 1 && batch.length > 0
                ? batch[rand(batch.length)]![0]
                : Uint8Array.from({ length: 1 + rand(5) }, () => rand(3 + (round % 3) * 6))
          const value = rand(8) === 0 ? undefined : Uint8Array.from({ length: 1 + rand(40) }, () => rand(256))
          keys.push(key)
          batch.push([key, value])
        }
        // Every third round only rewrites hashed leaves (many groups of one write under a branch).
        if (round % 3 === 2) {
          const distinct = [...new Map(keys.map((k) => [bytesToHex(k), k])).values()]
          for (let i = round % 2; i < distinct.length; i += 2) batch.push([distinct[i]!, Uint8Array.of(round, i & 255)])
        }
        await batched.update(batch)
        // update() applies its puts, then its deletes.
        for (const [k, v] of batch) if (v !== undefined) await single.put(k, v)
        for (const [k, v] of batch) if (v === undefined) await single.del(k)
        for (const [k, v] of batch) if (v !== undefined) await theirs.put(k, v)
        for (const [k, v] of batch) if (v === undefined) await theirs.del(k)
        expect(batched.root()).toBe(single.root())
        expect(batched.root()).toBe(bytesToHex(theirs.root()))
        if (round % 4 === 3) {
          batched.commit()
          single.commit()
        }
      }
    })
  }

  it('updatePaths writes value(i, old) with the value before the batch, like get then put', async () => {
    const batched = createTrie({ secure: true })
    const single = createTrie({ secure: true })
    const keys = Array.from({ length: 600 }, (_, i) => Uint8Array.of(i >> 8, i & 255))
    for (const k of keys.slice(0, 400)) {
      await batched.put(k, Uint8Array.of(k[1]!, 1))
      await single.put(k, Uint8Array.of(k[1]!, 1))
    }
    batched.root()
    // Old keys (some rewritten as is), and new ones: old values decide the new ones.
    const chosen = keys.filter((_, i) => i % 3 !== 0)
    const next = (old: Uint8Array | undefined, i: number) =>
      old === undefined ? Uint8Array.of(i & 255, 2) : i % 5 === 0 ? old : Uint8Array.of(old[0]!, old[1]! + 1)
    batched.updatePaths(
      chosen.map((k) => batched.pathOf(k)),
      (i, old) => next(old, i),
    )
    for (const [i, k] of chosen.entries()) await single.put(k, next(await single.get(k), i))
    expect(batched.root()).toBe(single.root())
    expect(await batched.get(keys[2]!)).toEqual(Uint8Array.of(2, 2))
  })

  it('32-byte keys, 2k entries, then deleting all returns to the empty root', async () => {
    const ours = createTrie()
    const theirs = await createMPT()
    const keys = Array.from({ length: 2000 }, (_, i) => keccak256(Uint8Array.of(i >> 8, i & 255)))
    for (const k of keys) {
      await ours.put(k, k.subarray(0, 20))
      await theirs.put(k, k.subarray(0, 20))
    }
    expect(ours.root()).toBe(bytesToHex(theirs.root()))
    for (const k of keys) await ours.del(k)
    expect(ours.root()).toBe('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421')
  })
})

describe('createTrie', () => {
  it('queued writes: a value reused by the caller after put() is not seen; reads and deletes see earlier puts', async () => {
    const trie = createTrie()
    const value = Uint8Array.of(1, 2, 3)
    await trie.put(enc.encode('a'), value)
    value[0] = 9
    await trie.put(enc.encode('b'), value)
    await trie.del(enc.encode('b'))
    await trie.put(enc.encode('b'), Uint8Array.of(7))
    expect(await trie.get(enc.encode('a'))).toEqual(Uint8Array.of(1, 2, 3))
    const theirs = await createMPT()
    await theirs.put(enc.encode('a'), Uint8Array.of(1, 2, 3))
    await theirs.put(enc.encode('b'), Uint8Array.of(7))
    expect(trie.root()).toBe(bytesToHex(theirs.root()))
  })

  it('a root without a store: root() works, reads throw MissingTrieNodeError', async () => {
    const root = '0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3'
    const trie = createTrie({ root })
    expect(trie.root()).toBe(root)
    await expect(trie.get(enc.encode('dog'))).rejects.toBeInstanceOf(MissingTrieNodeError)
  })

  it('putPaths refuses empty values and unresolved paths with specific errors', async () => {
    const trie = createTrie({ secure: true })
    for (let i = 0; i < 50; i++) await trie.put(Uint8Array.of(i), Uint8Array.of(i, 1))
    const path = trie.pathOf(Uint8Array.of(3))
    expect(() => trie.putPaths([[path, new Uint8Array(0)]])).toThrow(RangeError)
    const nodes = new Map(trie.commit().map(([h, e]) => [bytesToHex(h), e] as const))
    const reopened = createTrie({ secure: true, root: trie.root(), store: memoryNodeStore(nodes) })
    expect(() => reopened.putPaths([[path, Uint8Array.of(9)]])).toThrow(UnresolvedTrieNodeError)
    await reopened.resolvePaths([path], false)
    reopened.putPaths([[path, Uint8Array.of(9)]])
    expect(await reopened.get(Uint8Array.of(3))).toEqual(Uint8Array.of(9))
  })

  it('resolvePathsOf: several tries over one store, one read per level for all, same paths resolved', async () => {
    const nodes = new Map<`0x${string}`, Uint8Array>()
    const build = (tag: number) => {
      const t = createTrie({ secure: true })
      t.putPaths(
        Array.from({ length: 300 }, (_, i) => [
          t.pathOf(Uint8Array.of(tag, i >> 8, i & 255)),
          Uint8Array.of(i & 255, tag),
        ]),
      )
      for (const [h, e] of t.commit()) nodes.set(bytesToHex(h), e)
      return t
    }
    const originals = [build(1), build(2)]
    let reads = 0
    const inner = memoryNodeStore(nodes)
    const store = {
      getNodes: (hashes: Uint8Array[]) => {
        reads++
        return inner.getNodes(hashes)
      },
    }
    const tries = originals.map((t) => createTrie({ secure: true, root: t.root(), store }))
    const keys = [1, 2].map((tag) => Array.from({ length: 50 }, (_, i) => Uint8Array.of(tag, 0, i * 3)))
    const paths = keys.map((ks, j) => ks.map((k) => tries[j]!.pathOf(k)))
    // Each trie alone: one read per level it loads.
    const alone = []
    for (let j = 0; j < 2; j++) {
      reads = 0
      await createTrie({ secure: true, root: originals[j]!.root(), store }).resolvePaths(paths[j]!, false)
      alone.push(reads)
    }
    reads = 0
    await Trie.resolvePathsOf(
      tries.map((t, j) => [t, paths[j]!] as const),
      false,
    )
    // Together: one read per level for both.
    expect(alone[0]).toBeGreaterThan(1)
    expect(reads).toBe(Math.max(alone[0]!, alone[1]!))
    for (let j = 0; j < 2; j++)
      for (let i = 0; i < 50; i++) expect(tries[j]!.getPath(paths[j]![i]!)).toEqual(Uint8Array.of(i * 3, j + 1))
    tries[1]!.putPaths([[paths[1]![0]!, Uint8Array.of(7)]])
    await originals[1]!.put(keys[1]![0]!, Uint8Array.of(7))
    expect(tries[1]!.root()).toBe(originals[1]!.root())
    expect(tries[0]!.root()).toBe(originals[0]!.root())
  })

  it('reopens from its committed nodes through a store', async () => {
    const trie = createTrie({ secure: true })
    for (let i = 0; i < 500; i++) await trie.put(Uint8Array.of(i >> 8, i & 255), Uint8Array.of(i & 255, 1, 2, 3))
    const nodes = new Map(trie.commit().map(([h, e]) => [bytesToHex(h), e] as const))
    const reopened = createTrie({ secure: true, root: trie.root(), store: memoryNodeStore(nodes) })
    expect(await reopened.get(Uint8Array.of(1, 44))).toEqual(Uint8Array.of(44, 1, 2, 3))
    await reopened.update([
      [Uint8Array.of(0, 7), undefined],
      [Uint8Array.of(9, 9), Uint8Array.of(9)],
    ])
    await trie.del(Uint8Array.of(0, 7))
    await trie.put(Uint8Array.of(9, 9), Uint8Array.of(9))
    expect(reopened.root()).toBe(trie.root())
    const entries: Uint8Array[] = []
    for await (const [, v] of reopened.entries()) entries.push(v)
    expect(entries.length).toBe(500)
    // A store missing a node: a typed error naming it.
    nodes.clear()
    const broken = createTrie({ secure: true, root: trie.root(), store: memoryNodeStore(nodes) })
    await expect(broken.get(Uint8Array.of(1, 1))).rejects.toBeInstanceOf(MissingTrieNodeError)
  })
})
