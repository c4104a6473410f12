import { type Account as AccountRecord, EMPTY_TRIE_ROOT, type Hex, KECCAK_EMPTY, type StateDb } from '@appchain/core'
import type { AccountFields, StateManagerInterface } from '@ethereumjs/common'
import { Account, type Address, bytesToBigInt } from '@ethereumjs/util'
import { toHex as bytesToHex, fromHex as hexToBytes } from './hex.js'
import { word32 } from './word32.js'

const EMPTY_ROOT_BYTES = hexToBytes(EMPTY_TRIE_ROOT)
const KECCAK_EMPTY_BYTES = hexToBytes(KECCAK_EMPTY)
const EMPTY_CODE = new Uint8Array(0)
const ZERO32: Hex = `0x${'0'.repeat(64)}`

const addressHex = new WeakMap<Address, Hex>()

/**
 * An interpreter address as lower-case 0x hex, once per Address object (the interpreter passes the same
 * objects for a frame's address, caller and code address on every state access; they are never mutated).
 */
function hexOf(address: Address): Hex {
  let h = addressHex.get(address)
  if (h === undefined) {
    h = address.toString() as Hex
    addressHex.set(address, h)
  }
  return h
}

/** A storage key or value as the StateDb's 32-byte word hex. */
function wordHex(v: bigint): Hex {
  return v === 0n ? ZERO32 : (`0x${v.toString(16).padStart(64, '0')}` as Hex)
}

/**
 * The `@ethereumjs/evm` interpreter's `StateManagerInterface` over our `StateDb`: the interpreter reads
 * and writes our state directly (no ethereumjs trie or caches), checkpoints map to the StateDb's.
 *
 * The "has storage" bit EIP-7610 needs (an account without code and nonce that already holds storage must
 * not be created over) is read from the StateDb's storage root, only for the address a CREATE is about to
 * deploy to (`createTarget`, set by the interpreter hook in `createInterpreter`): computing a storage root
 * on every account read would hash the block's pending changes over and over.
 *
 * @example
 * ```ts
 * const adapter = stateAdapter(state)
 * const evm = await createEVM({ common, stateManager: adapter })
 * ```
 */
export class StateAdapter implements StateManagerInterface {
  readonly state: StateDb
  private codeHashes = new Map<Hex, Uint8Array>()
  /** The hex of the code-hash bytes handed out by `codeHashBytes`, so writing an account back needs no hex. */
  private codeHashHex = new WeakMap<Uint8Array, Hex>()
  private storageRoots = new Map<string, Uint8Array>()
  /**
   * The StateDb's accounts as last read or written through this adapter (null: no account). Every call
   * frame reads and rewrites its caller and callee, so this saves the StateDb's address checks and copies,
   * and lets an unchanged account skip its write. Writes go through to the StateDb; a revert or a write
   * that bypasses the adapter (`forgetAccounts`) drops the cache.
   */
  private accounts = new Map<Hex, AccountRecord | null>()

  /**
   * Storage words as last read or written through this adapter in the current transaction, by address then
   * slot (bigint keys: no hex per access). Writes go through to the StateDb; dropped with the account cache.
   */
  private words = new Map<Hex, Map<bigint, bigint>>()
  /** Each slot's value before the transaction (EIP-2200), taken from the current value on first use. */
  private originals = new Map<Hex, Map<bigint, bigint>>()

  readonly originalStorageCache = {
    get: async (address: Address, key: Uint8Array): Promise<Uint8Array> =>
      word32(await this.getOriginalStorageWord(address, bytesToBigInt(key))),
    clear: (): void => {
      this.originals.clear()
    },
  }

  /** The address a CREATE is about to deploy to: its storage root decides an EIP-7610 collision. */
  createTarget: string | undefined

  constructor(state: StateDb) {
    this.state = state
  }

