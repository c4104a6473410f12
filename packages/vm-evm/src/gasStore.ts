import { type GasStore, type Hex, KECCAK_EMPTY, keccak256, PREDEPLOYS, type StateDb } from '@appchain/core'
import { toHex as bytesToHex } from './hex.js'

const encoder = new TextEncoder()

/**
 * A `GasStore` kept in the storage of the `PREDEPLOYS.gasStore` account (slot = keccak256 of the key),
 * so gas-model windows are part of the state root and survive restarts. The account is created with
 * nonce 1 on the first write so EIP-161 never removes it.
 *
 * @example
 * ```ts
 * const store = stateGasStore(state)
 * await store.set('quota:0xabc', 5n)
 * await store.get('quota:0xabc') // 5n
 * ```
 */
export function stateGasStore(state: StateDb, address: Hex = PREDEPLOYS.gasStore): GasStore {
  const slots = new Map<string, Hex>()
  const slotOf = (key: string): Hex => {
    let s = slots.get(key)
    if (!s) {
      s = bytesToHex(keccak256(encoder.encode(key)))
      slots.set(key, s)
    }
    return s
  }
  return {
    async get(key) {
      return BigInt(await state.getStorage(address, slotOf(key)))
    },
    async set(key, value) {
      if (value < 0n || value >= 2n ** 256n) throw new RangeError(`GasStore value out of range: ${value}`)
      if (!(await state.getAccount(address)))
        await state.putAccount(address, { nonce: 1n, balance: 0n, codeHash: KECCAK_EMPTY })
      await state.putStorage(address, slotOf(key), `0x${value.toString(16).padStart(64, '0')}`)
    },
  }
}
