import type { Account, Address, Hex } from '../types.js'
import type { DbOp } from './db.js'

/** Read access to the world state, as a VM's admission checks and RPC reads need it. */
export interface StateReader {
  getAccount(address: Address): Promise<Account | undefined>
  /** The 32-byte value of a storage slot (zero when unset). `slot` is 32-byte hex. */
  getStorage(address: Address, slot: Hex): Promise<Hex>
  getCode(address: Address): Promise<Uint8Array>
  /**
   * Optional: `getAccount` for many addresses in one call (one batched read of the store for those not
   * in memory), in order. Same results as calling `getAccount` for each.
   */
  getAccounts?(addresses: readonly Address[]): Promise<(Account | undefined)[]>
  /**
   * Optional: `getStorage` for many slots of one account in one call (one batched read of the store for those
   * not in memory), in order. Same results as calling `getStorage` for each.
   */
  getStorageMany?(address: Address, slots: readonly Hex[]): Promise<Hex[]>
}

/** A Merkle proof in the `eth_getProof` format. */
export interface AccountProof {
  address: Address
  accountProof: Hex[]
  balance: bigint
  codeHash: Hex
  nonce: bigint
  storageHash: Hex
  storageProof: { key: Hex; value: bigint; proof: Hex[] }[]
}

/**
 * The mutable world state a VM executes on: flat key-value reads and writes, nested checkpoints,
 * and a Merkle commitment whose roots equal Ethereum's. Implemented by `@appchain/state`.
 */
export interface StateDb extends StateReader {
  /** Writes an account; `undefined` deletes it (and its storage). */
  putAccount(address: Address, account: Account | undefined): Promise<void>
  /**
   * Optional: `putAccount` for many accounts in one call (a block's flush): `accounts[i]` goes to `addresses[i]`, in
   * order; checks every entry before writing any. Same effect as calling `putAccount` for each.
   */
  putAccounts?(addresses: readonly Address[], accounts: readonly (Account | undefined)[]): Promise<void>
  /** Writes a 32-byte storage value; the zero value deletes the slot. */
  putStorage(address: Address, slot: Hex, value: Hex): Promise<void>
  /**
   * Optional: `putStorage` for many slots of one account in one call, in the order given (a block's gas-store
   * flush); checks every slot and value before writing any. Same effect as calling `putStorage` for each.
   */
  putStorageMany?(address: Address, entries: readonly (readonly [slot: Hex, value: Hex])[]): Promise<void>
  putCode(address: Address, code: Uint8Array): Promise<void>
  /** Removes every storage slot of an account (contract re-creation). */
  clearStorage(address: Address): Promise<void>

  /** Opens a nested checkpoint; `commit` folds it into its parent, `revert` discards it. */
  checkpoint(): void
  commit(): void
  revert(): void

  /** The state root of the current state (hashes only what changed since the last root). */
  root(): Promise<Hex>
  /** The storage root of one account as committed by `root()`. */
  storageRoot(address: Address): Promise<Hex>
  /**
   * Ends a block: computes the root and returns the ops that persist it, to be written in the same
   * atomic `Db.batch` as the block itself. After `flush`, the state reads from its committed base.
   */
  flush(): Promise<{ root: Hex; ops: DbOp[] }>
  /** `eth_getProof` for the current state. */
  getProof(address: Address, slots: Hex[]): Promise<AccountProof>
  /** A view of the same state at a past root, where the store keeps it; undefined otherwise. */
  at?(root: Hex): Promise<StateDb | undefined>
}
