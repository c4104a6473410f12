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
import { type AccountRecord, decodeAccount, encodeAccountKeeping, encodeAccountWith, storageRootOf } from './account.js'
import { allocBytes } from './allocBytes.js'
import { OpenCheckpointError, ReadOnlyStateError } from './errors.js'
import { fromHex, fromHexInto, toHex } from './hex.js'
import { keccak256 as keccak_256, keccak256Into, keccakReady } from './keccak.js'
import { accountKey, codeKey, META_ROOT_KEY, prefixEnd, storageKey, storageKeysAt, storagePrefix } from './keys.js'
import { fromLatin1, latin1 } from './latin1.js'
import { bytesToNibbles } from './node.js'
import { dbNodeStore, type NodeStore, nodeKey } from './nodeStore.js'
import { OverlayStateDb } from './overlayStateDb.js'
import { Trie, type TrieNodeEntry } from './trie.js'
import { checkAddress, checkWord, encodeStorageValue, stripWord, ZERO_WORD } from './words.js'

export interface StateDbConfig {
  /** Where flat state and trie nodes live (the same Db the chain writes its blocks to). */
  db: Db
  /**
   * The root the flat state in `db` was last flushed at (the caller keeps it in its block header).
   * Default: the empty state. `openStateDb` reads it from the Db and checks it.
   */
  root?: Hex | undefined
  /**
   * After each flush, replace trie leaves by their hashes and reload them from the Db (one batched
   * read per trie level) when a block touches them, so memory holds only the branches. Default false:
   * measured on LevelDB, the extra reads cost more RSS (native buffers) than the leaves they free,
   * since leaves are already held as compact strings.
   */
  evictLeaves?: boolean | undefined
}

/** `@appchain/state`'s `StateDb`: `at(root)` is always there. */
export interface MptStateDb extends StateDb {
  /**
   * A state at a past flushed root, read through its tries (undefined if the Db does not hold that
   * root). Writes, checkpoints and `root()` work in memory (for `eth_call` at past blocks); `flush`
   * throws `ReadOnlyStateError`.
   */
  at(root: Hex): Promise<MptStateDb | undefined>
}

const pathOfAddress = (a: Address) => bytesToNibbles(keccak_256(fromHex(a)))

const addressScratch = new Uint8Array(20)
const slotScratch = new Uint8Array(32)
const hashScratch = new Uint8Array(32)
/** keccak(address or 32-byte slot) as 64 nibbles written into out at off; returns them (a view). */
function hashedPathInto(key: Address | Hex, out: Uint8Array, off: number): Uint8Array {
  const scratch = key.length === 42 ? addressScratch : slotScratch
  fromHexInto(key, scratch, 0)
  const h = hashScratch
  keccak256Into(scratch, 0, scratch.length, h, 0)
  for (let i = 0; i < 32; i++) {
    out[off + 2 * i] = h[i]! >> 4
    out[off + 2 * i + 1] = h[i]! & 0x0f
  }
  return out.subarray(off, off + 64)
}
const pathOfSlot = (slot: Hex) => bytesToNibbles(keccak_256(fromHex(slot)))

/** Where the base state (as of the last flush, or of a past root) is read from. */
interface BaseReader {
  account(a: Address): Promise<Uint8Array | undefined>
  /** `account` for many (checked, lower-case) addresses, in order. */
  accounts(as: Address[]): Promise<(Uint8Array | undefined)[]>
  storage(a: Address, slot: Hex): Promise<Uint8Array | undefined>
  /** `storage` for many (checked) slots of one account, in order. */
  storageMany(a: Address, slots: Hex[]): Promise<(Uint8Array | undefined)[]>
  code(codeHash: Hex): Promise<Uint8Array | undefined>
}

