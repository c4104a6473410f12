import { InvalidSignatureError, keccak256, loadNativeSecp256k1 } from '@appchain/core'
import { secp256k1 as nobleSecp } from '@noble/curves/secp256k1.js'

/** Recovers the 20-byte address that signed `hash` with (`r`,`s`,`recovery`); throws `InvalidSignatureError`. */
export type AddressRecoverer = (hash: Uint8Array, sig64: Uint8Array, recovery: number) => Uint8Array

function addressOfPublicKey(pub65: Uint8Array): Uint8Array {
  return keccak256(pub65.subarray(1)).subarray(12)
}

/**
 * Address recovery through the native libsecp256k1 binding; `undefined` when the binding does not load.
 *
 * @example
 * ```ts
 * const recover = nativeRecoverer() ?? nobleRecoverer
 * recover(signingHash, sig64, 0) // Uint8Array(20)
 * ```
 */
export function nativeRecoverer(): AddressRecoverer | undefined {
  const lib = loadNativeSecp256k1()
  if (!lib) return undefined
  const out = new Uint8Array(65)
  return (hash, sig64, recovery) => {
    try {
      lib.ecdsaRecover(sig64, recovery, hash, false, out)
    } catch (e) {
      throw new InvalidSignatureError(`public key cannot be recovered: ${(e as Error).message}`)
    }
    return addressOfPublicKey(out).slice()
  }
}

/**
 * Address recovery in pure JavaScript with `@noble/curves` (about 20× slower than native; the fallback).
 *
 * @example
 * ```ts
 * nobleRecoverer(signingHash, sig64, 1) // Uint8Array(20)
 * ```
 */
export const nobleRecoverer: AddressRecoverer = (hash, sig64, recovery) => {
  try {
    const sig = nobleSecp.Signature.fromBytes(sig64, 'compact').addRecoveryBit(recovery)
    return addressOfPublicKey(sig.recoverPublicKey(hash).toBytes(false))
  } catch (e) {
    throw new InvalidSignatureError(`public key cannot be recovered: ${(e as Error).message}`)
  }
}

/**
 * The fastest recoverer available: native when the binding loads, noble otherwise.
 *
 * @example
 * ```ts
 * const recover = defaultRecoverer()
 * ```
 */
export function defaultRecoverer(): AddressRecoverer {
  return nativeRecoverer() ?? nobleRecoverer
}

/** `r` and `s` as the 64-byte compact signature both libraries take. */
export function compactSignature(r: bigint, s: bigint): Uint8Array {
  const out = new Uint8Array(64)
  let x = r
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  x = s
  for (let i = 63; i >= 32; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}
