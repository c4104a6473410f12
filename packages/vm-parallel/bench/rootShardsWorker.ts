import { KECCAK_EMPTY } from '@appchain/core'
import { serveWorker } from '@appchain/core/workers'
import { createTrie, encodeAccount, keccak256, keccakReady, type Trie } from '@appchain/state'

// Prototype for bench/rootShards.ts: this worker owns the account subtries under the first nibbles
// named in each message (one trie per nibble, over the remaining 63 nibbles of keccak(address)), across messages.
let nibbles = new Set<number>()
const tries = new Map<number, Trie>()
const EMPTY_ROOT = keccak256(Uint8Array.of(0x80))
await keccakReady()

/** Applies `count` accounts packed as address(20) | nonce(8, big-endian) | balance(32): those of this shard. */
function apply(bytes: Uint8Array, count: number): void {
  const puts = new Map<number, [Uint8Array, Uint8Array][]>()
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < count; i++) {
    const at = i * 60
    const h = keccak256(bytes.subarray(at, at + 20))
    const first = h[0]! >> 4
    if (!nibbles.has(first)) continue
    const path = new Uint8Array(63)
    for (let j = 1; j < 64; j++) path[j - 1] = j & 1 ? h[j >> 1]! & 0x0f : h[j >> 1]! >> 4
    const nonce = view.getBigUint64(at + 20)
    const balance = BigInt(`0x${buf.toString('hex', at + 28, at + 60)}`)
    const record = encodeAccount({ nonce, balance, codeHash: KECCAK_EMPTY }, EMPTY_ROOT)
    let list = puts.get(first)
    if (!list) {
      list = []
      puts.set(first, list)
    }
    list.push([path, record])
  }
  for (const [n, list] of puts) tries.get(n)!.putPaths(list)
}

serveWorker(async (m: { nibbles: number[]; bytes: Uint8Array; count: number; commit: boolean; reset: boolean }) => {
  const t = performance.now()
  if (m.reset) tries.clear()
  nibbles = new Set(m.nibbles)
  for (const n of nibbles) if (!tries.has(n)) tries.set(n, createTrie())
  apply(m.bytes, m.count)
  // Child references of the root branch for this shard's nibbles (each subtrie's root node is >= 32 bytes).
  const refs: [number, Uint8Array][] = []
  for (const [n, trie] of tries) if (trie.node !== undefined) refs.push([n, trie.rootHash()])
  // The node encodings a flush would persist, packed and sent back (the Db write stays on the main thread).
  let nodes = 0
  let packed: Uint8Array<ArrayBuffer> | undefined
  if (m.commit) {
    const entries = [...tries.values()].flatMap((trie) => trie.commit())
    let size = 0
    for (const [, enc] of entries) size += 32 + 4 + enc.length
    packed = new Uint8Array(size)
    let at = 0
    for (const [hash, enc] of entries) {
      packed.set(hash, at)
      new DataView(packed.buffer).setUint32(at + 32, enc.length)
      packed.set(enc, at + 36)
      at += 36 + enc.length
    }
    nodes = entries.length
  }
  return { refs, nodes, packed, ms: performance.now() - t }
})
