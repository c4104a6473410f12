import type { MessagePort } from 'node:worker_threads'
import {
  type Account,
  type AccountProof,
  type Address,
  type Db,
  type DbOp,
  EMPTY_TRIE_ROOT,
  type Hex,
  hexToBytes,
  KECCAK_EMPTY,
  type StateDb,
} from '@appchain/core'
import { nibbleOf, type SubtrieTop } from './accountShard.js'
import { MissingTrieNodeError, OpenCheckpointError } from './errors.js'
import { fromHexInto, toHex } from './hex.js'
import { keccak256, keccakReady } from './keccak.js'
import { codeKey } from './keys.js'
import { BranchNode, decodeNode } from './node.js'
import { nodeKey } from './nodeStore.js'
import { OverlayStateDb } from './overlayStateDb.js'
import { ChangesWriter } from './packedChanges.js'
import { rootOfSubtries, subtrieTops } from './rootNode.js'
import { shardFlushOps } from './shardFlushOps.js'
import { inThreadShards, type ShardHandle } from './shardHost.js'
import { createStateDb, type MptStateDb } from './stateDb.js'
import { checkAddress, checkWord, ZERO_WORD } from './words.js'

export interface ShardedStateDbConfig {
  /** Where flat state and trie nodes live (the same key layout as `createStateDb`'s). */
  db: Db
  /**
   * How many shards hold the accounts (by the first nibble of keccak(address), in contiguous ranges). 0 (the
   * default): one shard in the caller's thread.
   */
  shards?: number | undefined
  /**
   * Where the shards run: `'worker'` (the default for `shards` ≥ 1: one worker thread each, reading the Db
   * through the caller) or `'inThread'` (plain objects in the caller's thread: deterministic, for tests).
   */
  host?: 'worker' | 'inThread' | undefined
  /**
   * Shards served by threads the caller owns (instead of `shards`/`host`): each port's other end was handed to
   * a thread that called `serveShard(port, { nibbles })` (e.g. with `shardNibbles(i, ports.length)`); together
   * they must own each of the 16 nibbles exactly once (else `ShardNibblesError`). `close()` closes the ports and
   * leaves the threads running.
   */
  ports?: readonly MessagePort[] | undefined
  /** The root the Db was last flushed at (the caller keeps it in its block header). Default: the empty state. */
  root?: Hex | undefined
}

/** `createShardedStateDb`'s state: a `StateDb` whose shards stop on `close()`. */
export interface ShardedStateDb extends StateDb {
  getAccounts(addresses: readonly Address[]): Promise<(Account | undefined)[]>
  putAccounts(addresses: readonly Address[], accounts: readonly (Account | undefined)[]): Promise<void>
  getStorageMany(address: Address, slots: readonly Hex[]): Promise<Hex[]>
  putStorageMany(address: Address, entries: readonly (readonly [slot: Hex, value: Hex])[]): Promise<void>
  /**
   * Writes accounts (and storage words) that their owning shards already hold: a thread serving a shard
   * (`serveShard`) wrote them there itself (`AccountShard`'s writes, then `applyRoot()`) after this state's last
   * root. Reads, checkpoints and reverts see them as any write; the next root sends each shard only what differs
   * from them (so none of these, unless written or reverted since). Each address must be that shard's, and the
   * values exactly what it wrote: the shard does not check them again.
   */
  adoptShardWrites(
    addresses: readonly Address[],
    accounts: readonly Account[],
    storage?: readonly (readonly [address: Address, entries: readonly (readonly [slot: Hex, value: Hex])[]])[],
  ): Promise<void>
  /** The number of shards. */
  readonly shardCount: number
  /** A read view at a past flushed root, through `createStateDb`'s tries over the same Db (see `MptStateDb.at`). */
  at(root: Hex): Promise<MptStateDb | undefined>
  /** Stops the shards (workers it started exit; with `ports`, the ports close); the state is unusable afterwards. */
  close(): Promise<void>
}

class ShardedStateDbImpl extends OverlayStateDb implements ShardedStateDb {
  // The overlay since the last flush and the checkpoint journal are OverlayStateDb's; the shards hold the rest.
  /** The last flush's code (perhaps not yet written to the Db). */
  private flushedCodes = new Map<Hex, Uint8Array>()
  private rootEncoding: Uint8Array | undefined
  /** Whether the root is a branch (two or more non-empty subtries), else the one subtrie's top re-encoded. */
  private rootIsBranch = false
  private readonly shardOfNibble: ShardHandle[] = new Array(16)
  private nibbleCache = new Map<Address, number>()
  private closed = false
  /** Since the last root: what the shards themselves wrote (`adoptShardWrites`), as they hold it. */
  private shardHeld = new Map<Address, Account>()
  private shardHeldSlots = new Map<Address, Map<Hex, Hex>>()