/** Shared by a state and its views: the Db plus what the last flush returned (maybe not yet written). */
class Backing {
  /** The last flush's flat storage and code ops by key (as a Latin-1 string: native, no hex), null for deletes. */
  pending = new Map<string, Uint8Array | null>()
  /** The last flush's account records by (checked, lower-case) address, null for deletes: no key to build per read. */
  pendingAccounts = new Map<Address, Uint8Array | null>()
  /** The trie nodes of the last flush, indexed by hash on first use (tries in memory rarely load). */
  private nodes: TrieNodeEntry[] = []
  private nodesByHash: Map<Hex, Uint8Array> | undefined = new Map()
  readonly store: NodeStore
  constructor(readonly db: Db) {
    this.store = dbNodeStore(db, () => this.pendingNodes())
  }
  setPendingNodes(nodes: TrieNodeEntry[]): void {
    this.nodes = nodes
    this.nodesByHash = undefined
  }
  pendingNodes(): Map<Hex, Uint8Array> {
    if (this.nodesByHash === undefined) {
      this.nodesByHash = new Map()
      for (const [hash, enc] of this.nodes) this.nodesByHash.set(toHex(hash), enc)
    }
    return this.nodesByHash
  }
  async read(key: Uint8Array): Promise<Uint8Array | undefined> {
    const p = this.pending.get(latin1(key))
    if (p !== undefined) return p ?? undefined
    return this.db.get(key)
  }
  /** An account record: the last flush's, else the Db's. */
  async account(a: Address): Promise<Uint8Array | undefined> {
    const p = this.pendingAccounts.get(a)
    if (p !== undefined) return p ?? undefined
    return this.db.get(accountKey(a))
  }
  /** `account` for many addresses: the last flush's records first, then one `getMany` for the rest. */
  async accounts(as: readonly Address[]): Promise<(Uint8Array | undefined)[]> {
    const out: (Uint8Array | undefined)[] = new Array(as.length)
    const missing: number[] = []
    const keys: Uint8Array[] = []
    const pending = this.pendingAccounts
    for (let i = 0; i < as.length; i++) {
      const p = pending.size === 0 ? undefined : pending.get(as[i]!)
      if (p !== undefined) out[i] = p ?? undefined
      else {
        missing.push(i)
        keys.push(accountKey(as[i]!))
      }
    }
    if (keys.length > 0) {
      const values = await this.db.getMany(keys)
      for (let j = 0; j < missing.length; j++) out[missing[j]!] = values[j]
    }
    return out
  }
  /** `read` for many keys: the last flush's ops first, then one `getMany` for the rest. */
  async readMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const out: (Uint8Array | undefined)[] = new Array(keys.length)
    const missing: number[] = []
    const pending = this.pending
    for (let i = 0; i < keys.length; i++) {
      const p = pending.size === 0 ? undefined : pending.get(latin1(keys[i]!))
      if (p === undefined) missing.push(i)
      else out[i] = p ?? undefined
    }
    if (missing.length > 0) {
      const values = await this.db.getMany(missing.length === keys.length ? keys : missing.map((i) => keys[i]!))
      for (let j = 0; j < missing.length; j++) out[missing[j]!] = values[j]
    }
    return out
  }
}

/** Reads the flat key-value state: no trie walk. */
function flatReader(backing: Backing): BaseReader {
  return {
    account: (a) => backing.account(a),
    accounts: (as) => backing.accounts(as),
    storage: (a, slot) => backing.read(storageKey(a, slot)),
    storageMany: (a, slots) => {
      // The prefix and address once, each slot's bytes written straight into its key.
      const prefix = storagePrefix(a)
      return backing.readMany(storageKeysAt(prefix, slots))
    },
    code: (h) => backing.read(codeKey(h)),
  }
}

