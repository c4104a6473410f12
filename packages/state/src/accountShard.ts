import { type Account, type Address, type Hex, KECCAK_EMPTY } from '@appchain/core'
import { checkAccount, decodeAccountFields, EMPTY_ROOT_BYTES, encodeAccountWith, storageRootOf } from './account.js'
import { allocBytes } from './allocBytes.js'
import { AccountNotFoundError, NoCheckpointError, OpenCheckpointError, ShardFailedError } from './errors.js'
import { fromHexInto } from './hex.js'
import { keccak256, keccakReady } from './keccak.js'
import { accountKey, storageKey, storagePrefix } from './keys.js'
import { latin1 } from './latin1.js'
import { encodeNode, HashNode } from './node.js'
import { unpackChanges } from './packedChanges.js'
import { PackedOpsWriter } from './packedOps.js'
import { Trie } from './trie.js'
import { checkAddress, checkWord, encodeStorageValue, stripWord, wordOf, ZERO_WORD } from './words.js'

/** What a shard reads from the Db it cannot open itself (the host answers, e.g. with `db.getMany`). */
export interface ShardReader {
  /** Trie node encodings by hash, in order; undefined where absent. */
  getNodes(hashes: Uint8Array[]): Promise<(Uint8Array | undefined)[]>
  /** Flat records (account records `Sa…`, storage values `Ss…`) by Db key, in order; undefined where absent. */
  getRecords(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]>
}

/**
 * Where a first-nibble subtrie starts: the hash of its top node (stored in the Db), or the top node's encoding
 * (when the state's root is that subtrie with the nibble prepended, the top node is not stored under its own
 * hash), or nothing (empty).
 */
export type SubtrieTop = { hash: Uint8Array } | { encoding: Uint8Array } | undefined

/**
 * One account's changes since the last `root()`, as the caller's overlay holds them.
 * - `account`: the account now; null when deleted; undefined when as flushed (its writes were reverted).
 * - `rebuild`: present when the storage trie is rebuilt on the flushed storage root (a clear, or a clear
 *   reverted): the overlay's storage entry since the flush (`cleared`, and every slot written since), or null
 *   when the overlay holds none.
 * - `slots`: slots written (or reverted) since the last root: the word now, or undefined for the flushed value.
 * - `hash`: keccak(address) when the caller has it (it routes by it): the shard then does not hash again.
 */
export interface AccountChange {
  address: Address
  hash?: Uint8Array | undefined
  account: Account | null | undefined
  rebuild?: { cleared: boolean; slots: [slot: Hex, word: Hex][] } | null | undefined
  slots?: [slot: Hex, word: Hex | undefined][] | undefined
}

/** A first-nibble subtrie's reference in the root branch (a 32-byte hash), undefined when empty. */
export interface NibbleRoot {
  nibble: number
  ref: Uint8Array | undefined
}

/** An account's proof inside its shard: the subtrie part of the account proof, and its storage proofs. */
export interface ShardProof {
  /** Nodes from the subtrie's top node down (the root branch, or the re-encoded root, is the caller's). */
  accountProof: Uint8Array[]
  storageHash: Uint8Array
  storageProofs: Uint8Array[][]
}

type StorageCache = { complete: boolean; slots: Map<Hex, Uint8Array | null> }
type LocalStorage = { cleared: boolean; slots: Map<Hex, Hex> }
/** An account's own writes since the last root, with keccak(address) (checked to be this shard's, reused by the root). */
type LocalWrite = { hash: Uint8Array; account?: Account | null | undefined; storage?: LocalStorage | undefined }
type LocalUndo =
  | { t: 0; w: LocalWrite; prev: Account | null | undefined }
  | { t: 1; slots: Map<Hex, Hex>; slot: Hex; prev: Hex | undefined }
  | { t: 2; w: LocalWrite; prev: LocalStorage | undefined }
type StorageMirror = { cleared: boolean; slots: Map<Hex, Hex> }

/** The 64-nibble path of keccak(address or slot) (a fresh array). */
function hashedPath(key: Hex): Uint8Array {
  const bytes = new Uint8Array((key.length - 2) >> 1)
  fromHexInto(key, bytes, 0)
  return nibblesOf(keccak256(bytes))
}