  constructor(
    private readonly db: Db,
    private readonly shards: ShardHandle[],
  ) {
    super()
    for (const shard of shards) for (const n of shard.nibbles) this.shardOfNibble[n] = shard
  }

  get shardCount(): number {
    return this.shards.length
  }

  async open(root: Hex): Promise<void> {
    const rootBytes = hexToBytes(root)
    let tops: SubtrieTop[] = []
    let encoding: Uint8Array | undefined
    if (root !== EMPTY_TRIE_ROOT) {
      encoding = await this.db.get(nodeKey(rootBytes))
      if (encoding === undefined) throw new MissingTrieNodeError(root)
      tops = subtrieTops(encoding, rootBytes)
    }
    await Promise.all(this.shards.map((s) => s.open(tops)))
    this.rootCache = rootBytes
    this.rootEncoding = encoding
    this.rootIsBranch = tops.filter((t) => t !== undefined).length >= 2
  }

  private nibble(a: Address): number {
    let n = this.nibbleCache.get(a)
    if (n === undefined) {
      n = nibbleOf(a)
      // A bounded memo: a block's accounts are read, written and rooted a few times each.
      if (this.nibbleCache.size >= 1 << 20) this.nibbleCache = new Map()
      this.nibbleCache.set(a, n)
    }
    return n
  }

  private shardOf(a: Address): ShardHandle {
    return this.shardOfNibble[this.nibble(a)]!
  }

  /** Groups indexes of `addresses` by owning shard. */
  private group(addresses: readonly Address[]): Map<ShardHandle, number[]> {
    const groups = new Map<ShardHandle, number[]>()
    for (let i = 0; i < addresses.length; i++) {
      const shard = this.shardOf(addresses[i]!)
      let g = groups.get(shard)
      if (g === undefined) {
        g = []
        groups.set(shard, g)
      }
      g.push(i)
    }
    return groups
  }

  private async flushedRecords(addresses: readonly Address[]): Promise<(Uint8Array | undefined)[]> {
    const out: (Uint8Array | undefined)[] = new Array(addresses.length)
    await Promise.all(
      [...this.group(addresses)].map(async ([shard, idx]) => {
        const records = await shard.readAccounts(idx.map((i) => addresses[i]!))
        for (let j = 0; j < idx.length; j++) out[idx[j]!] = records[j]
      }),
    )
    return out
  }

  // ---- the flushed state, under the overlay: the owning shards ----

  protected async baseAccount(a: Address): Promise<Uint8Array | undefined> {
    await keccakReady()
    const [record] = await this.shardOf(a).readAccounts([a])
    return record
  }

  protected async baseAccounts(as: Address[]): Promise<(Uint8Array | undefined)[]> {
    await keccakReady()
    return this.flushedRecords(as)
  }

  protected async baseStorage(a: Address, slot: Hex): Promise<Uint8Array | undefined> {
    await keccakReady()
    const [value] = await this.shardOf(a).readStorage(a, [slot])
    return value
  }

  protected async baseStorageMany(a: Address, slots: Hex[]): Promise<(Uint8Array | undefined)[]> {
    await keccakReady()
    return this.shardOf(a).readStorage(a, slots)
  }

  protected async baseCode(codeHash: Hex): Promise<Uint8Array | undefined> {
    return this.flushedCodes.get(codeHash) ?? (await this.db.get(codeKey(codeHash)))
  }

  async adoptShardWrites(
    addresses: readonly Address[],
    accounts: readonly Account[],
    storage: readonly (readonly [address: Address, entries: readonly (readonly [slot: Hex, value: Hex])[]])[] = [],
  ): Promise<void> {
    // Every account is checked before anything is written (as putAccounts); the overlay's value is what the
    // root compares against. A shard's own writes are accounts, never deletes.
    const { as, values } = this.checkedAccounts('adoptShardWrites', addresses, accounts)
    if (values.includes(null)) throw new TypeError('adoptShardWrites: every account must be an object')
    const held = this.shardHeld
    for (let i = 0; i < as.length; i++) {
      this.setAccount(as[i]!, values[i]!)
      held.set(as[i]!, values[i]!)
    }
    for (const [address, entries] of storage) {
      if (entries.length === 0) continue
      await this.putStorageMany(address, entries)
      const a = checkAddress(address)
      if (!held.has(a)) {
        // Only its storage came from the shard: the account is the shard's as of the last root unless the caller
        // wrote it since (then the whole account goes to the shard at the root, as any write).
        if (this.touchedAccounts.has(a)) continue
        const account = await this.getAccount(a)
        if (account === undefined) continue
        held.set(a, account)
      }
      let slots = this.shardHeldSlots.get(a)
      if (slots === undefined) {
        slots = new Map()
        this.shardHeldSlots.set(a, slots)
      }
      const now = this.storages.get(a)!.slots
      for (const [slot] of entries) {
        const s = checkWord(slot, 'slot')
        slots.set(s, now.get(s)!)
      }
    }
  }