/** Reads a past root through its tries (the flat state only holds the latest root). */
function trieReader(backing: Backing, root: Hex): BaseReader {
  const accounts = new Trie({ root, store: backing.store })
  const storages = new Map<Address, Trie>()
  const record = async (a: Address) => {
    const path = pathOfAddress(a)
    await accounts.resolvePaths([path], false)
    return accounts.getPath(path)
  }
  const storageTrie = async (a: Address) => {
    let trie = storages.get(a)
    if (trie === undefined) {
      trie = new Trie({ root: storageRootOf(await record(a)), store: backing.store })
      storages.set(a, trie)
    }
    return trie
  }
  return {
    account: record,
    async accounts(as) {
      const paths = as.map(pathOfAddress)
      await accounts.resolvePaths(paths, false)
      return paths.map((p) => accounts.getPath(p))
    },
    async storage(a, slot) {
      const trie = await storageTrie(a)
      const path = pathOfSlot(slot)
      await trie.resolvePaths([path], false)
      const v = trie.getPath(path)
      return v === undefined ? undefined : decodeStorageValue(v)
    },
    async storageMany(a, slots) {
      const trie = await storageTrie(a)
      const paths = slots.map(pathOfSlot)
      await trie.resolvePaths(paths, false)
      return paths.map((p) => {
        const v = trie.getPath(p)
        return v === undefined ? undefined : decodeStorageValue(v)
      })
    },
    code: (h) => backing.read(codeKey(h)),
  }
}

/** Storage trie values are rlp(value without leading zeros); the flat store keeps the bare bytes. */
function decodeStorageValue(rlp: Uint8Array): Uint8Array {
  if (rlp.length === 1 && rlp[0]! < 0x80) return rlp
  return rlp.subarray(1)
}

/** Account records of one root(): `records[i]` is the record of `addresses[i]` (null: deleted). */
interface RecordChunk {
  addresses: Address[]
  records: (Uint8Array | null | undefined)[]
}

class StateDbImpl extends OverlayStateDb implements MptStateDb {
  // Account records root() computed since the last flush (null: deleted): one chunk per root(), as the lists that
  // root() builds anyway (no hash table grown per account); a later chunk wins. Indexed only when read by address.
  private recordChunks: RecordChunk[] = []
  private recordIndex = new Map<Address, Uint8Array | null>()
  private recordsIndexed = 0
  // Storage tries as of the last root(), by address.
  private storageTries = new Map<Address, Trie>()
  private readonly accountTrie: Trie
  private readonly evict: boolean

  constructor(
    private readonly backing: Backing,
    private readonly base: BaseReader,
    root: Hex,
    /** Set for a view of a past root: it computes roots but cannot flush. */
    private readonly viewOf: Hex | undefined,
    evictLeaves: boolean,
  ) {
    super()
    this.evict = viewOf === undefined && evictLeaves
    this.accountTrie = new Trie({ root, store: backing.store, evictLeaves: this.evict })
  }

  // ---- the flushed state, under the overlay ----

  protected baseAccount(a: Address): Promise<Uint8Array | undefined> {
    return this.base.account(a)
  }

  protected baseAccounts(as: Address[]): Promise<(Uint8Array | undefined)[]> {
    return this.base.accounts(as)
  }

  protected baseStorage(a: Address, slot: Hex): Promise<Uint8Array | undefined> {
    return this.base.storage(a, slot)
  }

  protected baseStorageMany(a: Address, slots: Hex[]): Promise<(Uint8Array | undefined)[]> {
    return this.base.storageMany(a, slots)
  }

  protected baseCode(codeHash: Hex): Promise<Uint8Array | undefined> {
    return this.base.code(codeHash)
  }

  // ---- commitment ----

