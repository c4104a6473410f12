import type { Hex } from '@appchain/core'
import { bytesToHex } from '@appchain/core'
import { keccak256 } from '@appchain/state'

/**
 * The account trie's root over its 16 first-nibble subtries, as the sharded prototypes build it: the root
 * branch's RLP (a hashed ref for each non-empty subtrie, 0x80 for an empty one, no value) and its keccak. Each
 * ref must be a 32-byte hash (a subtrie of 63-nibble leaf paths always is).
 *
 * @example
 * ```ts
 * rootBranch(refsByNibble) // '0x…' state root
 * ```
 */
export function rootBranch(refs: readonly (Uint8Array | undefined)[]): Hex {
  const payload = refs.reduce((s, r) => s + (r ? 33 : 1), 1)
  const enc = new Uint8Array(3 + payload)
  enc[0] = 0xf9
  enc[1] = payload >> 8
  enc[2] = payload & 0xff
  let at = 3
  for (let n = 0; n < 16; n++) {
    const r = refs[n]
    if (r) {
      enc[at++] = 0xa0
      enc.set(r, at)
      at += 32
    } else enc[at++] = 0x80
  }
  enc[at++] = 0x80
  return bytesToHex(keccak256(enc.subarray(0, at)))
}
