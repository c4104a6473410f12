import type { Account, Address, GasStore, Hex, StateDb } from '@appchain/core'
import { gasStoreSlot, KECCAK_EMPTY, PREDEPLOYS, ZERO_HASH } from '@appchain/core'
import type { Store } from './executor.js'
import { decodeRecord, encodeRecord, joinWords, recordSlot, recordWords } from './record.js'

/**
 * A loaded account of the block with its address and dirty flag. A caller that holds one changes the account
 * through `setSlotBalance`/`setSlotNonce` without looking the address up again.
 */
export type AccountSlot = {
  readonly address: Address
  readonly account: Account
  dirty: boolean
  /** Free for the caller (0 when loaded): the parallel VM marks the last batch of the block that named the account. */
  mark: number
}
type Slot = AccountSlot

function word(v: bigint): Hex {
  return `0x${v.toString(16).padStart(64, '0')}`
}

/**
 * The block's working copy of the state on the main thread: accounts and records are read from the
 * `StateDb` once, changed synchronously in memory by the execution phases, and written back once in `flush`.
 */
export class BlockState implements Store {
  // Each account with its dirty flag: marking a change costs no second hash lookup (a Set of dirty addresses did).
  private accounts = new Map<Address, Slot>()
  /** Changed accounts' slots in the order they first changed (flush writes them in this order, no lookup each). */
  private dirtySlots: Slot[] = []
  private records = new Map<string, { value: ReadonlyMap<string, bigint>; words: number }>()
  private dirtyRecords = new Set<string>()
  private gasSlots = new Map<Hex, bigint>()
  private dirtyGas = new Set<Hex>()

  constructor(readonly state: StateDb) {}

  /** The account if it is already loaded (no await on the hot path), else undefined. */
  loaded(a: Address): Account | undefined {
    return this.accounts.get(a)?.account
  }

  async loadAccount(a: Address): Promise<Account> {
    return (await this.loadSlot(a)).account
  }

  /**
   * The account's slot if it is already loaded (no await on the hot path), else undefined.
   *
   * @example
   * ```ts
   * const slot = bs.slotOf(sender) ?? (await bs.loadSlot(sender))
   * bs.setSlotNonce(slot, slot.account.nonce + 1n)
   * ```
   */
  slotOf(a: Address): AccountSlot | undefined {
    return this.accounts.get(a)
  }

  /** The account's slot, read from the state the first time. */
  async loadSlot(a: Address): Promise<AccountSlot> {
    let slot = this.accounts.get(a)
    if (slot) return slot
    const account = (await this.state.getAccount(a)) ?? emptyAccount()
    // Another load of the same account may have finished during the await: the first one stands.
    slot = this.accounts.get(a)
    if (slot) return slot
    slot = { address: a, account, dirty: false, mark: 0 }
    this.accounts.set(a, slot)
    return slot
  }

  /**
   * Loads every account not loaded yet in one batched state read; returns each account's slot, index for index.
   *
   * @example
   * ```ts
   * const [a, b] = await bs.loadAccounts([sender, receiver])
   * ```
   */
  async loadAccounts(accounts: readonly Address[]): Promise<AccountSlot[]> {
    const map = this.accounts
    const out: Slot[] = new Array(accounts.length)
    // Indexed loops: this async method runs mostly unoptimised, where for...of allocates an iterator result per step.
    const missing: Address[] = []
    const missingAt: number[] = []
    for (let i = 0; i < accounts.length; i++) {
      const slot = map.get(accounts[i]!)
      if (slot !== undefined) out[i] = slot
      else {
        missing.push(accounts[i]!)
        missingAt.push(i)
      }
    }
    if (missing.length === 0) return out
    if (this.state.getAccounts === undefined) {
      for (let j = 0; j < missing.length; j++) out[missingAt[j]!] = await this.loadSlot(missing[j]!)
      return out
    }
    // One batched read (the state's optional getAccounts) instead of an await per account.
    const got = await this.state.getAccounts(missing)
    for (let j = 0; j < missing.length; j++) {
      const a = missing[j]!
      // An account named twice (or loaded during the await) keeps its first slot.
      let slot = map.get(a)
      if (slot === undefined) {
        slot = { address: a, account: got[j] ?? emptyAccount(), dirty: false, mark: 0 }
        map.set(a, slot)
      }
      out[missingAt[j]!] = slot
    }
    return out
  }

  async loadRecord(program: string, a: Address): Promise<ReadonlyMap<string, bigint>> {
    const key = `${program}|${a}`
    let r = this.records.get(key)
    if (!r) {
      // A record lives in its account's storage: the account is written with it.
      await this.loadAccount(a)
      const length = Number(BigInt(await this.state.getStorage(a, recordSlot(program, 0))))
      const words: Hex[] = []
      const n = Math.ceil(length / 32)
      for (let i = 1; i <= n; i++) words.push(await this.state.getStorage(a, recordSlot(program, i)))
      r = { value: decodeRecord(joinWords(words, length)), words: n }
      this.records.set(key, r)
    }
    return r.value
  }

  /** A loaded account (throws when it was not loaded: a bug in the caller). */
  account(a: Address): Account {
    const slot = this.accounts.get(a)
    if (!slot) throw new Error(`BlockState: account ${a} not loaded`)
    return slot.account
  }

  balance(a: Address): bigint | undefined {
    return this.accounts.get(a)?.account.balance
  }

  record(program: string, a: Address): ReadonlyMap<string, bigint> | undefined {
    return this.records.get(`${program}|${a}`)?.value
  }

  setBalance(a: Address, balance: bigint): void {
    this.setSlotBalance(this.slot(a), balance)
  }

