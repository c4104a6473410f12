// Db key layout of @appchain/state. Everything it writes starts with 'S' (0x53), so it can share one
// Db (and one atomic batch) with the chain's blocks.
import type { Address, Hex } from '@appchain/core'
import { fromHex, fromHexInto } from './hex.js'

/**
 * Db key prefixes of the flat state (public so a node can scan or size them).
 *
 * @example
 * ```ts
 * for await (const [key, record] of db.iterator({ gte: ACCOUNT_PREFIX, lt: Uint8Array.of(0x53, 0x62) })) decodeAccount(record)
 * ```
 */
export const ACCOUNT_PREFIX = new Uint8Array([0x53, 0x61]) // 'Sa' + address -> rlp([nonce, balance, storageRoot, codeHash])
/** `Ss` + address + slot -> value without leading zeros. @example `storageKey(address, slot)` */
export const STORAGE_PREFIX = new Uint8Array([0x53, 0x73])
/** `Sc` + codeHash -> code. @example `codeKey(codeHash)` */
export const CODE_PREFIX = new Uint8Array([0x53, 0x63])
/** `Smr` -> the root the flat state is at (written by every flush). @example `await db.get(META_ROOT_KEY)` */
export const META_ROOT_KEY = new Uint8Array([0x53, 0x6d, 0x72])

export function accountKey(address: Address): Uint8Array {
  const k = new Uint8Array(22)
  k[0] = 0x53
  k[1] = 0x61
  fromHexInto(address, k, 2)
  return k
}

export function storagePrefix(address: Address): Uint8Array {
  const k = new Uint8Array(22)
  k.set(STORAGE_PREFIX)
  k.set(fromHex(address), 2)
  return k
}

export function storageKey(address: Address, slot: Hex): Uint8Array {
  return storageKeyAt(storagePrefix(address), slot)
}

/** `storageKey` from the account's `storagePrefix`, made once for many slots. */
export function storageKeyAt(prefix: Uint8Array, slot: Hex): Uint8Array {
  const k = new Uint8Array(54)
  k.set(prefix)
  fromHexInto(slot, k, 22)
  return k
}

/**
 * `storageKeyAt` for many slots, the keys side by side in one buffer (a view each): one allocation for the batch
 * instead of a buffer per slot, and a Db that reads a key's `.buffer` (memoryDb, Buffer views) finds it made.
 */
export function storageKeysAt(prefix: Uint8Array, slots: readonly Hex[]): Uint8Array[] {
  const all = new Uint8Array(slots.length * 54)
  const keys: Uint8Array[] = new Array(slots.length)
  for (let i = 0; i < slots.length; i++) {
    const k = all.subarray(i * 54, i * 54 + 54)
    k.set(prefix)
    fromHexInto(slots[i]!, k, 22)
    keys[i] = k
  }
  return keys
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