/** The 64 nibbles of a 32-byte hash. */
function nibblesOf(h: Uint8Array): Uint8Array {
  const out = new Uint8Array(64)
  for (let i = 0; i < 32; i++) {
    out[2 * i] = h[i]! >> 4
    out[2 * i + 1] = h[i]! & 0x0f
  }
  return out
}

/**
 * The first nibble of keccak(address): which shard owns the account.
 *
 * @example
 * ```ts
 * nibbleOf('0x00000000000000000000000000000000000000aa') // 0..15
 * ```
 */
export function nibbleOf(address: Address): number {
  const bytes = new Uint8Array(20)
  fromHexInto(address, bytes, 0)
  return keccak256(bytes)[0]! >> 4
}

/**
 * The state of the accounts whose keccak(address) starts with one of the shard's nibbles: their account
 * subtries, storage tries and flat records, resident across blocks. It runs in any thread (no worker code):
 * what it lacks it loads through the host's `ShardReader`. The caller keeps the overlay and checkpoints and
 * hands the shard each root's changes (`applyRoot`), then takes the flush's Db ops packed (`commit`).
 *
 * Reads (`readAccounts`, `readStorage`) answer the state as of the last flush (the caller's overlay holds what
 * changed since); `getAccount` and `getStorage` answer the state now, from loaded data. A host executing in the
 * shard's thread writes synchronously (`putAccount`, `putStorage`, `clearStorage`, `setCodeHash`) and applies its
 * writes with `applyRoot()`.
 *
 * @example
 * ```ts
 * const shard = new AccountShard({ nibbles: [0, 1, 2, 3, 4, 5, 6, 7], reader })
 * shard.open(tops)
 * const refs = await shard.applyRoot([{ address, account: { nonce: 0n, balance: 1n, codeHash: KECCAK_EMPTY } }])
 * const packed = shard.commit() // ArrayBuffer of Db ops
 * ```
 */
export class AccountShard {
  readonly nibbles: readonly number[]
  private readonly owned = new Uint8Array(16)
  private readonly reader: ShardReader
  /** Nodes known by encoding only (a subtrie top re-encoded from the root), by Latin-1 hash. */
  private readonly extraNodes = new Map<string, Uint8Array>()
  private readonly store: { getNodes(hashes: Uint8Array[]): Promise<(Uint8Array | undefined)[]> }
  private subtries: (Trie | undefined)[] = new Array(16).fill(undefined)
  /** Flat account records as of the last flush (null: absent): those it wrote, and those loaded since. */
  private records = new Map<Address, Uint8Array | null>()
  /** Flat storage values as of the last flush (null: zero), as `records`; `complete`: every slot not listed is zero. */
  private storage = new Map<Address, StorageCache>()
  /** Storage tries as of the last root. */
  private storageTries = new Map<Address, Trie>()
  /** Since the flush: account records computed by each root (null: deleted), and the storage overlay. */
  private changedRecords = new Map<Address, Uint8Array | null>()
  private changedStorage = new Map<Address, StorageMirror>()
  /** Writes made through the shard's own synchronous write methods since the last root. */
  private local = new Map<Address, LocalWrite>()
  private journal: LocalUndo[] = []
  private checkpoints: number[] = []
  /** The tail of the calls run one at a time (`exclusive`), and the failure of an `applyRoot`, if one failed. */
  private queue: Promise<unknown> = Promise.resolve()
  private failure: { cause: unknown } | undefined

  constructor(config: { nibbles: readonly number[]; reader: ShardReader }) {
    const nibbles = config.nibbles
    if (!Array.isArray(nibbles) || nibbles.length === 0) throw new TypeError('AccountShard needs nibbles')
    for (const n of nibbles) {
      if (!Number.isInteger(n) || n < 0 || n > 15) throw new RangeError(`Invalid nibble: ${String(n)}`)
      this.owned[n] = 1
    }
    this.nibbles = [...nibbles]
    this.reader = config.reader
    const extra = this.extraNodes
    const reader = this.reader
    this.store = {
      async getNodes(hashes) {
        if (extra.size === 0) return reader.getNodes(hashes)
        const out: (Uint8Array | undefined)[] = new Array(hashes.length)
        const missing: number[] = []
        for (let i = 0; i < hashes.length; i++) {
          const e = extra.get(latin1(hashes[i]!))
          if (e === undefined) missing.push(i)
          else out[i] = e
        }
        if (missing.length > 0) {
          const got = await reader.getNodes(missing.map((i) => hashes[i]!))
          for (let j = 0; j < missing.length; j++) out[missing[j]!] = got[j]
        }
        return out
      },
    }
    this.open([])
  }

