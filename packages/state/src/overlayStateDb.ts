import type { Account, Address, Hex } from '@appchain/core'
import { KECCAK_EMPTY } from '@appchain/core'
import { checkAccount, decodeAccountFields } from './account.js'
import { AccountNotFoundError, NoCheckpointError } from './errors.js'
import { toHex } from './hex.js'
import { keccak256, keccakReady } from './keccak.js'
import { checkAddress, checkWord, wordOf, ZERO_WORD } from './words.js'

const MISSING = Symbol('missing')

/** An account's storage writes since the last flush; `cleared`: every older slot reads as zero. */
export type StorageEntry = { cleared: boolean; slots: Map<Hex, Hex> }

type Undo =
  | { t: 0; a: Address; prev: Account | null | typeof MISSING }
  | { t: 1; a: Address; slot: Hex; prev: Hex | undefined }
  | { t: 2; a: Address; prev: StorageEntry | undefined }

/**
 * The part every `StateDb` of this package shares: the writes since the last flush (accounts, storage, code)
 * with their checks, the nested checkpoints' undo journal, and what changed since the last root. Reads not in
 * the overlay go to the subclass's flushed state (`createStateDb`'s flat records and tries, or the sharded
 * state's shards); the subclass computes roots from the touched sets and empties the overlay at flush.
 */
export abstract class OverlayStateDb {
  protected accounts = new Map<Address, Account | null>()
  protected storages = new Map<Address, StorageEntry>()
  protected codes = new Map<Hex, Uint8Array>()
  protected journal: Undo[] = []
  protected checkpoints: number[] = []

  // Changed since the last root(): what root() must apply.
  protected touchedAccounts = new Set<Address>()
  protected touchedSlots = new Map<Address, Set<Hex>>()
  protected rebuild = new Set<Address>()
  /** The last root() while nothing changed since (any write clears it). */
  protected rootCache: Uint8Array | undefined

  /** The flushed record of `a` (rlp of the account), undefined if there is none. */
  protected abstract baseAccount(a: Address): Promise<Uint8Array | undefined>
  /** `baseAccount` for many addresses, in order. */
  protected abstract baseAccounts(as: Address[]): Promise<(Uint8Array | undefined)[]>
  /** The flushed value of a slot (bytes without leading zeros), undefined if unset. */
  protected abstract baseStorage(a: Address, slot: Hex): Promise<Uint8Array | undefined>
  /** `baseStorage` for many slots of one account, in order. */
  protected abstract baseStorageMany(a: Address, slots: Hex[]): Promise<(Uint8Array | undefined)[]>
  /** Flushed code by hash. */
  protected abstract baseCode(codeHash: Hex): Promise<Uint8Array | undefined>
  /** The root of the current state: applies what changed since the last root (`changedAccounts()`). */
  protected abstract rootBytes(): Promise<Uint8Array>

  /** The state root of the current state (hashes only what changed since the last root). */
  async root(): Promise<Hex> {
    return toHex(await this.rootBytes())
  }

  /** Every account whose record or storage changed since the last root. */
  protected changedAccounts(): Set<Address> {
    if (this.touchedSlots.size === 0 && this.rebuild.size === 0) return this.touchedAccounts
    const addresses = new Set(this.touchedAccounts)
    for (const a of this.touchedSlots.keys()) addresses.add(a)
    for (const a of this.rebuild) addresses.add(a)
    return addresses
  }

  // ---- reads ----

  async getAccount(address: Address): Promise<Account | undefined> {
    const a = checkAddress(address)
    const o = this.accounts.get(a)
    if (o !== undefined) return o === null ? undefined : { ...o }
    const record = await this.baseAccount(a)
    return record === undefined ? undefined : decodeAccountFields(record)
  }

  async getAccounts(addresses: readonly Address[]): Promise<(Account | undefined)[]> {
    const out: (Account | undefined)[] = new Array(addresses.length)
    const missing: number[] = []
    const missed: Address[] = []
    for (let i = 0; i < addresses.length; i++) {
      const a = checkAddress(addresses[i]!)
      const o = this.accounts.get(a)
      if (o === undefined) {
        missing.push(i)
        missed.push(a)
      } else out[i] = o === null ? undefined : { ...o }
    }
    if (missed.length === 0) return out
    const records = await this.baseAccounts(missed)
    for (let j = 0; j < missed.length; j++) {
      const record = records[j]
      if (record !== undefined) out[missing[j]!] = decodeAccountFields(record)
    }
    return out
  }

