import type { AddressRecoverer } from './recoverAddress.js'

/** Bytes per packed signature: 32 hash + 64 (r, s) + 1 recovery. */
export const PACKED_SIG = 97
/** Bytes per packed result: 1 status + 20 address. */
export const PACKED_ADDR = 21

export interface RecoverTask {
  packed: Uint8Array
  backend: 'native' | 'noble'
}

/** Recovers every packed signature; a failed one gets status 0 (the caller raises the typed error). */
export function recoverPacked(packed: Uint8Array, recover: AddressRecoverer): Uint8Array {
  const n = packed.length / PACKED_SIG
  const out = new Uint8Array(n * PACKED_ADDR)
  for (let i = 0; i < n; i++) {
    const o = i * PACKED_SIG
    try {
      const addr = recover(packed.subarray(o, o + 32), packed.subarray(o + 32, o + 96), packed[o + 96]!)
      out[i * PACKED_ADDR] = 1
      out.set(addr, i * PACKED_ADDR + 1)
    } catch {
      out[i * PACKED_ADDR] = 0
    }
  }
  return out
}