  /** Whether the shard of `a` holds the overlay's account and touched slots already (`adoptShardWrites`). */
  private heldByShard(a: Address): boolean {
    const held = this.shardHeld.get(a)
    if (held === undefined || (this.rebuild.size > 0 && this.rebuild.has(a))) return false
    const now = this.accounts.get(a)
    // No overlay value: unchanged since the last root unless a revert took the write back.
    if (now === undefined ? this.touchedAccounts.has(a) : now !== held && (now === null || !sameAccount(now, held)))
      return false
    const touched = this.touchedSlots.size > 0 ? this.touchedSlots.get(a) : undefined
    if (touched === undefined) return true
    const heldSlots = this.shardHeldSlots.get(a)
    if (heldSlots === undefined) return false
    const slots = this.storages.get(a)?.slots
    for (const s of touched) {
      const word = slots?.get(s)
      if (word === undefined || word !== heldSlots.get(s)) return false
    }
    return true
  }

  // ---- commitment ----

  /** Sends each shard its accounts' changes since the last root (one batch per shard), then hashes the root. */
  protected async rootBytes(): Promise<Uint8Array> {
    if (this.rootCache !== undefined) return this.rootCache
    await keccakReady()
    const addresses = this.changedAccounts()
    // Each shard's changes written straight into its buffer (no change objects on this thread).
    const writers = new Map<ShardHandle, ChangesWriter>()
    for (const shard of this.shards) writers.set(shard, new ChangesWriter())
    const addressBytes = new Uint8Array(20)
    const held = this.shardHeld.size > 0
    for (const a of addresses) {
      // What a shard wrote itself, unchanged since: it holds it already.
      if (held && this.heldByShard(a)) continue
      // keccak(address) routes the change and travels with it (the shard does not hash it again).
      fromHexInto(a, addressBytes, 0)
      const hash = keccak256(addressBytes)
      const w = writers.get(this.shardOfNibble[hash[0]! >> 4]!)!
      const entry = this.storages.get(a)
      const slots = this.touchedSlots.get(a)
      const rebuild = this.rebuild.has(a)
        ? entry === undefined
          ? null
          : { cleared: entry.cleared, count: entry.slots.size }
        : undefined
      w.begin(a, hash, this.accounts.get(a), rebuild, slots !== undefined)
      if (rebuild) for (const [s, word] of entry!.slots) w.rebuildSlot(s, word)
      if (slots !== undefined) {
        w.touched(slots.size)
        for (const s of slots) w.touchedSlot(s, entry?.slots.get(s) ?? (entry?.cleared ? ZERO_WORD : undefined))
      }
    }
    // Every shard answers its subtries' refs (untouched ones too: a shard may have been reopened).
    const results = await Promise.all(this.shards.map((s) => s.applyRoot(writers.get(s)!.finish())))
    const refs: (Uint8Array | undefined)[] = new Array(16).fill(undefined)
    for (const roots of results) for (const { nibble, ref } of roots) refs[nibble] = ref
    const { root, encoding } = await rootOfSubtries(refs, (n) => this.shardOfNibble[n]!.topNode(n))
    this.rootIsBranch = refs.filter((r) => r !== undefined).length >= 2
    this.touchedAccounts.clear()
    this.touchedSlots.clear()
    this.rebuild.clear()
    this.shardHeld.clear()
    this.shardHeldSlots.clear()
    this.rootEncoding = encoding
    this.rootCache = root
    return root
  }

  async storageRoot(address: Address): Promise<Hex> {
    const a = checkAddress(address)
    await this.rootBytes()
    return toHex(await this.shardOf(a).storageRoot(a))
  }

  async flush(): Promise<{ root: Hex; ops: DbOp[] }> {
    if (this.checkpoints.length > 0) throw new OpenCheckpointError(this.checkpoints.length)
    const root = await this.rootBytes()
    const packed = await Promise.all(this.shards.map((s) => s.commit()))
    const ops = await shardFlushOps({ db: this.db, packed, root, rootEncoding: this.rootEncoding, codes: this.codes })
    this.flushedCodes = this.codes
    this.clearOverlay()
    return { root: toHex(root), ops }
  }

  // ---- proofs and views ----