  /** Starts from a flushed state: each owned nibble's subtrie top (index = nibble); drops everything held. */
  open(tops: readonly SubtrieTop[]): void {
    this.records = new Map()
    this.storage = new Map()
    this.storageTries = new Map()
    this.changedRecords = new Map()
    this.changedStorage = new Map()
    this.local = new Map()
    this.journal = []
    this.checkpoints = []
    this.extraNodes.clear()
    for (let n = 0; n < 16; n++) {
      if (this.owned[n] === 0) continue
      const top = tops[n]
      let root: Uint8Array | undefined
      if (top !== undefined && 'hash' in top) root = top.hash
      else if (top !== undefined) {
        root = keccak256(top.encoding)
        this.extraNodes.set(latin1(root), top.encoding)
      }
      this.subtries[n] = new Trie({ root, store: this.store })
    }
  }

  private subtrie(nibble: number, address: Address): Trie {
    const trie = this.owned[nibble] === 1 ? this.subtries[nibble] : undefined
    if (trie === undefined) throw new RangeError(`Account ${address} (nibble ${nibble}) is not in this shard`)
    return trie
  }

  // ---- loading and reads ----

  /** Loads the flushed records of these accounts and the flushed values of these slots (one read each). */
  async load(addresses: readonly Address[], slots?: readonly (readonly [Address, Hex])[]): Promise<void> {
    // Nothing is marked before the read returns: a concurrent call reads too (never sees a half-loaded entry),
    // and a value set meanwhile (by commit or another load) is newer or equal, so it wins.
    const keys: Uint8Array[] = []
    const want: Address[] = []
    const seen = new Set<string>()
    for (const a of addresses) {
      if (this.records.has(a) || seen.has(a)) continue
      seen.add(a)
      want.push(a)
      keys.push(accountKey(a))
    }
    const slotWant: [Address, Hex][] = []
    for (const [a, s] of slots ?? []) {
      const cache = this.storage.get(a)
      if (cache !== undefined && (cache.complete || cache.slots.has(s))) continue
      const id = a + s
      if (seen.has(id)) continue
      seen.add(id)
      slotWant.push([a, s])
      keys.push(storageKey(a, s))
    }
    if (keys.length === 0) return
    const values = await this.reader.getRecords(keys)
    for (let i = 0; i < want.length; i++) if (!this.records.has(want[i]!)) this.records.set(want[i]!, values[i] ?? null)
    for (let j = 0; j < slotWant.length; j++) {
      const [a, s] = slotWant[j]!
      let cache = this.storage.get(a)
      if (cache === undefined) {
        cache = { complete: false, slots: new Map() }
        this.storage.set(a, cache)
      }
      if (!cache.complete && !cache.slots.has(s)) cache.slots.set(s, values[want.length + j] ?? null)
    }
  }

  /** Flushed account records (undefined: absent), loading what is not held. */
  async readAccounts(addresses: readonly Address[]): Promise<(Uint8Array | undefined)[]> {
    await this.load(addresses)
    return addresses.map((a) => this.records.get(a) ?? undefined)
  }

  /** Flushed storage values of one account (bytes without leading zeros; undefined: zero). */
  async readStorage(address: Address, slots: readonly Hex[]): Promise<(Uint8Array | undefined)[]> {
    await this.load(
      [],
      slots.map((s) => [address, s] as const),
    )
    return slots.map((s) => this.flushedValue(address, s) ?? undefined)
  }

  private flushedValue(a: Address, s: Hex): Uint8Array | null {
    const cache = this.storage.get(a)
    const v = cache?.slots.get(s)
    if (v !== undefined) return v
    if (cache?.complete) return null
    throw new RangeError(`Storage ${a} ${s} is not loaded`)
  }

