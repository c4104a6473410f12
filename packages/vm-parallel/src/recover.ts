import type { Address } from '@appchain/core'
import { bytesToHex, InvalidSignatureError, loadNativeSecp256k1 } from '@appchain/core'
import { keccak256 } from '@appchain/state'
import { secp256k1 } from '@noble/curves/secp256k1.js'

const loadNative = loadNativeSecp256k1

/** Which implementation `recoverSigner` uses here: native libsecp256k1 (about 16k/s per core) or noble (about 600/s). */
export function recoveryBackend(): 'native' | 'noble' {
  return loadNative() ? 'native' : 'noble'
}

const out65 = new Uint8Array(65)

/**
 * The address that signed a 32-byte digest with a 65-byte `r || s || v` signature (v = 27 or 28).
 * Uses native libsecp256k1 where it loads, @noble/curves otherwise.
 *
 * @example
 * ```ts
 * recoverSigner(signingDigest(request, schema), signature) // '0x...'
 * ```
 */
export function recoverSigner(digest: Uint8Array, signature: Uint8Array, backend = recoveryBackend()): Address {
  const recovery = signature[64]! - 27
  let pub: Uint8Array
  try {
    if (backend === 'native') {
      loadNative()!.ecdsaRecover(signature.subarray(0, 64), recovery, digest, false, out65)
      pub = out65
    } else {
      pub = secp256k1.Signature.fromBytes(signature.subarray(0, 64), 'compact')
        .addRecoveryBit(recovery)
        .recoverPublicKey(digest)
        .toBytes(false)
    }
  } catch (e) {
    throw new InvalidSignatureError(`public key cannot be recovered: ${(e as Error).message}`)
  }
  return bytesToHex(keccak256(pub.subarray(1)).subarray(12)) as Address
}
