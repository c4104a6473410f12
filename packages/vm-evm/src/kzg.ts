import type { KZG } from '@ethereumjs/util'
import { loadKZG } from 'kzg-wasm'

let loading: Promise<KZG> | undefined

/**
 * The KZG library the point-evaluation precompile (0x0a) verifies proofs with: `kzg-wasm` with the
 * Ethereum mainnet trusted setup, loaded once per process.
 *
 * @example
 * ```ts
 * const kzg = await loadKzg()
 * kzg.verifyProof(commitment, z, y, proof) // boolean
 * ```
 */
export function loadKzg(): Promise<KZG> {
  loading ??= loadKZG().then((k) => k as unknown as KZG)
  return loading
}