  private flushedRecord(a: Address): Uint8Array | null {
    const r = this.records.get(a)
    if (r === undefined) throw new RangeError(`Account ${a} is not loaded`)
    return r
  }

  /** The record as of the last root (the account must be loaded). */
  private currentRecord(a: Address): Uint8Array | null {
    const r = this.changedRecords.get(a)
    return r !== undefined ? r : this.flushedRecord(a)
  }

  /** The account now (the shard's own writes since the last root, else as of the last root), from loaded data. */
  getAccount(address: Address): Account | undefined {
    const w = this.local.get(address)?.account
    if (w !== undefined) return w === null ? undefined : { ...w }
    const r = this.currentRecord(address)
    return r === null ? undefined : decodeAccountFields(r)
  }

  /** A storage word now (the shard's own writes, else as of the last root), from loaded data. */
  getStorage(address: Address, slot: Hex): Hex {
    const local = this.local.get(address)?.storage
    const v = local?.slots.get(slot)
    if (v !== undefined) return v
    if (local?.cleared) return ZERO_WORD
    const m = this.changedStorage.get(address)
    const w = m?.slots.get(slot)
    if (w !== undefined) return w
    if (m?.cleared) return ZERO_WORD
    return wordOf(this.flushedValue(address, slot))
  }

  // ---- synchronous writes in the shard's thread (a VM executing against the shard) ----
  // Same checks and errors as a StateDb's writes, nested checkpoints as a StateDb's; the next `applyRoot()` (no
  // arguments, no checkpoint open) applies them. A shard has one writer at a time: these, or a caller's
  // `applyRoot(changes)` (its own writes applied first; the caller's state then adopts them with
  // `ShardedStateDb.adoptShardWrites`, so its next root does not send them back).

  private localEntry(a: Address): LocalWrite {
    let w = this.local.get(a)
    if (w === undefined) {
      const bytes = new Uint8Array(20)
      fromHexInto(a, bytes, 0)
      const hash = keccak256(bytes)
      // Another shard's account: refused at the write, not at the next root.
      this.subtrie(hash[0]! >> 4, a)
      w = { hash }
      this.local.set(a, w)
    }
    return w
  }

  private setLocalAccount(w: LocalWrite, value: Account | null): void {
    if (this.checkpoints.length > 0) this.journal.push({ t: 0, w, prev: w.account })
    w.account = value
  }

  private setLocalStorage(w: LocalWrite, storage: LocalStorage | undefined): void {
    if (this.checkpoints.length > 0) this.journal.push({ t: 2, w, prev: w.storage })
    w.storage = storage
  }

  /** Writes an account; undefined deletes it and its storage. */
  putAccount(address: Address, account: Account | undefined): void {
    const a = checkAddress(address)
    const value = account === undefined ? null : checkAccount(account)
    const w = this.localEntry(a)
    this.setLocalAccount(w, value)
    if (value === null) this.setLocalStorage(w, { cleared: true, slots: new Map() })
  }

  /** Writes a storage word (zero deletes); the account must exist (loaded). */
  putStorage(address: Address, slot: Hex, value: Hex): void {
    const a = checkAddress(address)
    const s = checkWord(slot, 'slot')
    const v = checkWord(value, 'storage value')
    if (this.getAccount(a) === undefined) throw new AccountNotFoundError(a, 'putStorage')
    const w = this.localEntry(a)
    if (w.storage === undefined) this.setLocalStorage(w, { cleared: false, slots: new Map() })
    const slots = w.storage!.slots
    if (this.checkpoints.length > 0) this.journal.push({ t: 1, slots, slot: s, prev: slots.get(s) })
    slots.set(s, v)
  }

  /** Removes every storage slot of an account. */
  clearStorage(address: Address): void {
    this.setLocalStorage(this.localEntry(checkAddress(address)), { cleared: true, slots: new Map() })
  }

  /** Opens a nested checkpoint over the shard's own writes (e.g. one transaction). */
  checkpoint(): void {
    this.checkpoints.push(this.journal.length)
  }

