import { EMPTY_TRIE_ROOT, type Hex, hexToBytes } from '@appchain/core'
import { allocBytes } from './allocBytes.js'
import { InvalidTrieNodeError, MissingTrieNodeError, UnresolvedTrieNodeError } from './errors.js'
import { toHex } from './hex.js'
import { keccak256 as keccak_256, keccakIsReady, keccakReady } from './keccak.js'
import {
  BranchNode,
  bytesToNibbles,
  decodeNode,
  ExtensionNode,
  encodeNode,
  HashNode,
  LeafNode,
  nibblesToBytes,
  rootHashOf,
  type TrieNode,
  withEncodingSink,
} from './node.js'
import type { NodeStore } from './nodeStore.js'

const EMPTY_ROOT_BYTES = hexToBytes(EMPTY_TRIE_ROOT)
const DONE: Promise<void> = Promise.resolve()

export interface TrieOptions {
  /** Hash keys with keccak256 before use (Ethereum's state and storage tries). Default false. */
  secure?: boolean | undefined
  /** Start from this root (its nodes are loaded from `store` on demand). Default: the empty trie. */
  root?: Hex | Uint8Array | undefined
  /** Where nodes known only by hash are loaded from. */
  store?: NodeStore | undefined
  /**
   * After `commit()`, replace committed leaves by their hashes (reloaded from `store` when a path
   * needs them): a large state's leaves then live in the Db, not in memory. Needs `store`, and the
   * committed nodes written to it (or kept in its overlay) before they are needed. Default false.
   */
  evictLeaves?: boolean | undefined
}

/** A node to persist: its hash and RLP encoding (stored under `Sn` + hash by the state). */
export type TrieNodeEntry = [hash: Uint8Array, encoding: Uint8Array]

/** A hash node to load, where it hangs, and how far into the path being resolved (`pos` nibbles) it sits. */
type Holder = { parent: Trie | ExtensionNode | BranchNode; index: number; hash: HashNode; pos: number }

/**
 * An Ethereum Merkle Patricia Trie held in memory, with cached node hashes: writes only change the
 * node structure; `root()` hashes the changed paths once. Nodes absent from memory are loaded from
 * its `store` on demand.
 *
 * @example
 * ```ts
 * const trie = createTrie({ secure: true })
 * await trie.put(new TextEncoder().encode('dog'), new TextEncoder().encode('puppy'))
 * trie.root() // '0x…'
 * ```
 */
export class Trie {
  readonly secure: boolean
  /** The root node (writes not yet applied are pending, see `node`). */
  private top: TrieNode | undefined
  /**
   * Writes to a trie held wholly in memory, applied as one batch (`putPaths`) when the nodes are next
   * needed: each leaf is then built once, in its final place. Values are copied when queued.
   */
  private pending: [path: Uint8Array, value: Uint8Array][] = []
  private readonly store: NodeStore | undefined
  private readonly evictLeaves: boolean
  /** Whether nodes may be known only by hash (a root given, or leaves evicted): else nothing to load. */
  private lazy: boolean
  /** Encodings of the nodes hashed since the last commit (reused by `commit`). */
  private encodings = new Map<TrieNode, Uint8Array>()

  constructor(options: TrieOptions = {}) {
    this.secure = options.secure ?? false
    this.store = options.store
    if (options.evictLeaves === true && options.store === undefined) throw new TypeError('evictLeaves needs a store')
    this.evictLeaves = options.evictLeaves === true
    void keccakReady()
    const root =
      options.root === undefined
        ? undefined
        : typeof options.root === 'string'
          ? hexToBytes(options.root)
          : options.root
    if (root !== undefined && root.length !== 32) throw new RangeError(`Trie root must be 32 bytes, got ${root.length}`)
    this.top = root === undefined || equal32(root, EMPTY_ROOT_BYTES) ? undefined : new HashNode(root.slice())
    this.lazy = this.top !== undefined || this.evictLeaves
  }

  /** The root node; undefined for the empty trie. */
  get node(): TrieNode | undefined {
    this.applyPending()
    return this.top
  }
  set node(node: TrieNode | undefined) {
    this.applyPending()
    this.top = node
  }

