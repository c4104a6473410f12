import { FeeTooLowError, GasModelConfigError, UnknownFeeTokenError } from '@appchain/core'
import { runGasModelConformance } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { ALICE, COINBASE, caught, ctx, tx, VAULT } from '../test/txs.js'
import { flatFee } from './flatFee.js'

const TOKEN = '0x00000000000000000000000000000000000000ee'

runGasModelConformance({
  create: () => flatFee({ perTx: 1_000_000n, perByte: 10n }),
  admissibleTxs: [tx({ size: 110 }), tx({ size: 2_000, gasLimit: 90_000n })],
})
runGasModelConformance({
  name: 'flatFee in a token, burnt',
  create: () => flatFee({ perTx: 5n, token: TOKEN, feeRecipient: 'burn' }),
  admissibleTxs: [tx({ fee: { feeToken: TOKEN } }), tx()],
})

describe('flatFee', () => {
  it('charges perTx + perByte × size whatever the gas used, to the coinbase', async () => {
    const m = flatFee({ perTx: 1_000_000n, perByte: 10n })
    const t = tx({ size: 150, gasLimit: 60_000n })
    const c = ctx()
    await m.admit(t, c)
    expect(await m.upfront(t, c)).toEqual({ payer: ALICE, amount: 1_001_500n, token: undefined })
    for (const used of [21_000n, 60_000n]) {
      expect(await m.charge(t, used, c)).toEqual({
        payer: ALICE,
        amount: 1_001_500n,
        burnt: 0n,
        credits: [{ to: COINBASE, amount: 1_001_500n }],
        token: undefined,
        effectiveGasPrice: 1_001_500n / used,
      })
    }
    expect(m.genesisFees()).toEqual({ baseFeePerGas: 0n })
    expect(m.nextBlockFees({ number: 9n, gasLimit: 1n, gasUsed: 1n, baseFeePerGas: 5n })).toEqual({ baseFeePerGas: 0n })
    expect(m.priority(t, m.genesisFees())).toBe(0n)
  })

  it('charges in the configured token and to the configured recipient', async () => {
    const m = flatFee({
      perTx: 42n,
      token: TOKEN.toUpperCase().replace('0X', '0x') as `0x${string}`,
      feeRecipient: VAULT,
    })
    const t = tx({ fee: { feeToken: TOKEN } })
    const c = ctx()
    expect(await m.upfront(t, c)).toEqual({ payer: ALICE, amount: 42n, token: TOKEN })
    const charge = await m.charge(t, 0n, c)
    expect(charge).toMatchObject({
      amount: 42n,
      credits: [{ to: VAULT, amount: 42n }],
      token: TOKEN,
      effectiveGasPrice: 0n,
    })
  })

  it('quotes a gas price at which a 21,000-gas, 120-byte transfer covers the fee', () => {
    const q = flatFee({ perTx: 21_000_000n, perByte: 1_000n }).quote({ baseFeePerGas: 0n })
    // (21_000_000 + 120_000) / 21_000 = 1005.71… → 1006
    expect(q).toEqual({ gasPrice: 1006n, maxPriorityFeePerGas: 1006n })
    expect(q.gasPrice * 21_000n).toBeGreaterThanOrEqual(21_000_000n + 120n * 1_000n)
  })

  it('refuses a bid that does not cover the fee, and other tokens, with the values', async () => {
    const m = flatFee({ perTx: 21_000n * 100n, token: TOKEN })
    const low = await caught(() => m.admit(tx({ fee: { maxFeePerGas: 99n, maxPriorityFeePerGas: 0n } }), ctx()))
    expect(low).toBeInstanceOf(FeeTooLowError)
    expect((low as FeeTooLowError).data).toEqual({ offered: 99n * 21_000n, required: 2_100_000n, model: 'flatFee' })
    await m.admit(tx({ fee: { maxFeePerGas: 100n, maxPriorityFeePerGas: 0n } }), ctx())
    const other = await caught(() =>
      m.admit(tx({ fee: { feeToken: '0x00000000000000000000000000000000000000ef' } }), ctx()),
    )
    expect(other).toBeInstanceOf(UnknownFeeTokenError)
    expect((other as UnknownFeeTokenError).data).toEqual({
      token: '0x00000000000000000000000000000000000000ef',
      accepted: [TOKEN],
    })
    const native = await caught(() => flatFee({ perTx: 1n }).admit(tx({ fee: { feeToken: TOKEN } }), ctx()))
    expect((native as UnknownFeeTokenError).data).toEqual({ token: TOKEN, accepted: ['native'] })
  })

  it('refuses impossible configs at construction', () => {
    expect(() => flatFee({ perTx: -1n })).toThrow(GasModelConfigError)
    expect(() => flatFee({ perTx: 1n, perByte: -1n })).toThrow(GasModelConfigError)
    expect(() => flatFee({ perTx: 1n, token: '0xnope' })).toThrow(GasModelConfigError)
    expect(() => flatFee({ perTx: 1 as unknown as bigint })).toThrow(TypeError)
    expect(() => flatFee(undefined as unknown as { perTx: bigint })).toThrow(TypeError)
  })
})
