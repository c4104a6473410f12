import {
  type GasStore,
  gasStoreSlot,
  type Hex,
  KECCAK_EMPTY,
  PREDEPLOYS,
  type StateDb,
  ZERO_HASH,
} from '@appchain/core'
import { keccak256, keccakReady } from '@appchain/state'

const MAX = 1n << 256n

/**
 * A `GasStore` kept in the storage of the `PREDEPLOYS.gasStore` account, with core's key mapping
 * (`gasStoreSlot`: keccak256 of the key, the slots the sequencer's admission reads through core's
 * `stateGasStore`, whose table of slots it shares: a block finds the slots admission computed, and hashes a new
 * key with the state's WebAssembly keccak, the same hash several times faster). One difference from core's store,
 * for the VM: the account is created with nonce 1 on the first write, so EIP-161 never removes it and its
 * storage is part of the state root.
 *
 * @example
 * ```ts
 * const store = stateGasStore(state)
 * await store.set('quota:0xabc', 5n)
 * await store.get('quota:0xabc') // 5n
 * ```
 */
export function stateGasStore(state: StateDb): GasStore {
  const address = PREDEPLOYS.gasStore
  // Until the WebAssembly hasher is ready, keccak256 falls back to @noble/hashes: same slots either way.
  void keccakReady()
  // core's table of slots, shared with the sequencer's admission store: a block finds the slots of its senders'
  // keys computed when their transactions were admitted; a key not seen yet is hashed with the state's keccak.
  const slotOf = (key: string): Hex => gasStoreSlot(key, keccak256)
  const check = (key: string, value: bigint) => {
    if (value < 0n || value >= MAX) throw new RangeError(`GasStore value out of range: ${key}=${value}`)
  }
  const ensureAccount = async () => {
    if (!(await state.getAccount(address)))
      await state.putAccount(address, { nonce: 1n, balance: 0n, codeHash: KECCAK_EMPTY })
  }
  const word = (value: bigint): Hex => `0x${value.toString(16).padStart(64, '0')}`
  return {
    async get(key) {
      return BigInt(await state.getStorage(address, slotOf(key)))
    },
    // A block's prefetch: every key in one batched storage read when the state has one.
    async getMany(keys) {
      const slots = keys.map(slotOf)
      const words = state.getStorageMany
        ? await state.getStorageMany(address, slots)
        : await Promise.all(slots.map((s) => state.getStorage(address, s)))
      // A key never written reads as the zero word: no BigInt parse for it (new senders are the common case).
      return words.map((w) => (w === ZERO_HASH ? 0n : BigInt(w)))
    },
    async set(key, value) {
      check(key, value)
      await ensureAccount()
      await state.putStorage(address, slotOf(key), word(value))
    },
    // A block's flush: the account is checked once for all the keys, not once per key.
    async setMany(entries) {
      // Indexed loops: once per block, mostly unoptimised, where a for-of (and destructuring) allocates per entry.
      for (let i = 0; i < entries.length; i++) check(entries[i]![0], entries[i]![1])
      if (entries.length === 0) return
      await ensureAccount()
      const words: [Hex, Hex][] = new Array(entries.length)
      for (let i = 0; i < entries.length; i++) words[i] = [slotOf(entries[i]![0]), word(entries[i]![1])]
      if (state.putStorageMany) await state.putStorageMany(address, words)
      else for (let i = 0; i < words.length; i++) await state.putStorage(address, words[i]![0], words[i]![1])
    },
  }
}
