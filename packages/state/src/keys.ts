// Db key layout of @appchain/state. Everything it writes starts with 'S' (0x53), so it can share one
// Db (and one atomic batch) with the chain's blocks.
import type { Address, Hex } from '@appchain/core'
import { fromHex } from './hex.js'

export const ACCOUNT_PREFIX = new Uint8Array([0x53, 0x61]) // 'Sa' + address -> rlp([nonce, balance, storageRoot, codeHash])
export const STORAGE_PREFIX = new Uint8Array([0x53, 0x73]) // 'Ss' + address + slot -> value without leading zeros
export const CODE_PREFIX = new Uint8Array([0x53, 0x63]) // 'Sc' + codeHash -> code
export const META_ROOT_KEY = new Uint8Array([0x53, 0x6d, 0x72]) // 'Smr' -> root of the flat state

export function accountKey(address: Address): Uint8Array {
  const k = new Uint8Array(22)
  k.set(ACCOUNT_PREFIX)
  k.set(fromHex(address), 2)
  return k
}

export function storagePrefix(address: Address): Uint8Array {
  const k = new Uint8Array(22)
  k.set(STORAGE_PREFIX)
  k.set(fromHex(address), 2)
  return k
}

export function storageKey(address: Address, slot: Hex): Uint8Array {
  const k = new Uint8Array(54)
  k.set(STORAGE_PREFIX)
  k.set(fromHex(address), 2)
  k.set(fromHex(slot), 22)
  return k
}

export function codeKey(codeHash: Hex): Uint8Array {
  const k = new Uint8Array(34)
  k.set(CODE_PREFIX)
  k.set(fromHex(codeHash), 2)
  return k
}

/** The first key after every key that starts with `prefix`. */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = prefix.slice()
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  throw new RangeError('prefix has no end')
}