  protected async rootBytes(): Promise<Uint8Array> {
    if (this.rootCache !== undefined) return this.rootCache
    await keccakReady()
    const addresses = this.changedAccounts()
    // Hashed paths of every touched account, as views into one array.
    const list = [...addresses]
    const n = list.length
    const nibbles = new Uint8Array(n * 64)
    const paths: Uint8Array[] = new Array(n)
    for (let i = 0; i < n; i++) paths[i] = hashedPathInto(list[i]!, nibbles, i * 64)
    const accountTrie = this.accountTrie
    // The account leaves as of the last root() give the storage roots of untouched storage, no Db read.
    await accountTrie.resolvePaths(paths, false)
    let pathOf: Map<Address, Uint8Array> | undefined
    const leafStorageRoot = (a: Address) => {
      if (pathOf === undefined) {
        pathOf = new Map()
        for (let i = 0; i < n; i++) pathOf.set(list[i]!, paths[i]!)
      }
      return storageRootOf(accountTrie.getPath(pathOf.get(a)!))
    }

    // Storage tries first: account leaves commit to their roots.
    for (const a of this.rebuild) {
      const entry = this.storages.get(a)
      // Overlay entries hold every change since the last flush: rebuild on the flushed (base) root.
      const base = entry?.cleared ? undefined : storageRootOf(await this.base.account(a))
      const trie = new Trie({ root: base, store: this.backing.store, evictLeaves: this.evict })
      await this.applySlots(trie, a, entry ? [...entry.slots.keys()] : [])
      this.storageTries.set(a, trie)
    }
    for (const [a, slots] of this.touchedSlots) {
      let trie = this.storageTries.get(a)
      if (trie === undefined) {
        trie = new Trie({ root: leafStorageRoot(a), store: this.backing.store, evictLeaves: this.evict })
        this.storageTries.set(a, trie)
      }
      // After a rebuild this re-reads slots reverted after a clear (no longer in the entry).
      await this.applySlots(trie, a, [...slots])
    }

    // Account records: the storage root is the open storage trie's, else the one in the account's
    // current leaf, read in the same walk as the write (updatePaths).
    // One pass for the accounts (and storage roots when storage changed); without deletes (the usual block) the
    // paths and addresses are the lists above as they are, no filtered copies.
    const accounts: (Account | undefined)[] = new Array(n)
    const storageTries = this.storageTries
    const roots: (Uint8Array | undefined)[] | undefined = storageTries.size === 0 ? undefined : new Array(n)
    let deleted = 0
    for (let i = 0; i < n; i++) {
      const a = list[i]!
      const o = this.accounts.get(a)
      const account = o === null ? undefined : (o ?? (await this.getAccount(a)))
      accounts[i] = account
      if (account === undefined) deleted++
      else if (roots !== undefined) roots[i] = storageTries.get(a)?.rootHash()
    }
    let putPaths = paths
    let putAddresses = list
    let putAccounts = accounts as Account[]
    let putStorageRoots = roots
    const dels: Uint8Array[] = []
    const delAddresses: Address[] = []
    if (deleted > 0) {
      putPaths = []
      putAddresses = []
      putAccounts = []
      putStorageRoots = roots === undefined ? undefined : []
      for (let i = 0; i < n; i++) {
        const account = accounts[i]
        if (account === undefined) {
          delAddresses.push(list[i]!)
          dels.push(paths[i]!)
          continue
        }
        putPaths.push(paths[i]!)
        putAccounts.push(account)
        putAddresses.push(list[i]!)
        putStorageRoots?.push(roots![i])
      }
    }
    const putRecords: (Uint8Array | undefined)[] = new Array(putPaths.length)
    accountTrie.updatePaths(putPaths, (j, old) => {
      const root = putStorageRoots?.[j]
      const record =
        root === undefined
          ? encodeAccountKeeping(putAccounts[j]!, old, allocBytes)
          : encodeAccountWith(putAccounts[j]!, root, allocBytes)
      putRecords[j] = record
      return record
    })
    await accountTrie.applyPaths([], dels)
    if (putAddresses.length > 0) this.recordChunks.push({ addresses: putAddresses, records: putRecords })
    if (delAddresses.length > 0)
      this.recordChunks.push({ addresses: delAddresses, records: delAddresses.map(() => null) })
    this.touchedAccounts.clear()
    this.touchedSlots.clear()
    this.rebuild.clear()
    this.rootCache = accountTrie.rootHash()
    return this.rootCache
  }

