import { bytesToHex } from './bytes.js'
import { PREDEPLOYS, ZERO_HASH } from './constants.js'
import { keccak256Hex } from './hash.js'
import type { GasStore } from './interfaces/gasModel.js'
import type { StateDb, StateReader } from './interfaces/state.js'
import type { Hex } from './types.js'

const encoder = new TextEncoder()

/**
 * The storage slot of a `GasStore` key in the `PREDEPLOYS.gasStore` account: keccak256 of the key's UTF-8 bytes.
 * One mapping for every VM and for the sequencer's admission checks, so they read the same windows.
 *
 * Slots are remembered across stores in one bounded table, so a VM's block store finds the slots the sequencer's
 * admission computed for the same transactions. `keccak256`, if given, hashes a key not seen yet (a faster
 * implementation of the same function, e.g. `@appchain/state`'s WebAssembly one); the slot is the same either way.
 *
 * @example
 * ```ts
 * gasStoreSlot('sp:q:0xabc') // '0x…' (32 bytes)
 * ```
 */
export function gasStoreSlot(key: string, keccak256?: (data: Uint8Array) => Uint8Array): Hex {
  let slot = slots.get(key)
  if (slot === undefined) {
    slot = keccak256 === undefined ? keccak256Hex(encoder.encode(key)) : bytesToHex(keccak256(encoder.encode(key)))
    // Bounded: a long-running sequencer sees ever new senders; start over rather than grow without end.
    if (slots.size >= MAX_SLOTS) slots.clear()
    slots.set(key, slot)
  }
  return slot
}

// keccak256 costs microseconds, admission builds a new store per transaction (validateTx) or batch for the same
// few keys per sender, and a block store asks again for the keys admission asked for: the slot of a key never
// changes, so remember it across stores.
const slots = new Map<string, Hex>()
const MAX_SLOTS = 65_536

/**
 * A `GasStore` on a state's `PREDEPLOYS.gasStore` storage (values as 32-byte big-endian words). On a read-only
 * `StateReader` (admission), `set` throws a `TypeError`.
 *
 * @example
 * ```ts
 * const store = stateGasStore(state)
 * await store.set('rl:u:0xabc', 3n)
 * ```
 */
export function stateGasStore(state: StateReader | StateDb): GasStore {
  return {
    async get(key) {
      return BigInt(await state.getStorage(PREDEPLOYS.gasStore, gasStoreSlot(key)))
    },
    // A batch's keys in one storage read (a model's `prefetch` through the admission cache) when the state has one.
    async getMany(keys) {
      const slots = keys.map((k) => gasStoreSlot(k))
      const words = state.getStorageMany
        ? await state.getStorageMany(PREDEPLOYS.gasStore, slots)
        : await Promise.all(slots.map((s) => state.getStorage(PREDEPLOYS.gasStore, s)))
      // A key never written reads as the zero word: no BigInt parse for it.
      return words.map((w) => (w === ZERO_HASH ? 0n : BigInt(w)))
    },
    async set(key, value) {
      if (value < 0n || value >= 2n ** 256n) throw new RangeError(`GasStore value out of range: ${key}=${value}`)
      if (!('putStorage' in state)) throw new TypeError('GasStore is read-only here (admission reads the latest state)')
      await state.putStorage(PREDEPLOYS.gasStore, gasStoreSlot(key), `0x${value.toString(16).padStart(64, '0')}`)
    },
  }
}