  /** Folds the innermost checkpoint into its parent. */
  commitCheckpoint(): void {
    if (this.checkpoints.pop() === undefined) throw new NoCheckpointError('commit')
    if (this.checkpoints.length === 0) this.journal.length = 0
  }

  /** Undoes the shard's own writes since the innermost checkpoint. */
  revertCheckpoint(): void {
    const mark = this.checkpoints.pop()
    if (mark === undefined) throw new NoCheckpointError('revert')
    const journal = this.journal
    for (let i = journal.length - 1; i >= mark; i--) {
      const u = journal[i]!
      if (u.t === 0) u.w.account = u.prev
      else if (u.t === 2) u.w.storage = u.prev
      else if (u.prev === undefined) u.slots.delete(u.slot)
      else u.slots.set(u.slot, u.prev)
    }
    journal.length = mark
  }

  /** Sets an account's code hash (creating the account if needed); the code itself is the caller's to store. */
  setCodeHash(address: Address, codeHash: Hex): void {
    const a = checkAddress(address)
    const account = this.getAccount(a) ?? { nonce: 0n, balance: 0n, codeHash: KECCAK_EMPTY }
    this.putAccount(a, { ...account, codeHash })
  }

  /** The shard's own writes since the last root as changes (and forgets them). */
  private takeLocalChanges(): AccountChange[] {
    const out: AccountChange[] = []
    for (const [a, w] of this.local) {
      // An account only written to in storage is as of the last root (or, unchanged since the flush, as flushed).
      let account: Account | null | undefined = w.account
      if (account === undefined && this.changedRecords.has(a)) {
        const r = this.changedRecords.get(a)!
        account = r === null ? null : decodeAccountFields(r)
      }
      const change: AccountChange = { address: a, hash: w.hash, account }
      if (w.storage?.cleared) change.rebuild = { cleared: true, slots: [...w.storage.slots] }
      else if (w.storage !== undefined) change.slots = [...w.storage.slots]
      out.push(change)
    }
    this.local = new Map()
    return out
  }

  /**
   * Runs `f` once every call queued before it has settled, one at a time: the shard's async calls share its tries
   * and caches. A thread serving the shard's port (`serveShard` queues each request here) that also hashes its own
   * writes queues that `applyRoot()` here too, and may answer its caller before the hashing ends. After an
   * `applyRoot` failed, every call refuses with `ShardFailedError`.
   *
   * @example
   * ```ts
   * void shard.exclusive(() => shard.applyRoot()).catch(() => {}) // a failure refuses the next calls
   * ```
   */
  exclusive<T>(f: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.failure !== undefined) throw new ShardFailedError(this.failure.cause)
      return f()
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  // ---- commitment ----

  /**
   * Applies one root's changes to the tries (loading what they need in one read) and returns the references
   * of the owned subtries. If it fails once it has begun (its tries may be half updated), the shard is failed:
   * calls through `exclusive` refuse with `ShardFailedError`.
   */
  async applyRoot(changes?: readonly AccountChange[]): Promise<NibbleRoot[]> {
    if (this.checkpoints.length > 0) throw new OpenCheckpointError(this.checkpoints.length)
    if (changes === undefined) changes = this.takeLocalChanges()
    else if (this.local.size > 0) throw new RangeError('applyRoot(changes) on a shard with its own writes pending')
    try {
      return await this.applyChanges(changes)
    } catch (e) {
      this.failure = { cause: e }
      throw e
    }
  }

