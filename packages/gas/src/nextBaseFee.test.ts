import { createBlockHeader, paramsBlock } from '@ethereumjs/block'
import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import { describe, expect, it } from 'vitest'
import { nextBaseFee } from './nextBaseFee.js'

const mainnet = { elasticityMultiplier: 2n, baseFeeChangeDenominator: 8n, minBaseFee: 0n }

/** The EIP's Python reference, transcribed line by line (no floor at minBaseFee). */
function eipReference(parent: { gasLimit: bigint; gasUsed: bigint; baseFeePerGas: bigint }, e: bigint, d: bigint) {
  const parentGasTarget = parent.gasLimit / e
  if (parent.gasUsed === parentGasTarget) return parent.baseFeePerGas
  if (parent.gasUsed > parentGasTarget) {
    const gasUsedDelta = parent.gasUsed - parentGasTarget
    const x = (parent.baseFeePerGas * gasUsedDelta) / parentGasTarget / d
    return parent.baseFeePerGas + (x > 1n ? x : 1n)
  }
  const gasUsedDelta = parentGasTarget - parent.gasUsed
  return parent.baseFeePerGas - (parent.baseFeePerGas * gasUsedDelta) / parentGasTarget / d
}

/** A deterministic 64-bit generator (xorshift), so failures reproduce. */
function rng(seed: bigint) {
  let s = seed
  return (max: bigint) => {
    s ^= (s << 13n) & 0xffff_ffff_ffff_ffffn
    s ^= s >> 7n
    s ^= (s << 17n) & 0xffff_ffff_ffff_ffffn
    return s % max
  }
}

describe('nextBaseFee', () => {
  it('matches exact values for full, empty, on-target and slightly-above-target blocks', () => {
    const p = { number: 1n, gasLimit: 30_000_000n, baseFeePerGas: 1_000_000_000n }
    expect(nextBaseFee({ ...p, gasUsed: 30_000_000n }, mainnet)).toBe(1_125_000_000n)
    expect(nextBaseFee({ ...p, gasUsed: 0n }, mainnet)).toBe(875_000_000n)
    expect(nextBaseFee({ ...p, gasUsed: 15_000_000n }, mainnet)).toBe(1_000_000_000n)
    // 1 gas above target at a tiny base fee: the EIP's minimum increase of 1 wei.
    expect(nextBaseFee({ ...p, baseFeePerGas: 7n, gasUsed: 15_000_001n }, mainnet)).toBe(8n)
    // 22.5M of a 15M target: +1/16.
    expect(nextBaseFee({ ...p, gasUsed: 22_500_000n }, mainnet)).toBe(1_062_500_000n)
  })

  it('respects minBaseFee, a fixed target and custom parameters', () => {
    const p = { number: 1n, gasLimit: 30_000_000n, gasUsed: 0n, baseFeePerGas: 100n }
    expect(nextBaseFee(p, { ...mainnet, minBaseFee: 95n })).toBe(95n)
    expect(nextBaseFee(p, mainnet)).toBe(88n)
    // A 10M fixed target with 20M used: +1/8 whatever the gas limit says.
    expect(nextBaseFee({ ...p, gasUsed: 20_000_000n }, { ...mainnet, targetGasPerBlock: 10_000_000n })).toBe(112n)
    // Optimism's parameters (elasticity 6, denominator 250): a full block raises by 5/250.
    const op = { elasticityMultiplier: 6n, baseFeeChangeDenominator: 250n, minBaseFee: 0n }
    expect(nextBaseFee({ ...p, baseFeePerGas: 1_000_000n, gasUsed: 30_000_000n }, op)).toBe(1_020_000n)
  })

  it('holds the fee when the target is zero instead of dividing by zero', () => {
    expect(nextBaseFee({ number: 1n, gasLimit: 1n, gasUsed: 1n, baseFeePerGas: 50n }, mainnet)).toBe(50n)
  })

  it("equals the EIP's formula and @ethereumjs/block's calcNextBaseFee on 2,000 random parents", () => {
    const next = rng(0x9e3779b97f4a7c15n)
    const paramSets = [
      { e: 2n, d: 8n },
      { e: 6n, d: 250n },
      { e: 4n, d: 50n },
    ]
    let checked = 0
    for (const { e, d } of paramSets) {
      const common = new Common({ chain: Mainnet, hardfork: Hardfork.London })
      // The header installs its own params over the Common's, so custom EIP-1559 values go through `params`.
      const params = {
        ...paramsBlock,
        1559: { ...paramsBlock[1559], elasticityMultiplier: Number(e), baseFeeMaxChangeDenominator: Number(d) },
      }
      for (let i = 0; i < 667; i++) {
        const gasLimit = 5_000n + next(60_000_000n)
        // Bias a third of the samples to exactly the target, empty and full blocks.
        const kind = next(6n)
        const gasUsed = kind === 0n ? gasLimit / e : kind === 1n ? 0n : kind === 2n ? gasLimit : next(gasLimit + 1n)
        const baseFeePerGas = next(4n) === 0n ? next(16n) : next(10n ** 12n)
        const parent = { number: 1n, gasLimit, gasUsed, baseFeePerGas }
        const ours = nextBaseFee(parent, { elasticityMultiplier: e, baseFeeChangeDenominator: d, minBaseFee: 0n })
        const header = createBlockHeader({ number: 1n, gasLimit, gasUsed, baseFeePerGas }, { common, params })
        expect(ours, JSON.stringify({ gasLimit: `${gasLimit}`, gasUsed: `${gasUsed}`, b: `${baseFeePerGas}` })).toBe(
          header.calcNextBaseFee(),
        )
        expect(ours).toBe(eipReference(parent, e, d))
        checked++
      }
    }
    expect(checked).toBe(2001)
  })
})
