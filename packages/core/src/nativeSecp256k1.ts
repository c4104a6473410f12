import { createRequire } from 'node:module'

/** The parts of libsecp256k1's N-API binding (package `secp256k1`) that appchain uses. */
export interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean, output?: Uint8Array): Uint8Array
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number }
}

let native: NativeSecp256k1 | null | undefined

/**
 * The native libsecp256k1 binding of the `secp256k1` package (its N-API prebuild, not the `elliptic`
 * fallback the package's main entry would pick silently), or `null` where it does not load; callers then
 * use @noble/curves. Loaded once per thread.
 *
 * @example
 * ```ts
 * const lib = loadNativeSecp256k1()
 * const backend = lib ? 'native' : 'noble'
 * ```
 */
export function loadNativeSecp256k1(): NativeSecp256k1 | null {
  if (native !== undefined) return native
  try {
    native = createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp256k1
  } catch {
    native = null
  }
  return native
}