  private async applyChanges(changes: readonly AccountChange[]): Promise<NibbleRoot[]> {
    await keccakReady()
    const n = changes.length
    const paths: Uint8Array[] = new Array(n)
    const need: Address[] = []
    const needSlots: [Address, Hex][] = []
    for (let i = 0; i < n; i++) {
      const c = changes[i]!
      paths[i] = c.hash === undefined ? hashedPath(c.address) : nibblesOf(c.hash)
      this.subtrie(paths[i]![0]!, c.address)
      if (c.account === undefined || c.rebuild !== undefined) need.push(c.address)
      if (c.slots !== undefined) for (const [s, w] of c.slots) if (w === undefined) needSlots.push([c.address, s])
    }
    await this.load(need, needSlots)
    // Every subtrie path, resolved for all nibbles at once (one batched read per trie level).
    const byNibble: number[][] = Array.from({ length: 16 }, () => [])
    for (let i = 0; i < n; i++) byNibble[paths[i]![0]!]!.push(i)
    await Trie.resolvePathsOf(
      byNibble.flatMap((idx, nibble) =>
        idx.length === 0 ? [] : [[this.subtries[nibble]!, idx.map((i) => paths[i]!.subarray(1))] as const],
      ),
      false,
    )

    // Storage tries first: account leaves commit to their roots.
    for (let i = 0; i < n; i++) {
      const c = changes[i]!
      const a = c.address
      if (c.rebuild !== undefined) {
        const entry = c.rebuild
        if (entry === null) this.changedStorage.delete(a)
        else this.changedStorage.set(a, { cleared: entry.cleared, slots: new Map(entry.slots) })
        const base = entry?.cleared ? undefined : storageRootOf(this.flushedRecord(a) ?? undefined)
        const trie = new Trie({ root: base, store: this.store })
        await this.applySlots(trie, entry?.slots ?? [])
        this.storageTries.set(a, trie)
      }
      if (c.slots !== undefined && c.slots.length > 0) {
        let mirror = this.changedStorage.get(a)
        if (mirror === undefined) {
          mirror = { cleared: false, slots: new Map() }
          this.changedStorage.set(a, mirror)
        }
        const words: [Hex, Hex][] = []
        for (const [s, w] of c.slots) {
          if (w === undefined) {
            mirror.slots.delete(s)
            words.push([s, mirror.cleared ? ZERO_WORD : wordOf(this.flushedValue(a, s))])
          } else {
            mirror.slots.set(s, w)
            words.push([s, w])
          }
        }
        let trie = this.storageTries.get(a)
        if (trie === undefined) {
          const leaf = this.subtries[paths[i]![0]!]!.getPath(paths[i]!.subarray(1))
          trie = new Trie({ root: storageRootOf(leaf), store: this.store })
          this.storageTries.set(a, trie)
        }
        await this.applySlots(trie, words)
      }
    }

    // Account records, per subtrie: the storage root is the open storage trie's, else the leaf's own.
    for (let nibble = 0; nibble < 16; nibble++) {
      const idx = byNibble[nibble]!
      if (idx.length === 0) continue
      const trie = this.subtries[nibble]!
      const putPaths: Uint8Array[] = []
      const putAccounts: Account[] = []
      const putAddresses: Address[] = []
      const putStorageRoots: (Uint8Array | undefined)[] = []
      const dels: Uint8Array[] = []
      for (const i of idx) {
        const c = changes[i]!
        const a = c.address
        let account: Account | undefined
        if (c.account === undefined) {
          const r = this.flushedRecord(a)
          account = r === null ? undefined : decodeAccountFields(r)
        } else account = c.account ?? undefined
        if (account === undefined) {
          dels.push(paths[i]!.subarray(1))
          this.changedRecords.set(a, null)
          continue
        }
        putPaths.push(paths[i]!.subarray(1))
        putAccounts.push(account)
        putAddresses.push(a)
        putStorageRoots.push(this.storageTries.get(a)?.rootHash())
      }
      trie.updatePaths(putPaths, (j, old) => {
        const record = encodeAccountWith(putAccounts[j]!, putStorageRoots[j] ?? storageRootOf(old), allocBytes)
        this.changedRecords.set(putAddresses[j]!, record)
        return record
      })
      await trie.applyPaths([], dels)
    }
    return this.roots()
  }

  /** `applyRoot` on changes packed by `packChanges` (one transferable buffer from the caller's thread). */
  applyPackedRoot(buffer: ArrayBuffer): Promise<NibbleRoot[]> {
    return this.applyRoot(unpackChanges(buffer))
  }

  private async applySlots(trie: Trie, words: readonly (readonly [Hex, Hex])[]): Promise<void> {
    const puts: [Uint8Array, Uint8Array][] = []
    const dels: Uint8Array[] = []
    for (const [s, w] of words) {
      const v = stripWord(w)
      const path = hashedPath(s)
      if (v.length === 0) dels.push(path)
      else puts.push([path, encodeStorageValue(v)])
    }
    await trie.applyPaths(puts, dels)
  }