  async getStorage(address: Address, slot: Hex): Promise<Hex> {
    const a = checkAddress(address)
    const s = checkWord(slot, 'slot')
    const entry = this.storages.get(a)
    if (entry !== undefined) {
      const v = entry.slots.get(s)
      if (v !== undefined) return v
      if (entry.cleared) return ZERO_WORD
    }
    return wordOf(await this.baseStorage(a, s))
  }

  async getStorageMany(address: Address, slots: readonly Hex[]): Promise<Hex[]> {
    const a = checkAddress(address)
    const out: Hex[] = new Array(slots.length)
    const entry = this.storages.get(a)
    const missing: number[] = []
    const missed: Hex[] = []
    for (let i = 0; i < slots.length; i++) {
      const s = checkWord(slots[i]!, 'slot')
      const v = entry?.slots.get(s)
      if (v !== undefined) out[i] = v
      else if (entry?.cleared) out[i] = ZERO_WORD
      else {
        missing.push(i)
        missed.push(s)
      }
    }
    if (missed.length === 0) return out
    const values = await this.baseStorageMany(a, missed)
    for (let j = 0; j < missed.length; j++) out[missing[j]!] = wordOf(values[j])
    return out
  }

  async getCode(address: Address): Promise<Uint8Array> {
    const account = await this.getAccount(address)
    if (account === undefined || account.codeHash === KECCAK_EMPTY) return new Uint8Array(0)
    const code = this.codes.get(account.codeHash) ?? (await this.baseCode(account.codeHash))
    return code === undefined ? new Uint8Array(0) : code.slice()
  }

  // ---- writes ----

  async putAccount(address: Address, account: Account | undefined): Promise<void> {
    const a = checkAddress(address)
    const value = account === undefined ? null : checkAccount(account)
    this.setAccount(a, value)
    if (value === null) this.clearStorageOf(a)
  }

  /**
   * Every entry of a batched account write checked before anything is written (a bad one throws, nothing is
   * written): the addresses lower-case, the accounts checked (null: undefined, a delete).
   */
  protected checkedAccounts(
    what: string,
    addresses: readonly Address[],
    accounts: readonly (Account | undefined)[],
  ): { as: Address[]; values: (Account | null)[] } {
    if (addresses.length !== accounts.length)
      throw new RangeError(`${what}: ${addresses.length} addresses but ${accounts.length} accounts`)
    const n = addresses.length
    const as: Address[] = new Array(n)
    const values: (Account | null)[] = new Array(n)
    for (let i = 0; i < n; i++) {
      as[i] = checkAddress(addresses[i]!)
      const account = accounts[i]
      values[i] = account === undefined ? null : checkAccount(account)
    }
    return { as, values }
  }

  async putAccounts(addresses: readonly Address[], accounts: readonly (Account | undefined)[]): Promise<void> {
    // Every entry is checked before anything is written; then no promise per account.
    const { as, values } = this.checkedAccounts('putAccounts', addresses, accounts)
    const n = as.length
    for (let i = 0; i < n; i++) {
      const a = as[i]!
      const value = values[i]!
      this.setAccount(a, value)
      if (value === null) this.clearStorageOf(a)
    }
  }

  /** The storage overlay of an existing account `a` (made on first write); refuses a missing account. */
  private async storageToWrite(a: Address): Promise<StorageEntry> {
    const o = this.accounts.get(a)
    if (o === null || (o === undefined && (await this.baseAccount(a)) === undefined))
      throw new AccountNotFoundError(a, 'putStorage')
    let entry = this.storages.get(a)
    if (entry === undefined) {
      entry = { cleared: false, slots: new Map() }
      this.storages.set(a, entry)
    }
    return entry
  }

  async putStorage(address: Address, slot: Hex, value: Hex): Promise<void> {
    const a = checkAddress(address)
    const s = checkWord(slot, 'slot')
    const v = checkWord(value, 'storage value')
    const entry = await this.storageToWrite(a)
    if (this.checkpoints.length > 0) this.journal.push({ t: 1, a, slot: s, prev: entry.slots.get(s) })
    entry.slots.set(s, v)
    this.touchSlot(a, s)
  }

