import type { Hex } from '@appchain/core'
import { toHex } from './hex.js'
import { bytesToNibbles } from './node.js'
import { encodeStr } from './rlp.js'
import { Trie } from './trie.js'

/**
 * rlp(index) as a trie key: 0 -> 0x80, 1..127 -> one byte, then big-endian with a length prefix.
 *
 * @example
 * ```ts
 * indexKey(0) // Uint8Array [0x80]
 * indexKey(128) // Uint8Array [0x81, 0x80]
 * ```
 */
export function indexKey(index: number): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`Invalid index: ${index}`)
  if (index === 0) return Uint8Array.of(0x80)
  const bytes: number[] = []
  for (let v = index; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
  return encodeStr(Uint8Array.from(bytes))
}

/**
 * Root of an ordered trie keyed by rlp(index): Ethereum's transactionsRoot, receiptsRoot and
 * withdrawalsRoot. Items are the encoded transactions / receipts / withdrawals, in order.
 *
 * @example
 * ```ts
 * import { orderedTrieRoot } from '@appchain/state'
 * orderedTrieRoot([]) // '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421'
 * orderedTrieRoot(block.transactions) // transactionsRoot
 * ```
 */
export function orderedTrieRoot(items: readonly Uint8Array[]): Hex {
  const trie = new Trie()
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!
    if (!(item instanceof Uint8Array)) throw new TypeError(`Item ${i} is not a Uint8Array`)
    // An empty item still takes its slot: Ethereum never puts empty values in these tries.
    if (item.length === 0) throw new RangeError(`Item ${i} is empty`)
    trie.putPath(bytesToNibbles(indexKey(i)), item)
  }
  return toHex(trie.rootHash())
}