  /** The owned subtries' references as of the last root (hashes the changed nodes). */
  roots(): NibbleRoot[] {
    const out: NibbleRoot[] = []
    for (const nibble of this.nibbles) {
      const node = this.subtries[nibble]!.node
      if (node === undefined) out.push({ nibble, ref: undefined })
      else out.push({ nibble, ref: node instanceof HashNode ? node.ref : this.subtries[nibble]!.rootHash() })
    }
    return out
  }

  /** The encoding of an owned subtrie's top node (undefined when empty), for a root that is not a branch. */
  async topNode(nibble: number): Promise<Uint8Array | undefined> {
    const trie = this.owned[nibble] === 1 ? this.subtries[nibble] : undefined
    if (trie === undefined) throw new RangeError(`Nibble ${nibble} is not in this shard`)
    const node = trie.node
    if (node === undefined) return undefined
    if (node instanceof HashNode) return (await this.store.getNodes([node.ref]))[0]
    trie.rootHash()
    return encodeNode(node)
  }

  /** The storage root of an account as of the last root (the empty root when absent). */
  async storageRoot(address: Address): Promise<Uint8Array> {
    if (!this.changedRecords.has(address)) await this.load([address])
    const r = this.currentRecord(address)
    return r === null ? EMPTY_ROOT_BYTES : storageRootOf(r).slice()
  }

  /**
   * Ends a block: the Db ops that persist the changes since the last flush (flat records, storage, the tries'
   * new nodes), packed into one ArrayBuffer (see `unpackOps`); the flushed state then includes them. Cleared
   * storage comes as a prefix to clear (the host deletes what the Db holds under it) plus deletes of the slots
   * this shard flushed earlier (perhaps not yet written).
   */
  commit(): ArrayBuffer {
    const w = new PackedOpsWriter()
    // The flat caches start over with what this flush writes (the Db may not hold it yet); everything older is in
    // the Db by then (the caller writes each flush's ops before the next flush), so flat caches stay as small as
    // a block's changes while the tries stay resident.
    const storage = new Map<Address, StorageCache>()
    for (const [a, entry] of this.changedStorage) {
      if (entry.cleared) {
        w.clearPrefix(storagePrefix(a))
        // Slots this shard flushed before (perhaps not written yet) that the clear removes.
        const old = this.storage.get(a)
        if (old !== undefined)
          for (const [s, v] of old.slots) if (v !== null && !entry.slots.has(s)) w.del(storageKey(a, s))
      }
      const cache: StorageCache = { complete: entry.cleared, slots: new Map() }
      storage.set(a, cache)
      for (const [s, word] of entry.slots) {
        const v = stripWord(word)
        const key = storageKey(a, s)
        if (v.length === 0) {
          w.del(key)
          cache.slots.set(s, null)
        } else {
          const value = v.slice()
          w.put(key, value)
          cache.slots.set(s, value)
        }
      }
    }
    for (const [a, record] of this.changedRecords) w.account(a, record)
    for (const nibble of this.nibbles) for (const [hash, enc] of this.subtries[nibble]!.commit()) w.putNode(hash, enc)
    for (const trie of this.storageTries.values()) for (const [hash, enc] of trie.commit()) w.putNode(hash, enc)
    this.records = this.changedRecords
    this.storage = storage
    this.changedRecords = new Map()
    this.changedStorage = new Map()
    return w.finish()
  }

  /** The account's proof inside this shard (call after the root it proves), with its storage proofs. */
  async proof(address: Address, slots: readonly Hex[]): Promise<ShardProof> {
    const path = hashedPath(address)
    const trie = this.subtrie(path[0]!, address)
    const accountProof = await trie.createProofPath(path.subarray(1))
    const storageHash = await this.storageRoot(address)
    const exists = this.currentRecord(address) !== null
    let st = this.storageTries.get(address)
    if (st === undefined) {
      st = new Trie({ root: storageHash, store: this.store })
      this.storageTries.set(address, st)
    }
    const storageProofs: Uint8Array[][] = []
    for (const s of slots) storageProofs.push(exists ? await st.createProofPath(hashedPath(s)) : [])
    return { accountProof, storageHash, storageProofs }
  }
}