  private codeHashBytes(hash: Hex): Uint8Array {
    if (hash === KECCAK_EMPTY) return KECCAK_EMPTY_BYTES
    let b = this.codeHashes.get(hash)
    if (!b) {
      b = hexToBytes(hash)
      this.codeHashes.set(hash, b)
      this.codeHashHex.set(b, hash)
    }
    return b
  }

  /** Drops the account and storage caches: call before working on a state that was written without this adapter. */
  forgetAccounts(): void {
    this.accounts.clear()
    this.words.clear()
  }

  async getAccount(address: Address): Promise<Account | undefined> {
    const addr = hexOf(address)
    let a = this.accounts.get(addr)
    if (a === undefined) {
      a = (await this.state.getAccount(addr)) ?? null
      this.accounts.set(addr, a)
    }
    if (a === null) return undefined
    let storageRoot = EMPTY_ROOT_BYTES
    if (addr === this.createTarget && a.nonce === 0n && a.codeHash === KECCAK_EMPTY)
      storageRoot = await this.committedStorageRoot(addr)
    return new Account(a.nonce, a.balance, storageRoot, this.codeHashBytes(a.codeHash))
  }

  private async committedStorageRoot(addr: Hex): Promise<Uint8Array> {
    let r = this.storageRoots.get(addr)
    if (!r) {
      const root = await this.state.storageRoot(addr)
      r = root === EMPTY_TRIE_ROOT ? EMPTY_ROOT_BYTES : hexToBytes(root)
      this.storageRoots.set(addr, r)
    }
    return r
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    const addr = hexOf(address)
    if (account === undefined) {
      this.storageRoots.delete(addr)
      this.accounts.set(addr, null)
      this.words.delete(addr)
      return this.state.putAccount(addr, undefined)
    }
    const codeHash =
      account.codeHash === KECCAK_EMPTY_BYTES
        ? KECCAK_EMPTY
        : (this.codeHashHex.get(account.codeHash) ?? bytesToHex(account.codeHash))
    const cached = this.accounts.get(addr)
    // Rewriting the same fields changes nothing in the StateDb (the journal records the touch itself).
    if (cached && cached.nonce === account.nonce && cached.balance === account.balance && cached.codeHash === codeHash)
      return
    const record = { nonce: account.nonce, balance: account.balance, codeHash }
    this.accounts.set(addr, record)
    await this.state.putAccount(addr, { ...record })
  }

  async deleteAccount(address: Address): Promise<void> {
    const addr = hexOf(address)
    this.storageRoots.delete(addr)
    this.accounts.set(addr, null)
    this.words.delete(addr)
    await this.state.putAccount(addr, undefined)
  }

  async modifyAccountFields(address: Address, fields: AccountFields): Promise<void> {
    const account = (await this.getAccount(address)) ?? new Account()
    if (fields.nonce !== undefined) account.nonce = fields.nonce
    if (fields.balance !== undefined) account.balance = fields.balance
    if (fields.codeHash !== undefined) account.codeHash = fields.codeHash
    await this.putAccount(address, account)
  }

  async putCode(address: Address, value: Uint8Array): Promise<void> {
    const addr = hexOf(address)
    this.accounts.delete(addr)
    await this.state.putCode(addr, value)
  }

  /**
   * Code by code hash, shared across blocks (content-addressed, so never stale): the interpreter gets the
   * same bytes object for the same code, which keys its jump-analysis cache (see createInterpreter).
   */
  private readonly codeByHash = new Map<Hex, Uint8Array>()

  async getCode(address: Address): Promise<Uint8Array> {
    const addr = hexOf(address)
    let a = this.accounts.get(addr)
    if (a === undefined) {
      a = (await this.state.getAccount(addr)) ?? null
      this.accounts.set(addr, a)
    }
    if (!a || a.codeHash === KECCAK_EMPTY) return EMPTY_CODE
    let code = this.codeByHash.get(a.codeHash)
    if (!code) {
      code = await this.state.getCode(addr)
      if (this.codeByHash.size > 10_000) this.codeByHash.clear()
      this.codeByHash.set(a.codeHash, code)
    }
    return code
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    return word32(await this.getStorageWord(address, bytesToBigInt(key)))
  }

