import type { Address, BlockContext, BlockHeader, GasModel, Hex } from '@appchain/core'
import { keccak256Hex } from '@appchain/core'

/**
 * The context of the block after `parent`: fees from the gas model, a timestamp that never goes backwards
 * (seconds; blocks faster than 1 s share one), and a prevRandao derived from the parent hash so followers agree.
 *
 * @example
 * ```ts
 * const ctx = nextBlockContext({ parent: head.header, parentHash: head.hash, chainId: 4242n, gas, gasLimit: 30_000_000n, coinbase, nowMs: Date.now() })
 * ```
 */
export function nextBlockContext(input: {
  parent: BlockHeader
  parentHash: Hex
  chainId: bigint
  gas: GasModel
  gasLimit: bigint
  coinbase: Address
  nowMs: number
  getBlockHash?: ((n: bigint) => Hex | undefined) | undefined
}): BlockContext {
  const { parent } = input
  const now = BigInt(Math.floor(input.nowMs / 1000))
  return {
    chainId: input.chainId,
    number: parent.number + 1n,
    timestamp: now > parent.timestamp ? now : parent.timestamp,
    coinbase: input.coinbase,
    gasLimit: input.gasLimit,
    fees: input.gas.nextBlockFees({
      number: parent.number,
      gasLimit: parent.gasLimit,
      gasUsed: parent.gasUsed,
      baseFeePerGas: parent.baseFeePerGas,
    }),
    prevRandao: keccak256Hex(input.parentHash),
    parentHash: input.parentHash,
    getBlockHash: input.getBlockHash,
  }
}
