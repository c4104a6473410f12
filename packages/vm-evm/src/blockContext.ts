import type { BlockContext } from '@appchain/core'
import type { Hardfork } from './hardfork.js'

/** The block context plus the EIP-4844 excess blob gas (BLOBBASEFEE); 0 on an L2 without blobs. */
export type EvmBlockContext = BlockContext & { excessBlobGas?: bigint | undefined }

function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  let i = 1n
  let output = 0n
  let acc = factor * denominator
  while (acc > 0n) {
    output += acc
    acc = (acc * numerator) / (denominator * i)
    i++
  }
  return output / denominator
}

/**
 * The blob base fee of a block (EIP-4844, with Prague's EIP-7691 update fraction).
 *
 * @example
 * ```ts
 * blobGasPrice(0n, 'cancun') // 1n
 * ```
 */
export function blobGasPrice(excessBlobGas: bigint, hardfork: Hardfork): bigint {
  return fakeExponential(1n, excessBlobGas, hardfork === 'prague' ? 5_007_716n : 3_338_477n)
}
