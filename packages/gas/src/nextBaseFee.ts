import type { HeaderFees } from '@appchain/core'

/** The EIP-1559 parameters `nextBaseFee` needs (already validated). */
export interface BaseFeeParams {
  elasticityMultiplier: bigint
  baseFeeChangeDenominator: bigint
  minBaseFee: bigint
  /** A fixed gas target; the EIP's `parent.gasLimit / elasticityMultiplier` when undefined. */
  targetGasPerBlock?: bigint | undefined
}

/**
 * The base fee of the block after `parent`, exactly as EIP-1559 specifies it (integer division, an increase
 * of at least 1 wei above target), then raised to `minBaseFee`.
 *
 * @example
 * ```ts
 * nextBaseFee(
 *   { number: 1n, gasLimit: 30_000_000n, gasUsed: 30_000_000n, baseFeePerGas: 1_000_000_000n },
 *   { elasticityMultiplier: 2n, baseFeeChangeDenominator: 8n, minBaseFee: 0n },
 * ) // 1_125_000_000n: a full block raises the base fee by 1/8
 * ```
 */
export function nextBaseFee(parent: HeaderFees, params: BaseFeeParams): bigint {
  const target = params.targetGasPerBlock ?? parent.gasLimit / params.elasticityMultiplier
  const base = parent.baseFeePerGas
  let next: bigint
  if (target === 0n || parent.gasUsed === target) {
    // A zero target (gas limit below the elasticity multiplier) has no meaningful ratio; hold the fee.
    next = base
  } else if (parent.gasUsed > target) {
    const delta = (base * (parent.gasUsed - target)) / target / params.baseFeeChangeDenominator
    next = base + (delta > 1n ? delta : 1n)
  } else {
    const delta = (base * (target - parent.gasUsed)) / target / params.baseFeeChangeDenominator
    next = base > delta ? base - delta : 0n
  }
  return next < params.minBaseFee ? params.minBaseFee : next
}