  /** Applies the queued writes to the nodes. */
  private applyPending(): void {
    const puts = this.pending
    if (puts.length === 0) return
    this.pending = []
    this.putPaths(puts)
  }

  /** The nibble path of a key (keccak'd first in a secure trie). */
  pathOf(key: Uint8Array): Uint8Array {
    return bytesToNibbles(this.secure ? keccak_256(key) : key)
  }

  // get/put/del run synchronously (one shared settled promise, no await) when the WebAssembly keccak
  // is ready and the nodes on the path are in memory; otherwise they load what they need first.

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    if (!keccakIsReady()) return this.getAsync(key)
    try {
      const path = this.pathOf(key)
      if (this.inMemory(path, false)) return Promise.resolve(this.getPath(path))
      return this.resolvePaths([path], false).then(() => this.getPath(path))
    } catch (e) {
      return Promise.reject(e)
    }
  }

  private async getAsync(key: Uint8Array): Promise<Uint8Array | undefined> {
    await keccakReady()
    return this.get(key)
  }

  /** Writes a value; an empty value deletes the key (as in Ethereum's tries). */
  put(key: Uint8Array, value: Uint8Array): Promise<void> {
    try {
      if (value.length === 0) return this.del(key)
      if (!keccakIsReady()) return this.putAsync(key, value)
      const path = this.pathOf(key)
      if (!this.inMemory(path, false)) return this.resolvePaths([path], false).then(() => this.putPath(path, value))
      this.putPath(path, value)
      return DONE
    } catch (e) {
      return Promise.reject(e)
    }
  }

  private async putAsync(key: Uint8Array, value: Uint8Array): Promise<void> {
    await keccakReady()
    return this.put(key, value)
  }

  del(key: Uint8Array): Promise<void> {
    if (!keccakIsReady()) return this.delAsync(key)
    try {
      const path = this.pathOf(key)
      if (!this.inMemory(path, true)) return this.resolvePaths([path], true).then(() => this.delPath(path))
      this.delPath(path)
      return DONE
    } catch (e) {
      return Promise.reject(e)
    }
  }

  private async delAsync(key: Uint8Array): Promise<void> {
    await keccakReady()
    return this.del(key)
  }

  /**
   * Applies many writes at once (undefined or empty value deletes), loading the nodes they need from
   * the store level by level in batches.
   */
  async update(entries: Iterable<[key: Uint8Array, value: Uint8Array | undefined]>): Promise<void> {
    await keccakReady()
    const puts: [Uint8Array, Uint8Array][] = []
    const dels: Uint8Array[] = []
    for (const [k, v] of entries) {
      if (v === undefined || v.length === 0) dels.push(this.pathOf(k))
      else puts.push([this.pathOf(k), v])
    }
    await this.applyPaths(puts, dels)
  }

  /** `update` on nibble paths (already hashed in a secure trie). */
  async applyPaths(puts: [Uint8Array, Uint8Array][], dels: Uint8Array[]): Promise<void> {
    await this.resolvePaths(
      puts.map((p) => p[0]),
      false,
    )
    await this.resolvePaths(dels, true)
    this.putPaths(puts)
    for (const p of dels) this.delPath(p)
  }

  /**
   * Writes many paths in memory at once (the paths must be resolved; a later entry for the same path
   * wins): each subtree is visited once for all the paths under it, and new subtrees are built
   * directly in their final shape.
   *
   * @example
   * ```ts
   * trie.putPaths(accounts.map((a) => [trie.pathOf(a.address), a.record]))
   * trie.root()
   * ```
   */
  putPaths(puts: [path: Uint8Array, value: Uint8Array][]): void {
    if (puts.length === 0) return
    for (let i = 0; i < puts.length; i++) {
      const v = puts[i]?.[1]
      // An empty value would store an empty leaf (a different root); deletes go through del/update.
      if (!(v instanceof Uint8Array) || v.length === 0)
        throw new RangeError(`putPaths: value ${i} must be a non-empty Uint8Array (use update() to delete)`)
    }
    this.applyPending()
    const paths: Uint8Array[] = new Array(puts.length)
    for (let i = 0; i < puts.length; i++) paths[i] = puts[i]![0]
    this.batch(paths, (i) => puts[i]![1], false)
  }

  /**
   * Read-modify-write of many paths at once (resolved, distinct): the value written at paths[i] is
   * `value(i, old)`, with `old` the value there before (undefined if none), found in the same walk
   * as the write. Like `putPaths` otherwise.
   *
   * @example
   * ```ts
   * trie.updatePaths(paths, (i, old) => withBalance(old, balances[i]))
   * ```
   */
  updatePaths(paths: Uint8Array[], value: (index: number, old: Uint8Array | undefined) => Uint8Array): void {
    if (paths.length === 0) return
    this.applyPending()
    this.batch(paths, value, true)
  }

  /** Writes value(i, old) at paths[i] for every i (see putPaths/updatePaths). */
  private batch(paths: Uint8Array[], value: ValueAt, readOld: boolean): void {
    if (groupOf.length < paths.length) groupOf = new Uint8Array(Math.max(paths.length, groupOf.length * 2))
    const order = new Int32Array(paths.length)
    for (let i = 0; i < order.length; i++) order[i] = i
    const [prev, prevOld] = [valueAt, needsOld]
    valueAt = value
    needsOld = readOld
    try {
      this.top = putMany(this.top, paths, order, new Int32Array(paths.length), 0, order.length, 0)
    } finally {
      valueAt = prev
      needsOld = prevOld
    }
  }

  /** The root hash as bytes (hashes the changed nodes, once). */
  rootHash(): Uint8Array {
    const node = this.node
    if (node === undefined) return EMPTY_ROOT_BYTES
    if (node.ref !== undefined) return rootHashOf(node)
    return withEncodingSink(this.encodings, () => rootHashOf(node))
  }

  /** The root hash (hashes the changed nodes, once). */
  root(): Hex {
    return toHex(this.rootHash())
  }

  /**
   * Hashes, then returns the nodes not yet persisted (each once) and marks them persisted. The root
   * node is always included, even when shorter than 32 bytes.
   */
  commit(): TrieNodeEntry[] {
    const out: TrieNodeEntry[] = []
    const root = this.node
    if (root === undefined || root.stored) {
      this.encodings.clear()
      return out
    }
    this.rootHash()
    collect(root, true, out, this.encodings, this.evictLeaves)
    this.encodings = new Map()
    return out
  }

  /** Proof of a key (`eth_getProof` style): the encodings of the nodes on its path, root first. */
  async createProof(key: Uint8Array): Promise<Uint8Array[]> {
    return this.createProofPath(this.pathOf(key))
  }

  async createProofPath(path: Uint8Array): Promise<Uint8Array[]> {
    await this.resolvePaths([path], false)
    this.rootHash()
    const proof: Uint8Array[] = []
    let node = this.node
    let pos = 0
    while (node !== undefined) {
      if (node instanceof HashNode) throw new UnresolvedTrieNodeError()
      const enc = encodeNode(node)
      if (node === this.node || enc.length >= 32) proof.push(enc)
      if (node instanceof LeafNode) break
      if (node instanceof ExtensionNode) {
        if (!startsWith(path, pos, node.path)) break
        pos += node.path.length
        node = node.child
      } else {
        if (pos === path.length) break
        node = node.children[path[pos++]!]
      }
    }
    return proof
  }

  /** Every entry in key order (hashed keys in a secure trie), loading nodes as needed. */
  async *entries(): AsyncGenerator<[key: Uint8Array, value: Uint8Array]> {
    yield* this.walk(this, 0, [])
  }

  private async *walk(
    parent: Trie | ExtensionNode | BranchNode,
    index: number,
    prefix: number[],
  ): AsyncGenerator<[Uint8Array, Uint8Array]> {
    let node = getChild(parent, index)
    if (node === undefined) return
    if (node instanceof HashNode) {
      await this.load([{ parent, index, hash: node, pos: prefix.length }])
      node = getChild(parent, index)!
    }
    if (node instanceof LeafNode) {
      yield [nibblesToBytes(Uint8Array.from([...prefix, ...node.path])), node.value]
    } else if (node instanceof ExtensionNode) {
      yield* this.walk(node, -1, [...prefix, ...node.path])
    } else if (node instanceof BranchNode) {
      if (node.value !== undefined) yield [nibblesToBytes(Uint8Array.from(prefix)), node.value]
      for (let i = 0; i < 16; i++) yield* this.walk(node, i, [...prefix, i])
    }
  }

  /** Reads a path from the nodes in memory; the path must be resolved. */
  getPath(path: Uint8Array): Uint8Array | undefined {
    return getFrom(this.node, path, 0)
  }

  /** Writes a path in memory; the path must be resolved. */
  putPath(path: Uint8Array, value: Uint8Array): void {
    if (!this.lazy) {
      const v = allocBytes(value.length)
      v.set(value)
      this.pending.push([path, v])
      return
    }
    this.top = insert(this.top, path, 0, value)
  }

  /** Deletes a path in memory; the path must be resolved for deletion. */
  delPath(path: Uint8Array): void {
    this.applyPending()
    this.top = remove(this.top, path, 0)
  }

  /**
   * Loads the hash nodes on these paths from the store (batched per level). For deletions also the
   * sibling a branch may collapse into.
   */
  /** Whether every node a read or write of this path needs is in memory (nothing to load). */
  private inMemory(path: Uint8Array, forDelete: boolean): boolean {
    if (!this.lazy) return true
    const holders: Holder[] = []
    this.findUnresolved(path, forDelete, holders)
    return holders.length === 0
  }

  async resolvePaths(paths: Uint8Array[], forDelete: boolean): Promise<void> {
    // Without a store only a root given by hash is unresolved; `load` then throws MissingTrieNodeError.
    await Trie.resolvePathsOf([[this, paths]], forDelete)
  }

  /**
   * `resolvePaths` on several tries sharing one store (e.g. a shard's first-nibble subtries): one store read
   * per trie level for all of them, instead of one per trie and level.
   *
   * @example
   * ```ts
   * await Trie.resolvePathsOf([[left, leftPaths], [right, rightPaths]], false)
   * ```
   */
  static async resolvePathsOf(
    work: readonly (readonly [trie: Trie, paths: Uint8Array[]])[],
    forDelete: boolean,
  ): Promise<void> {
    const todo = work.filter(([trie, paths]) => trie.lazy && paths.length > 0)
    const first = todo[0]?.[0]
    if (first === undefined) return
    if (todo.some(([trie]) => trie.store !== first.store)) {
      await Promise.all(todo.map(([trie, paths]) => trie.resolvePaths(paths, forDelete)))
      return
    }
    // Each round resumes every path where the last one stopped (the node just loaded), not from the top;
    // a delete's path may need several siblings, so it walks again from the top.
    let tries: Trie[] = []
    let paths: Uint8Array[] = []
    let froms: (Holder | undefined)[] = []
    for (const [trie, ps] of todo)
      for (const p of ps) {
        tries.push(trie)
        paths.push(p)
        froms.push(undefined)
      }
    while (paths.length > 0) {
      const holders: Holder[] = []
      const nextTries: Trie[] = []
      const nextPaths: Uint8Array[] = []
      const nextFroms: (Holder | undefined)[] = []
      for (let i = 0; i < paths.length; i++) {
        const before = holders.length
        tries[i]!.findUnresolved(paths[i]!, forDelete, holders, froms[i])
        if (holders.length > before) {
          nextTries.push(tries[i]!)
          nextPaths.push(paths[i]!)
          nextFroms.push(forDelete ? undefined : holders[before])
        }
      }
      if (holders.length === 0) return
      // Holders of several tries: `load` installs each in its own parent (a node or its trie).
      await first.load(holders)
      tries = nextTries
      paths = nextPaths
      froms = nextFroms
    }
  }

  /** Collects the hash nodes reading or writing `path` needs, from the top or from where `from` stopped. */
  private findUnresolved(path: Uint8Array, forDelete: boolean, out: Holder[], from?: Holder): void {
    let parent: Trie | ExtensionNode | BranchNode = from?.parent ?? this
    let index = from?.index ?? 0
    let node = from === undefined ? this.node : getChild(from.parent, from.index)
    let pos = from?.pos ?? 0
    for (;;) {
      if (node === undefined || node instanceof LeafNode) return
      if (node instanceof HashNode) {
        out.push({ parent, index, hash: node, pos })
        return
      }
      if (node instanceof ExtensionNode) {
        if (!startsWith(path, pos, node.path)) return
        pos += node.path.length
        parent = node
        index = -1
        node = node.child
        continue
      }
      const children = node.children
      if (forDelete) {
        let count = node.value === undefined ? 0 : 1
        for (let i = 0; i < 16; i++) if (children[i] !== undefined) count++
        if (count <= 2) {
          const skip = pos < path.length ? path[pos]! : -1
          for (let i = 0; i < 16; i++) {
            const c = children[i]
            if (i !== skip && c instanceof HashNode) out.push({ parent: node, index: i, hash: c, pos: -1 })
          }
        }
      }
      if (pos === path.length) return
      parent = node
      index = path[pos++]!
      node = children[index]
    }
  }

  private async load(holders: Holder[]): Promise<void> {
    const store = this.store
    if (store === undefined) throw new MissingTrieNodeError(toHex(holders[0]!.hash.ref))
    // Distinct hashes, keyed by the hash nodes' Latin-1 strings (no hex).
    const byHash = new Map<string, TrieNode | undefined>()
    const keys: string[] = []
    const hashes: Uint8Array[] = []
    for (let i = 0; i < holders.length; i++) {
      const hash = holders[i]!.hash
      const id = hash.key
      if (!byHash.has(id)) {
        byHash.set(id, undefined)
        keys.push(id)
        hashes.push(hash.ref)
      }
    }
    const encs = await store.getNodes(hashes)
    for (let i = 0; i < hashes.length; i++) {
      const enc = encs[i]
      if (enc === undefined) throw new MissingTrieNodeError(toHex(hashes[i]!))
      try {
        byHash.set(keys[i]!, decodeNode(enc, hashes[i]!))
      } catch (e) {
        throw new InvalidTrieNodeError(toHex(hashes[i]!), e instanceof Error ? e.message : String(e))
      }
    }
    for (let i = 0; i < holders.length; i++) {
      const h = holders[i]!
      // Another holder of the same slot may already have replaced it.
      if (getChild(h.parent, h.index) !== h.hash) continue
      setChild(h.parent, h.index, byHash.get(h.hash.key)!)
    }
  }
}