  private async applySlots(trie: Trie, a: Address, slots: Hex[]): Promise<void> {
    const puts: [Uint8Array, Uint8Array][] = []
    const dels: Uint8Array[] = []
    const entry = this.storages.get(a)
    const nibbles = new Uint8Array(slots.length * 64)
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!
      // The block's own value when it has one (no await); else the base value.
      const word = entry?.slots.get(s) ?? (entry?.cleared ? ZERO_WORD : await this.getStorage(a, s))
      const v = stripWord(word)
      const path = hashedPathInto(s, nibbles, i * 64)
      if (v.length === 0) dels.push(path)
      else puts.push([path, encodeStorageValue(v)])
    }
    await trie.applyPaths(puts, dels)
  }

  async storageRoot(address: Address): Promise<Hex> {
    const a = checkAddress(address)
    await this.rootBytes()
    const records = this.indexedRecords()
    const record = records.has(a) ? records.get(a) : await this.base.account(a)
    return record == null ? EMPTY_TRIE_ROOT : decodeAccount(record).storageRoot
  }

  /** The records of every root() since the last flush by address, the latest for each. */
  private indexedRecords(): Map<Address, Uint8Array | null> {
    const chunks = this.recordChunks
    for (; this.recordsIndexed < chunks.length; this.recordsIndexed++) {
      const { addresses, records } = chunks[this.recordsIndexed]!
      for (let i = 0; i < addresses.length; i++) {
        const record = records[i]
        if (record !== undefined) this.recordIndex.set(addresses[i]!, record)
      }
    }
    return this.recordIndex
  }

  async flush(): Promise<{ root: Hex; ops: DbOp[] }> {
    if (this.viewOf !== undefined) throw new ReadOnlyStateError('flush', this.viewOf)
    if (this.checkpoints.length > 0) throw new OpenCheckpointError(this.checkpoints.length)
    const root = await this.rootBytes()
    const ops: DbOp[] = []
    const backing = this.backing

    for (const [a, entry] of this.storages) {
      if (entry.cleared) {
        // Delete every stored slot of the account: those in the Db and those of a flush not yet written.
        const prefix = storagePrefix(a)
        const dead = new Map<string, Uint8Array>()
        for await (const [key] of backing.db.iterator({ gte: prefix, lt: prefixEnd(prefix) }))
          dead.set(latin1(key), key)
        const prefixId = latin1(prefix)
        for (const [k, v] of backing.pending)
          if (v !== null && k.startsWith(prefixId)) dead.set(k, fromLatin1(k, 0, k.length))
        for (const key of dead.values()) if (!entry.slots.has(toHex(key.subarray(22)))) ops.push({ type: 'del', key })
      }
      for (const [slot, value] of entry.slots) {
        const v = stripWord(value)
        const key = storageKey(a, slot)
        ops.push(v.length === 0 ? { type: 'del', key } : { type: 'put', key, value: v.slice() })
      }
    }
    // The flat ops, readable until the next flush: storage and code by Latin-1 key, accounts by address (nodes go to
    // their own overlay, by hash).
    const pending = new Map<string, Uint8Array | null>()
    for (const op of ops) pending.set(latin1(op.key), op.type === 'put' ? op.value : null)
    const pendingAccounts = new Map<Address, Uint8Array | null>()
    const putRecord = (a: Address, record: Uint8Array | null) => {
      const key = accountKey(a)
      ops.push(record === null ? { type: 'del', key } : { type: 'put', key, value: record })
      pendingAccounts.set(a, record)
    }
    // One root() since the last flush (a block): its lists as they are; several: the latest record of each account.
    const chunks = this.recordChunks
    if (chunks.length === 1) {
      const { addresses, records } = chunks[0]!
      for (let i = 0; i < addresses.length; i++) if (records[i] !== undefined) putRecord(addresses[i]!, records[i]!)
    } else if (chunks.length > 1) for (const [a, record] of this.indexedRecords()) putRecord(a, record)
    for (const [h, code] of this.codes) {
      const op: DbOp = { type: 'put', key: codeKey(h), value: code }
      ops.push(op)
      pending.set(latin1(op.key), code)
    }

    const nodes = this.accountTrie.commit()
    for (const trie of this.storageTries.values()) for (const n of trie.commit()) nodes.push(n)
    for (const [hash, enc] of nodes) ops.push({ type: 'put', key: nodeKey(hash), value: enc })
    ops.push({ type: 'put', key: META_ROOT_KEY, value: root.slice() })
    backing.pending = pending
    backing.pendingAccounts = pendingAccounts
    backing.setPendingNodes(nodes)

    this.clearOverlay()
    this.recordChunks = []
    this.recordIndex = new Map()
    this.recordsIndexed = 0
    return { root: toHex(root), ops }
  }

  // ---- proofs and views ----

  async getProof(address: Address, slots: Hex[]): Promise<AccountProof> {
    const a = checkAddress(address)
    const words = slots.map((s) => checkWord(s, 'slot'))
    await this.rootBytes()
    const accountProof = (await this.accountTrie.createProofPath(pathOfAddress(a))).map((b) => toHex(b))
    const account = await this.getAccount(a)
    const storageHash = await this.storageRoot(a)
    let trie = this.storageTries.get(a)
    if (trie === undefined) {
      trie = new Trie({ root: storageHash, store: this.backing.store, evictLeaves: this.evict })
      this.storageTries.set(a, trie)
    }
    const storageProof: AccountProof['storageProof'] = []
    for (const [i, s] of words.entries()) {
      const proof = account === undefined ? [] : await trie.createProofPath(pathOfSlot(s))
      storageProof.push({
        key: slots[i]!,
        value: BigInt(await this.getStorage(a, s)),
        proof: proof.map((b) => toHex(b)),
      })
    }
    return {
      address,
      accountProof,
      balance: account?.balance ?? 0n,
      codeHash: account?.codeHash ?? KECCAK_EMPTY,
      nonce: account?.nonce ?? 0n,
      storageHash,
      storageProof,
    }
  }

  async at(root: Hex): Promise<MptStateDb | undefined> {
    if (typeof root !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(root))
      throw new TypeError(`Invalid root: ${String(root)}`)
    const r = root.toLowerCase() as Hex
    if (r !== EMPTY_TRIE_ROOT) {
      const [node] = await this.backing.store.getNodes([hexToBytes(r)])
      if (node === undefined) return undefined
    }
    return new StateDbImpl(this.backing, trieReader(this.backing, r), r, r, false)
  }
}