  /** The slot's current value if this transaction already read or wrote it through the adapter. */
  cachedStorageWord(address: Address, key: bigint): bigint | undefined {
    return this.words.get(hexOf(address))?.get(key)
  }

  /**
   * SLOAD without byte round trips (see fastOpcodes): the slot's value as a bigint, for a key given as a
   * bigint. Same read as `getStorage`.
   */
  async getStorageWord(address: Address, key: bigint): Promise<bigint> {
    const addr = hexOf(address)
    let slots = this.words.get(addr)
    const hit = slots?.get(key)
    if (hit !== undefined) return hit
    const v = BigInt(await this.state.getStorage(addr, wordHex(key)))
    slots = this.words.get(addr)
    if (slots === undefined) {
      slots = new Map()
      this.words.set(addr, slots)
    }
    slots.set(key, v)
    return v
  }

  /**
   * The slot's value before the transaction if known without a StateDb read: recorded, or (first use) the
   * cached current value, which is what `getOriginalStorageWord` would record.
   */
  cachedOriginalStorageWord(address: Address, key: bigint): bigint | undefined {
    const addr = hexOf(address)
    const known = this.originals.get(addr)?.get(key)
    if (known !== undefined) return known
    const current = this.words.get(addr)?.get(key)
    if (current !== undefined) this.recordOriginal(addr, key, current)
    return current
  }

  /** The slot's value before the transaction (as the interpreter's `originalStorageCache`), as a bigint. */
  async getOriginalStorageWord(address: Address, key: bigint): Promise<bigint> {
    const addr = hexOf(address)
    const known = this.originals.get(addr)?.get(key)
    if (known !== undefined) return known
    const v = await this.getStorageWord(address, key)
    this.recordOriginal(addr, key, v)
    return v
  }

  private recordOriginal(addr: Hex, key: bigint, value: bigint): void {
    let slots = this.originals.get(addr)
    if (slots === undefined) {
      slots = new Map()
      this.originals.set(addr, slots)
    }
    slots.set(key, value)
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    await this.putStorageWord(address, bytesToBigInt(key), value.length === 0 ? 0n : bytesToBigInt(value))
  }

  /** SSTORE without byte round trips: same write as `putStorage`, key and value as bigints. */
  async putStorageWord(address: Address, key: bigint, value: bigint): Promise<void> {
    const addr = hexOf(address)
    await this.state.putStorage(addr, wordHex(key), wordHex(value))
    let slots = this.words.get(addr)
    if (slots === undefined) {
      slots = new Map()
      this.words.set(addr, slots)
    }
    slots.set(key, value)
  }

  async clearStorage(address: Address): Promise<void> {
    const addr = hexOf(address)
    this.storageRoots.set(addr, EMPTY_ROOT_BYTES)
    this.words.delete(addr)
    await this.state.clearStorage(addr)
  }

  async checkpoint(): Promise<void> {
    this.state.checkpoint()
  }

  async commit(): Promise<void> {
    this.state.commit()
  }

  async revert(): Promise<void> {
    this.accounts.clear()
    this.words.clear()
    this.state.revert()
  }

  async getStateRoot(): Promise<Uint8Array> {
    return hexToBytes(await this.state.root())
  }

  async setStateRoot(): Promise<void> {
    throw new TypeError('setStateRoot is not supported: the StateDb is the state')
  }

  async hasStateRoot(): Promise<boolean> {
    return false
  }

  /** Forgets per-block caches (the committed storage roots change once the block's root is computed). */
  clearCaches(): void {
    this.storageRoots.clear()
    this.originals.clear()
    this.accounts.clear()
    this.words.clear()
  }

  shallowCopy(): StateManagerInterface {
    return this
  }
}