/**
 * Creates an Ethereum Merkle Patricia Trie (plain, or secure with keccak'd keys).
 *
 * @example
 * ```ts
 * import { createTrie } from '@appchain/state'
 * const trie = createTrie({ secure: true })
 * await trie.put(new Uint8Array([1]), new Uint8Array([2]))
 * console.log(trie.root())
 * ```
 */
export function createTrie(options: TrieOptions = {}): Trie {
  return new Trie(options)
}

function getChild(parent: Trie | ExtensionNode | BranchNode, index: number): TrieNode | undefined {
  if (parent instanceof Trie) return parent.node
  if (parent instanceof ExtensionNode) return parent.child
  return parent.children[index]
}

function setChild(parent: Trie | ExtensionNode | BranchNode, index: number, node: TrieNode): void {
  // Swapping a hash node for its resolved form changes no hash: the parent's cache stays valid.
  if (parent instanceof Trie) parent.node = node
  else if (parent instanceof ExtensionNode) parent.child = node
  else parent.children[index] = node
}

function collect(
  node: TrieNode,
  isRoot: boolean,
  out: TrieNodeEntry[],
  encodings: Map<TrieNode, Uint8Array>,
  evict: boolean,
): void {
  if (node.stored) return
  const n = node as LeafNode | ExtensionNode | BranchNode
  if (n instanceof LeafNode && n.refLength() === 33) out.push(n.hashAndEncoding())
  else {
    const enc = encodings.get(n) ?? encodeNode(n)
    if (enc.length >= 32) out.push([n.ref!, enc])
    else if (isRoot) out.push([keccak_256(enc), enc])
  }
  n.stored = true
  if (n instanceof ExtensionNode) collect(n.child, false, out, encodings, evict)
  else if (n instanceof BranchNode) {
    const children = n.children
    for (let i = 0; i < 16; i++) {
      const c = children[i]
      if (c === undefined) continue
      collect(c, false, out, encodings, evict)
      // A leaf of 32 bytes or more is stored under its hash: keep just the hash.
      if (evict && c instanceof LeafNode && c.refLength() === 33) children[i] = new HashNode(c.ref!)
    }
  }
}

