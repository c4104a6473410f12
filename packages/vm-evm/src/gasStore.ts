import { bytesToHex, type GasStore, type Hex, KECCAK_EMPTY, PREDEPLOYS, type StateDb, ZERO_HASH } from '@appchain/core'
import { keccak256, keccakReady } from '@appchain/state'

const encoder = new TextEncoder()
const MAX = 1n << 256n

/**
 * A `GasStore` kept in the storage of the `PREDEPLOYS.gasStore` account, with core's key mapping
 * (`gasStoreSlot`: keccak256 of the key, the slots the sequencer's admission reads through core's
 * `stateGasStore`). Two differences from core's store, both for the VM: the slot of each key is computed once
 * per store (gas models touch the same keys many times in a block), with the state's WebAssembly keccak (the
 * same hash as core's `gasStoreSlot`, several times faster), and the account is created with nonce 1 on the
 * first write, so EIP-161 never removes it and its storage is part of the state root.
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
  const slots = new Map<string, Hex>()
  // Until the WebAssembly hasher is ready, keccak256 falls back to @noble/hashes: same slots either way.
  void keccakReady()
  // A key's UTF-8 bytes: ASCII keys (every model's) copied into a scratch buffer, where TextEncoder allocated and
  // cost about 0.5 µs per key (a block hashes each of its keys once).
  const scratch = new Uint8Array(128)
  const utf8 = (key: string): Uint8Array => {
    const n = key.length
    if (n <= scratch.length) {
      let i = 0
      for (; i < n; i++) {
        const c = key.charCodeAt(i)
        if (c > 0x7f) break
        scratch[i] = c
      }
      if (i === n) return scratch.subarray(0, n)
    }
    return encoder.encode(key)
  }
  const slotOf = (key: string): Hex => {
    let s = slots.get(key)
    if (s === undefined) {
      // core's bytesToHex: one flat string (Buffer's hex), where a string built digit pair by digit pair is a
      // rope the state then flattens to check and key it.
      s = bytesToHex(keccak256(utf8(key)))
      slots.set(key, s)
    }
    return s
  }
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
