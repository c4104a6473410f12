import { FeeTooLowError, GasModelConfigError, TipAboveFeeCapError, UnknownFeeTokenError } from '@appchain/core'
import { runGasModelConformance } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { ALICE, COINBASE, caught, ctx, tx, VAULT } from '../test/txs.js'
import { eip1559 } from './eip1559.js'

const gwei = 1_000_000_000n

runGasModelConformance({
  create: () => eip1559(),
  admissibleTxs: [
    tx({ fee: { maxFeePerGas: 2n * gwei, maxPriorityFeePerGas: gwei } }),
    tx({ gasLimit: 100_000n, fee: { maxFeePerGas: gwei, maxPriorityFeePerGas: 0n } }),
  ],
})
runGasModelConformance({
  name: 'eip1559 to a vault with a floor',
  create: () => eip1559({ feeRecipient: VAULT, minBaseFee: gwei / 2n, initialBaseFee: gwei }),
  admissibleTxs: [tx({ fee: { maxFeePerGas: 3n * gwei, maxPriorityFeePerGas: 2n * gwei } })],
})

describe('eip1559', () => {
  it('starts at the initial base fee and moves by the EIP formula', () => {
    const m = eip1559({ initialBaseFee: 800n * gwei })
    expect(m.genesisFees()).toEqual({ baseFeePerGas: 800n * gwei })
    expect(m.nextBlockFees({ number: 1n, gasLimit: 30_000_000n, gasUsed: 0n, baseFeePerGas: 800n * gwei })).toEqual({
      baseFeePerGas: 700n * gwei,
    })
    const fixed = eip1559({ targetGasPerBlock: 15_000_000n })
    expect(
      fixed.nextBlockFees({ number: 1n, gasLimit: 60_000_000n, gasUsed: 30_000_000n, baseFeePerGas: 1_000n }),
    ).toEqual({ baseFeePerGas: 1_125n })
  })

  it('burns the base fee and pays the tip to the coinbase, with the exact effective price', async () => {
    const m = eip1559()
    const c = ctx({ fees: { baseFeePerGas: 10n * gwei } })
    const t = tx({ gasLimit: 50_000n, fee: { maxFeePerGas: 30n * gwei, maxPriorityFeePerGas: 2n * gwei } })
    await m.admit(t, c)
    expect(await m.upfront(t, c)).toEqual({ payer: ALICE, amount: 50_000n * 12n * gwei })
    const charge = await m.charge(t, 21_000n, c)
    expect(charge).toEqual({
      payer: ALICE,
      amount: 21_000n * 12n * gwei,
      burnt: 21_000n * 10n * gwei,
      credits: [{ to: COINBASE, amount: 21_000n * 2n * gwei }],
      effectiveGasPrice: 12n * gwei,
    })
    expect(m.priority(t, c.fees)).toBe(2n * gwei)
  })

  it('caps the price at maxFeePerGas, so the tip shrinks', async () => {
    const m = eip1559()
    const c = ctx({ fees: { baseFeePerGas: 10n * gwei } })
    const t = tx({ fee: { maxFeePerGas: 11n * gwei, maxPriorityFeePerGas: 5n * gwei } })
    const charge = await m.charge(t, 21_000n, c)
    expect(charge.effectiveGasPrice).toBe(11n * gwei)
    expect(charge.credits).toEqual([{ to: COINBASE, amount: 21_000n * gwei }])
    expect(m.priority(t, c.fees)).toBe(gwei)
  })

  it('sends the base fee to a vault when configured, and credits nothing for a zero tip', async () => {
    const m = eip1559({ feeRecipient: VAULT.toUpperCase().replace('0X', '0x') as `0x${string}` })
    const c = ctx({ fees: { baseFeePerGas: 7n } })
    const t = tx({ fee: { maxFeePerGas: 7n, maxPriorityFeePerGas: 0n } })
    expect(await m.charge(t, 21_000n, c)).toEqual({
      payer: ALICE,
      amount: 147_000n,
      burnt: 0n,
      credits: [{ to: VAULT, amount: 147_000n }],
      effectiveGasPrice: 7n,
    })
  })

  it('splits every charge as addToSplit does: burnt or to the vault, tip to the coinbase, one credit when they are the same account', async () => {
    const { addToSplit } = await import('./feeRecipient.js')
    const gasUsed = 21_000n
    for (const feeRecipient of ['burn', VAULT, COINBASE] as const) {
      const m = eip1559({ feeRecipient })
      for (const [base, cap, tip] of [
        [7n, 7n, 0n],
        [7n, 10n, 2n],
        [0n, 5n, 5n],
        [0n, 0n, 0n],
        [7n, 20n, 20n],
      ] as const) {
        const c = ctx({ fees: { baseFeePerGas: base } })
        const t = tx({ fee: { maxFeePerGas: cap, maxPriorityFeePerGas: tip } })
        const price = cap < base + tip ? cap : base + tip
        const split = { burnt: 0n, credits: [] as { to: `0x${string}`; amount: bigint }[] }
        addToSplit(split, feeRecipient, gasUsed * base, COINBASE)
        addToSplit(split, 'coinbase', gasUsed * (price - base), COINBASE)
        expect(await m.charge(t, gasUsed, c)).toEqual({
          payer: ALICE,
          amount: gasUsed * price,
          burnt: split.burnt,
          credits: split.credits,
          effectiveGasPrice: price,
        })
      }
    }
  })

  it('quotes base fee plus the suggested tip', () => {
    expect(eip1559().quote({ baseFeePerGas: 5n })).toEqual({ gasPrice: 1_000_005n, maxPriorityFeePerGas: 1_000_000n })
    expect(eip1559({ suggestedPriorityFee: 0n }).quote({ baseFeePerGas: 5n })).toEqual({
      gasPrice: 5n,
      maxPriorityFeePerGas: 0n,
    })
  })

  it('refuses a fee cap below the base fee, a tip above the cap and fee tokens, with the values', async () => {
    const m = eip1559()
    const c = ctx({ fees: { baseFeePerGas: 10n } })
    const low = await caught(() => m.admit(tx({ fee: { maxFeePerGas: 9n, maxPriorityFeePerGas: 0n } }), c))
    expect(low).toBeInstanceOf(FeeTooLowError)
    expect((low as FeeTooLowError).data).toEqual({ offered: 9n, required: 10n, model: 'eip1559' })
    const tip = await caught(() => m.admit(tx({ fee: { maxFeePerGas: 20n, maxPriorityFeePerGas: 21n } }), c))
    expect(tip).toBeInstanceOf(TipAboveFeeCapError)
    const token = await caught(() =>
      m.admit(tx({ fee: { feeToken: '0x00000000000000000000000000000000000000ee' } }), c),
    )
    expect(token).toBeInstanceOf(UnknownFeeTokenError)
  })

  it('refuses at upfront (before any debit) when the base fee rose past the cap after admission', async () => {
    const m = eip1559()
    const t = tx({ fee: { maxFeePerGas: 10n, maxPriorityFeePerGas: 1n } })
    await m.admit(t, ctx({ fees: { baseFeePerGas: 10n } }))
    expect(await caught(() => m.upfront(t, ctx({ fees: { baseFeePerGas: 11n } })))).toBeInstanceOf(FeeTooLowError)
  })

  it('refuses impossible configs at construction with the field named', () => {
    const cases: [Parameters<typeof eip1559>[0], string][] = [
      [{ baseFeeChangeDenominator: 0n }, 'baseFeeChangeDenominator'],
      [{ elasticityMultiplier: 0n }, 'elasticityMultiplier'],
      [{ minBaseFee: -1n }, 'minBaseFee'],
      [{ initialBaseFee: -5n }, 'initialBaseFee'],
      [{ minBaseFee: 10n, initialBaseFee: 5n }, 'initialBaseFee'],
      [{ targetGasPerBlock: 0n }, 'targetGasPerBlock'],
      [{ feeRecipient: '0x1234' }, 'feeRecipient'],
    ]
    for (const [config, field] of cases) {
      let error: unknown
      try {
        eip1559(config)
      } catch (e) {
        error = e
      }
      expect(error, field).toBeInstanceOf(GasModelConfigError)
      expect((error as GasModelConfigError).data?.field).toBe(field)
    }
    expect(() => eip1559({ minBaseFee: 1 as unknown as bigint })).toThrow(TypeError)
  })
})