  async getProof(address: Address, slots: Hex[]): Promise<AccountProof> {
    const a = checkAddress(address)
    const words = slots.map((s) => checkWord(s, 'slot'))
    await this.rootBytes()
    const sp = await this.shardOf(a).proof(a, words)
    let nodes: Uint8Array[] = []
    const rootEnc = this.rootEncoding
    if (rootEnc !== undefined) {
      if (sp.accountProof.length === 0) nodes = [rootEnc]
      else if (this.rootIsBranch || decodeNode(sp.accountProof[0]!, undefined) instanceof BranchNode)
        nodes = [rootEnc, ...sp.accountProof]
      // The root is the subtrie's top leaf or extension with the nibble prepended: it replaces that node.
      else nodes = [rootEnc, ...sp.accountProof.slice(1)]
    }
    const account = await this.getAccount(a)
    const storageProof: AccountProof['storageProof'] = []
    for (let i = 0; i < words.length; i++) {
      storageProof.push({
        key: slots[i]!,
        value: BigInt(await this.getStorage(a, words[i]!)),
        proof: sp.storageProofs[i]!.map((b) => toHex(b)),
      })
    }
    return {
      address,
      accountProof: nodes.map((b) => toHex(b)),
      balance: account?.balance ?? 0n,
      codeHash: account?.codeHash ?? KECCAK_EMPTY,
      nonce: account?.nonce ?? 0n,
      storageHash: toHex(sp.storageHash),
      storageProof,
    }
  }

  async at(root: Hex): Promise<MptStateDb | undefined> {
    return createStateDb({ db: this.db }).at(root)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all(this.shards.map((s) => s.close()))
  }
}

const sameAccount = (x: Account, y: Account): boolean =>
  x.nonce === y.nonce && x.balance === y.balance && x.codeHash === y.codeHash

/**
 * Creates the world state with its accounts held by shards (by the first nibble of keccak(address)): each
 * shard keeps its account subtries, storage tries and flat records resident across blocks, so a block's state
 * root and flush are hashed in the shards' threads; the caller's side keeps only the writes since the last
 * flush and the checkpoint journal, and hashes the root branch over the shards' subtries. Same roots, proofs,
 * errors and Db key layout as `createStateDb` (a Db written by one opens in the other). Reads not in the
 * overlay go to the owning shard; `at(root)` reads a flushed root through `createStateDb`'s tries over the
 * same Db (its ops must be written). Call `close()` to stop the workers.
 *
 * @example
 * ```ts
 * import { KECCAK_EMPTY, memoryDb } from '@appchain/core'
 * import { createShardedStateDb } from '@appchain/state'
 * const db = memoryDb()
 * const state = await createShardedStateDb({ db, shards: 2 })
 * await state.putAccount('0x00000000000000000000000000000000000000aa', { nonce: 0n, balance: 10n, codeHash: KECCAK_EMPTY })
 * const { root, ops } = await state.flush()
 * await db.batch(ops)
 * await state.close()
 * ```
 */
export async function createShardedStateDb(config: ShardedStateDbConfig): Promise<ShardedStateDb> {
  if (typeof config !== 'object' || config === null || typeof config.db?.get !== 'function')
    throw new TypeError('createShardedStateDb needs { db }')
  const ports = config.ports
  if (ports !== undefined) {
    if (config.shards !== undefined || config.host !== undefined)
      throw new TypeError('createShardedStateDb takes either ports or shards/host, not both')
    if (!Array.isArray(ports) || ports.length < 1 || ports.length > 16)
      throw new RangeError(
        `ports must be 1 to 16 MessagePorts, got ${String(Array.isArray(ports) ? ports.length : ports)}`,
      )
    for (const port of ports)
      if (typeof port?.postMessage !== 'function' || typeof port.on !== 'function')
        throw new TypeError('ports must be MessagePorts')
  }
  const count = config.shards ?? 0
  if (!Number.isInteger(count) || count < 0 || count > 16)
    throw new RangeError(`shards must be an integer from 0 to 16, got ${String(config.shards)}`)
  const host = config.host ?? (count === 0 ? 'inThread' : 'worker')
  if (host !== 'worker' && host !== 'inThread') throw new TypeError(`Invalid host: ${String(config.host)}`)
  const root = config.root === undefined ? EMPTY_TRIE_ROOT : (config.root.toLowerCase() as Hex)
  if (!/^0x[0-9a-f]{64}$/.test(root)) throw new TypeError(`Invalid root: ${String(config.root)}`)
  await keccakReady()
  const n = Math.max(count, 1)
  const shards =
    ports !== undefined
      ? await (await import('./portShards.js')).portShards(config.db, ports)
      : host === 'inThread'
        ? inThreadShards(config.db, n)
        : (await import('./workerShards.js')).workerShards(config.db, n)
  const state = new ShardedStateDbImpl(config.db, shards)
  try {
    await state.open(root)
  } catch (e) {
    await state.close()
    throw e
  }
  return state
}