  async putStorageMany(address: Address, entries: readonly (readonly [slot: Hex, value: Hex])[]): Promise<void> {
    const a = checkAddress(address)
    // Every word is checked before anything is written.
    const slots: Hex[] = new Array(entries.length)
    const values: Hex[] = new Array(entries.length)
    for (let i = 0; i < entries.length; i++) {
      slots[i] = checkWord(entries[i]![0], 'slot')
      values[i] = checkWord(entries[i]![1], 'storage value')
    }
    if (entries.length === 0) return
    const entry = await this.storageToWrite(a)
    const journaled = this.checkpoints.length > 0
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!
      if (journaled) this.journal.push({ t: 1, a, slot: s, prev: entry.slots.get(s) })
      entry.slots.set(s, values[i]!)
      this.touchSlot(a, s)
    }
  }

  async putCode(address: Address, code: Uint8Array): Promise<void> {
    if (!(code instanceof Uint8Array)) throw new TypeError('Code must be a Uint8Array')
    const a = checkAddress(address)
    await keccakReady()
    const codeHash = toHex(keccak256(code)) as Hex
    if (code.length > 0) this.codes.set(codeHash, code.slice())
    const account = (await this.getAccount(a)) ?? { nonce: 0n, balance: 0n, codeHash: KECCAK_EMPTY }
    this.setAccount(a, { ...account, codeHash })
  }

  async clearStorage(address: Address): Promise<void> {
    this.clearStorageOf(checkAddress(address))
  }

  protected setAccount(a: Address, value: Account | null): void {
    if (this.checkpoints.length > 0) {
      const prev = this.accounts.get(a)
      this.journal.push({ t: 0, a, prev: prev === undefined ? MISSING : prev })
    }
    this.accounts.set(a, value)
    this.touchedAccounts.add(a)
    this.rootCache = undefined
  }

  protected clearStorageOf(a: Address): void {
    if (this.checkpoints.length > 0) this.journal.push({ t: 2, a, prev: this.storages.get(a) })
    this.storages.set(a, { cleared: true, slots: new Map() })
    this.rebuild.add(a)
    this.touchedAccounts.add(a)
    this.rootCache = undefined
  }

  private touchSlot(a: Address, s: Hex): void {
    let set = this.touchedSlots.get(a)
    if (set === undefined) {
      set = new Set()
      this.touchedSlots.set(a, set)
    }
    set.add(s)
    this.rootCache = undefined
  }

  // ---- checkpoints ----

  checkpoint(): void {
    this.checkpoints.push(this.journal.length)
  }

  commit(): void {
    if (this.checkpoints.pop() === undefined) throw new NoCheckpointError('commit')
    // The outermost commit makes everything final: no undo needed any more.
    if (this.checkpoints.length === 0) this.journal.length = 0
  }

  revert(): void {
    const mark = this.checkpoints.pop()
    if (mark === undefined) throw new NoCheckpointError('revert')
    const journal = this.journal
    for (let i = journal.length - 1; i >= mark; i--) {
      const u = journal[i]!
      if (u.t === 0) {
        if (u.prev === MISSING) this.accounts.delete(u.a)
        else this.accounts.set(u.a, u.prev)
        this.touchedAccounts.add(u.a)
      } else if (u.t === 1) {
        const entry = this.storages.get(u.a)!
        if (u.prev === undefined) entry.slots.delete(u.slot)
        else entry.slots.set(u.slot, u.prev)
        this.touchSlot(u.a, u.slot)
      } else {
        if (u.prev === undefined) this.storages.delete(u.a)
        else this.storages.set(u.a, u.prev)
        this.rebuild.add(u.a)
        this.touchedAccounts.add(u.a)
      }
    }
    journal.length = mark
    this.rootCache = undefined
  }

  /** Empties the overlay after a flush (the flushed state now holds it). */
  protected clearOverlay(): void {
    this.accounts = new Map()
    this.storages = new Map()
    this.codes = new Map()
    this.journal = []
  }
}
