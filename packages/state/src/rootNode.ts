// The account trie's root node over its 16 first-nibble subtries (the sharded state's shards each hold some of
// them): built from the subtries' references, and split back into their tops when a state is opened.
import { EMPTY_TRIE_ROOT, hexToBytes } from '@appchain/core'
import type { SubtrieTop } from './accountShard.js'
import { InvalidTrieNodeError } from './errors.js'
import { toHex } from './hex.js'
import { keccak256 } from './keccak.js'
import { BranchNode, decodeNode, ExtensionNode, encodeNode, HashNode, LeafNode, type TrieNode } from './node.js'

/**
 * The state root over the 16 first-nibble subtries: the root branch when two or more are non-empty, the empty
 * root when none is, and when exactly one is, that subtrie's top node re-encoded with the nibble prepended (a
 * leaf or an extension, not a branch). Returns the root hash and the root node's encoding (undefined when empty).
 *
 * @example
 * ```ts
 * const { root, encoding } = await rootOfSubtries(refs, (nibble) => shardOf(nibble).topNode(nibble))
 * ```
 */
export async function rootOfSubtries(
  refs: readonly (Uint8Array | undefined)[],
  topNode: (nibble: number) => Promise<Uint8Array | undefined>,
): Promise<{ root: Uint8Array; encoding: Uint8Array | undefined }> {
  let count = 0
  let only = -1
  for (let n = 0; n < 16; n++)
    if (refs[n] !== undefined) {
      count++
      only = n
    }
  if (count === 0) return { root: hexToBytes(EMPTY_TRIE_ROOT), encoding: undefined }
  if (count >= 2) {
    const branch = new BranchNode()
    for (let n = 0; n < 16; n++) {
      const r = refs[n]
      if (r !== undefined) branch.children[n] = new HashNode(r)
    }
    const encoding = encodeNode(branch)
    return { root: keccak256(encoding), encoding }
  }
  const top = await topNode(only)
  if (top === undefined) throw new RangeError(`Subtrie ${only} has a reference but no top node`)
  const encoding = prependNibble(top, only)
  return { root: keccak256(encoding), encoding }
}

/**
 * A subtrie's top node as the root of the whole trie: the nibble prepended to a leaf's or extension's path, or an
 * extension of that one nibble over a branch.
 *
 * @example
 * ```ts
 * prependNibble(leafEncoding, 7) // the root leaf's encoding
 * ```
 */
export function prependNibble(top: Uint8Array, nibble: number): Uint8Array {
  const node = decodeNode(top, undefined)
  const withNibble = (path: Uint8Array) => {
    const p = new Uint8Array(path.length + 1)
    p[0] = nibble
    p.set(path, 1)
    return p
  }
  let root: TrieNode
  if (node instanceof LeafNode) root = LeafNode.of(withNibble(node.path), node.value)
  else if (node instanceof ExtensionNode) root = new ExtensionNode(withNibble(node.path), node.child)
  else root = new ExtensionNode(Uint8Array.of(nibble), top.length >= 32 ? new HashNode(keccak256(top)) : node)
  return encodeNode(root)
}

/**
 * The 16 subtrie tops of a stored root node (index = first nibble): a branch's child hashes, or, for a root that
 * is a leaf or an extension, its one subtrie's top node with the first nibble taken off (not stored by hash).
 *
 * @example
 * ```ts
 * const tops = subtrieTops(await db.get(nodeKey(root)), root)
 * ```
 */
export function subtrieTops(encoding: Uint8Array, hash: Uint8Array): SubtrieTop[] {
  let node: TrieNode
  try {
    node = decodeNode(encoding, hash)
  } catch (e) {
    throw new InvalidTrieNodeError(toHex(hash), e instanceof Error ? e.message : String(e))
  }
  const tops: SubtrieTop[] = new Array(16).fill(undefined)
  const topOf = (child: TrieNode): SubtrieTop =>
    child instanceof HashNode ? { hash: child.ref } : { encoding: encodeNode(child) }
  if (node instanceof BranchNode) {
    if (node.value !== undefined) throw new InvalidTrieNodeError(toHex(hash), 'the account trie root holds a value')
    for (let n = 0; n < 16; n++) {
      const c = node.children[n]
      if (c !== undefined) tops[n] = topOf(c)
    }
  } else if (node instanceof LeafNode) {
    const path = node.path
    tops[path[0]!] = { encoding: encodeNode(LeafNode.of(path.subarray(1), node.value)) }
  } else if (node instanceof ExtensionNode) {
    const path = node.path
    tops[path[0]!] =
      path.length === 1 ? topOf(node.child) : { encoding: encodeNode(new ExtensionNode(path.subarray(1), node.child)) }
  }
  return tops
}