function equal32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false
  return true
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** path[pos..] starts with prefix */
function startsWith(path: Uint8Array, pos: number, prefix: Uint8Array): boolean {
  if (path.length - pos < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (path[pos + i] !== prefix[i]) return false
  return true
}

function commonPrefix(path: Uint8Array, pos: number, other: Uint8Array): number {
  const n = Math.min(path.length - pos, other.length)
  let i = 0
  while (i < n && path[pos + i] === other[i]) i++
  return i
}

function dirty(node: LeafNode | ExtensionNode | BranchNode): void {
  node.ref = undefined
  node.stored = false
}

/** Unchanged: the same node with its hash still cached. */
function unchanged(before: TrieNode | undefined, after: TrieNode | undefined): boolean {
  if (before !== after) return false
  if (after === undefined) return true
  return after instanceof LeafNode ? after.hashed : after.ref !== undefined
}

function insert(node: TrieNode | undefined, path: Uint8Array, pos: number, value: Uint8Array): TrieNode {
  if (node === undefined) return LeafNode.of(path, value, pos)
  if (node instanceof LeafNode) {
    // Compared and split in place: the leaf's path and value are never decoded.
    const common = node.commonPrefix(path, pos)
    const leafLen = node.pathLength()
    const restLen = path.length - pos
    if (common === leafLen && common === restLen) {
      if (!node.valueEquals(value)) node.replaceValue(value)
      return node
    }
    const branch = new BranchNode()
    if (common === leafLen) {
      branch.value = node.value
    } else {
      branch.children[node.nibbleAt(common)] = node
      node.dropPrefix(common + 1)
    }
    if (common === restLen) branch.value = value
    else branch.children[path[pos + common]!] = LeafNode.of(path, value, pos + common + 1)
    return common > 0 ? new ExtensionNode(path.slice(pos, pos + common), branch) : branch
  }
  if (node instanceof ExtensionNode) {
    const p = node.path
    const common = commonPrefix(path, pos, p)
    if (common === p.length) {
      const child = insert(node.child, path, pos + common, value)
      if (unchanged(node.child, child)) return node
      node.child = child
      dirty(node)
      return node
    }
    const branch = new BranchNode()
    branch.children[p[common]!] =
      common + 1 < p.length ? new ExtensionNode(p.slice(common + 1), node.child) : node.child
    if (pos + common === path.length) branch.value = value
    else branch.children[path[pos + common]!] = LeafNode.of(path, value, pos + common + 1)
    if (common === 0) return branch
    node.path = p.slice(0, common)
    node.child = branch
    dirty(node)
    return node
  }
  if (node instanceof BranchNode) {
    if (pos === path.length) {
      if (node.value !== undefined && equalBytes(node.value, value)) return node
      node.value = value
      dirty(node)
      return node
    }
    const i = path[pos]!
    const c = node.children[i]
    const nc = insert(c, path, pos + 1, value)
    if (unchanged(c, nc)) return node
    node.children[i] = nc
    dirty(node)
    return node
  }
  throw new UnresolvedTrieNodeError()
}

/** The value at path[pos..] below `node` (in memory; the path must be resolved). */
function getFrom(start: TrieNode | undefined, path: Uint8Array, pos: number): Uint8Array | undefined {
  let node = start
  for (;;) {
    if (node === undefined) return undefined
    if (node instanceof LeafNode) return node.pathEquals(path, pos) ? node.value : undefined
    if (node instanceof ExtensionNode) {
      if (!startsWith(path, pos, node.path)) return undefined
      pos += node.path.length
      node = node.child
    } else if (node instanceof BranchNode) {
      if (pos === path.length) return node.value
      node = node.children[path[pos++]!]
    } else {
      throw new UnresolvedTrieNodeError()
    }
  }
}

/** The value to write for batch entry i, given the value there before (the batch runs synchronously). */
type ValueAt = (index: number, old: Uint8Array | undefined) => Uint8Array
let valueAt: ValueAt = () => EMPTY_VALUE
/** Whether `valueAt` reads the old value (else it is not looked up). */
let needsOld = false
const EMPTY_VALUE = new Uint8Array(0)

const depthScratch: Int32Array[] = []
/** Each path's group at the current level of `putChildren` (by index into the batch). */
let groupOf = new Uint8Array(1024)

/**
 * Applies the writes at paths[order[lo..hi)] (order: indices into paths, in write order; values from `valueAt`) below `node`, whose path
 * ends at nibble d. Groups are split by their nibble at each branch (a stable counting sort, so the
 * last write of a path wins); single writes and awkward shapes fall back to `insert`.
 */
function putMany(
  node: TrieNode | undefined,
  paths: Uint8Array[],
  order: Int32Array,
  tmp: Int32Array,
  lo: number,
  hi: number,
  d: number,
): TrieNode {
  if (hi - lo === 1) {
    // The only write below this node: a new or updated leaf is final, hash it now.
    const idx = order[lo]!
    const path = paths[idx]!
    if (node === undefined) return LeafNode.of(path, valueAt(idx, undefined), d, true)
    // A changed leaf is a new object, so the parent sees the change although the leaf is hashed.
    if (node instanceof LeafNode && node.pathEquals(path, d)) {
      const value = valueAt(idx, needsOld ? node.valueFromSlab() : undefined)
      return node.valueEquals(value) ? node : LeafNode.of(path, value, d, true)
    }
    return insert(node, path, d, valueAt(idx, needsOld ? getFrom(node, path, d) : undefined))
  }
  if (node === undefined) return build(paths, order, tmp, lo, hi, d)
  if (node instanceof BranchNode) {
    const changed = putChildren(node, paths, order, tmp, lo, hi, d)
    if (changed) dirty(node)
    return node
  }
  if (node instanceof ExtensionNode) {
    const p = node.path
    let all = true
    for (let k = lo; k < hi && all; k++) all = startsWith(paths[order[k]!]!, d, p)
    if (all) {
      const child = putMany(node.child, paths, order, tmp, lo, hi, d + p.length)
      if (unchanged(node.child, child)) return node
      node.child = child
      dirty(node)
      return node
    }
  }
  if (node instanceof HashNode) throw new UnresolvedTrieNodeError()
  let n: TrieNode = node
  for (let k = lo; k < hi; k++) {
    const idx = order[k]!
    const path = paths[idx]!
    n = insert(n, path, d, valueAt(idx, needsOld ? getFrom(n, path, d) : undefined))
  }
  return n
}

/**
 * Splits order[lo..hi) by the nibble at d (stable) into the branch's children; paths that end at d
 * set the value. Returns whether anything changed.
 */
function putChildren(
  branch: BranchNode,
  paths: Uint8Array[],
  order: Int32Array,
  tmp: Int32Array,
  lo: number,
  hi: number,
  d: number,
): boolean {
  // Group bounds per depth, reused (depth only grows down the recursion): [0, 17) write cursors,
  // [18, 36) group starts. Group 0: paths ending at d; 1 + nibble otherwise.
  let b = depthScratch[d]
  if (b === undefined) {
    b = new Int32Array(36)
    depthScratch[d] = b
  }
  b.fill(0, 0, 17)
  const group = groupOf
  for (let k = lo; k < hi; k++) {
    const idx = order[k]!
    const path = paths[idx]!
    const g = path.length === d ? 0 : 1 + path[d]!
    group[idx] = g // each path is read once per level
    b[g]!++
  }
  b[18] = lo
  for (let i = 0; i < 17; i++) {
    b[19 + i] = b[18 + i]! + b[i]!
    b[i] = b[18 + i]!
  }
  for (let k = lo; k < hi; k++) {
    const idx = order[k]!
    tmp[b[group[idx]!]!++] = idx
  }
  for (let k = lo; k < hi; k++) order[k] = tmp[k]!
  // Group g spans order[b[18 + g] .. b[19 + g]).
  let changed = false
  if (b[19]! > b[18]!) {
    const value = valueAt(order[b[19]! - 1]!, branch.value)
    if (branch.value === undefined || !equalBytes(branch.value, value)) {
      branch.value = value
      changed = true
    }
  }
  const children = branch.children
  for (let i = 0; i < 16; i++) {
    const from = b[19 + i]!
    const to = b[20 + i]!
    if (from === to) continue
    const c = children[i]
    const nc = putMany(c, paths, order, tmp, from, to, d + 1)
    if (unchanged(c, nc)) continue
    children[i] = nc
    changed = true
  }
  return changed
}

/** A new subtree holding the writes at paths[order[lo..hi)] (hi - lo >= 1), built in its final shape. */
function build(paths: Uint8Array[], order: Int32Array, tmp: Int32Array, lo: number, hi: number, d: number): TrieNode {
  const first = paths[order[lo]!]!
  // The longest prefix (from d) shared by every path; `same`: every path equals the first.
  let common = first.length - d
  let same = true
  for (let k = lo + 1; k < hi && (common > 0 || same); k++) {
    const path = paths[order[k]!]!
    const c = commonPrefix(path, d, first.subarray(d, d + common))
    if (c < common) common = c
    if (path.length !== first.length || c < first.length - d) same = false
  }
  if (same) return LeafNode.of(first, valueAt(order[hi - 1]!, undefined), d, true)
  const branch = new BranchNode()
  putChildren(branch, paths, order, tmp, lo, hi, d + common)
  return common > 0 ? new ExtensionNode(first.slice(d, d + common), branch) : branch
}

function concatPath(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/** Merges a node with the path above it (after a branch or extension above it disappeared). */
function prefixNode(prefix: Uint8Array, node: TrieNode): TrieNode {
  if (node instanceof LeafNode || node instanceof ExtensionNode) {
    node.path = concatPath(prefix, node.path)
    dirty(node)
    return node
  }
  if (node instanceof BranchNode) return new ExtensionNode(prefix, node)
  throw new UnresolvedTrieNodeError()
}

function remove(node: TrieNode | undefined, path: Uint8Array, pos: number): TrieNode | undefined {
  if (node === undefined) return undefined
  if (node instanceof LeafNode) return node.pathEquals(path, pos) ? undefined : node
  if (node instanceof ExtensionNode) {
    if (!startsWith(path, pos, node.path)) return node
    const child = remove(node.child, path, pos + node.path.length)
    if (unchanged(node.child, child)) return node
    if (child === undefined) return undefined
    if (child instanceof BranchNode) {
      node.child = child
      dirty(node)
      return node
    }
    return prefixNode(node.path, child)
  }
  if (node instanceof BranchNode) {
    if (pos === path.length) {
      if (node.value === undefined) return node
      node.value = undefined
    } else {
      const i = path[pos]!
      const c = node.children[i]
      if (c === undefined) return node
      const nc = remove(c, path, pos + 1)
      if (unchanged(c, nc)) return node
      node.children[i] = nc
    }
    dirty(node)
    let count = 0
    let last = -1
    for (let i = 0; i < 16; i++) {
      if (node.children[i] !== undefined) {
        count++
        last = i
      }
    }
    if (node.value !== undefined) {
      return count === 0 ? LeafNode.of(new Uint8Array(0), node.value) : node
    }
    if (count === 0) return undefined
    if (count === 1) return prefixNode(Uint8Array.of(last), node.children[last]!)
    return node
  }
  throw new UnresolvedTrieNodeError()
}