  setNonce(a: Address, nonce: bigint): void {
    this.setSlotNonce(this.slot(a), nonce)
  }

  /** `setBalance` on a slot this block handed out (`slotOf`/`loadSlot`). */
  setSlotBalance(slot: AccountSlot, balance: bigint): void {
    slot.account.balance = balance
    this.markDirty(slot)
  }

  /** `setNonce` on a slot this block handed out (`slotOf`/`loadSlot`). */
  setSlotNonce(slot: AccountSlot, nonce: bigint): void {
    slot.account.nonce = nonce
    this.markDirty(slot)
  }

  private slot(a: Address): Slot {
    const slot = this.accounts.get(a)
    if (!slot) throw new Error(`BlockState: account ${a} not loaded`)
    return slot
  }

  private markDirty(slot: Slot): void {
    if (slot.dirty) return
    slot.dirty = true
    this.dirtySlots.push(slot)
  }

  /** Replaces a record (its account must be loaded; it is created if it did not exist). */
  setRecord(key: string, value: ReadonlyMap<string, bigint>): void {
    const r = this.records.get(key)
    if (!r) throw new Error(`BlockState: record ${key} not loaded`)
    r.value = value
    this.dirtyRecords.add(key)
    const a = key.slice(key.indexOf('|') + 1) as Address
    this.markDirty(this.slot(a))
  }

  /** Gas-model state in storage of `PREDEPLOYS.gasStore`, part of the state root. */
  gasStore(): GasStore {
    // core's table of slots, shared with the sequencer's admission store: each key is hashed to its slot once
    // (the block finds its senders' keys hashed at admission).
    const slotOf = (key: string): Hex => gasStoreSlot(key)
    const put = (key: string, value: bigint) => {
      if (value < 0n || value >= 1n << 256n) throw new RangeError(`GasStore value out of range: ${key}=${value}`)
      const slot = slotOf(key)
      this.gasSlots.set(slot, value)
      this.dirtyGas.add(slot)
    }
    return {
      // The block's cache answers without an await once a key was read or written (core's optional members).
      peek: (key) => this.gasSlots.get(slotOf(key)),
      put,
      get: async (key) => {
        const slot = slotOf(key)
        let v = this.gasSlots.get(slot)
        if (v === undefined) {
          v = BigInt(await this.state.getStorage(PREDEPLOYS.gasStore, slot))
          this.gasSlots.set(slot, v)
        }
        return v
      },
      set: async (key, value) => put(key, value),
      // A block's keys in one batched state read (a gas model's `prefetch`); those already in memory stay.
      getMany: async (keys) => {
        const missing: Hex[] = []
        for (const key of keys) {
          const slot = slotOf(key)
          if (!this.gasSlots.has(slot)) missing.push(slot)
        }
        if (missing.length > 0) {
          const words = this.state.getStorageMany
            ? await this.state.getStorageMany(PREDEPLOYS.gasStore, missing)
            : await Promise.all(missing.map((s) => this.state.getStorage(PREDEPLOYS.gasStore, s)))
          for (let i = 0; i < missing.length; i++)
            if (!this.gasSlots.has(missing[i]!)) this.gasSlots.set(missing[i]!, BigInt(words[i]!))
        }
        return keys.map((key) => this.gasSlots.get(slotOf(key))!)
      },
    }
  }

  /** Writes every change back to the `StateDb`. */
  async flush(): Promise<void> {
    if (this.dirtyGas.size > 0) {
      await this.loadAccount(PREDEPLOYS.gasStore)
      this.markDirty(this.slot(PREDEPLOYS.gasStore))
    }
    // The state validates and copies each account: the block's objects go in as they are.
    const slots = this.dirtySlots
    const dirty: Address[] = new Array(slots.length)
    const accounts: Account[] = new Array(slots.length)
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!
      slot.dirty = false
      dirty[i] = slot.address
      accounts[i] = slot.account
    }
    if (this.state.putAccounts !== undefined) await this.state.putAccounts(dirty, accounts)
    else {
      // One await for every account instead of one per account: the writes are independent.
      const writes: Promise<void>[] = new Array(dirty.length)
      for (let i = 0; i < dirty.length; i++) writes[i] = this.state.putAccount(dirty[i]!, accounts[i])
      await Promise.all(writes)
    }
    for (const key of this.dirtyRecords) {
      const r = this.records.get(key)!
      const a = key.slice(key.indexOf('|') + 1) as Address
      const program = key.slice(0, key.indexOf('|'))
      const bytes = encodeRecord(r.value)
      const words = recordWords(bytes)
      await this.state.putStorage(a, recordSlot(program, 0), word(BigInt(bytes.length)))
      for (let i = 0; i < words.length; i++) await this.state.putStorage(a, recordSlot(program, i + 1), words[i]!)
      for (let i = words.length; i < r.words; i++) await this.state.putStorage(a, recordSlot(program, i + 1), ZERO_HASH)
      r.words = words.length
    }
    if (this.dirtyGas.size > 0) {
      const entries: [Hex, Hex][] = []
      for (const slot of this.dirtyGas) entries.push([slot, word(this.gasSlots.get(slot)!)])
      if (this.state.putStorageMany) await this.state.putStorageMany(PREDEPLOYS.gasStore, entries)
      else for (const [slot, value] of entries) await this.state.putStorage(PREDEPLOYS.gasStore, slot, value)
    }
    this.dirtySlots = []
    this.dirtyRecords.clear()
    this.dirtyGas.clear()
  }
}

/** A fresh account that does not exist yet (a literal: cheaper than spreading a shared one). */
function emptyAccount(): Account {
  return { nonce: 0n, balance: 0n, codeHash: KECCAK_EMPTY }
}