/**
 * Creates the world state on a `Db`: flat key-value reads and writes (no trie walk), nested
 * checkpoints, and Ethereum's state root computed over the changed paths only. `flush()` hands back
 * the ops that persist a block's state; write them in the same atomic `db.batch` as the block.
 *
 * Reopen after a restart with the root of the last block written (or use `openStateDb`).
 * Until the next `flush`, the state reads the last flush's data from memory, so it reads correctly
 * whether or not the caller has written those ops yet; write them before the next flush.
 *
 * @example
 * ```ts
 * import { memoryDb } from '@appchain/core'
 * import { createStateDb } from '@appchain/state'
 * const db = memoryDb()
 * const state = createStateDb({ db })
 * await state.putAccount('0x00000000000000000000000000000000000000aa', { nonce: 0n, balance: 10n, codeHash: KECCAK_EMPTY })
 * const { root, ops } = await state.flush()
 * await db.batch([...ops, ...blockOps])
 * ```
 */
export function createStateDb(config: StateDbConfig): MptStateDb {
  if (typeof config !== 'object' || config === null || typeof config.db?.get !== 'function')
    throw new TypeError('createStateDb needs { db }')
  const root = config.root === undefined ? EMPTY_TRIE_ROOT : (config.root.toLowerCase() as Hex)
  if (!/^0x[0-9a-f]{64}$/.test(root)) throw new TypeError(`Invalid root: ${String(config.root)}`)
  const backing = new Backing(config.db)
  return new StateDbImpl(backing, flatReader(backing), root, undefined, config.evictLeaves === true)
}

export type { AccountRecord }
