import {
  GasModelConfigError,
  hexToBytes,
  InsufficientFundsError,
  PaymasterInsufficientFundsError,
  PREDEPLOYS,
} from '@appchain/core'
import { runGasModelConformance } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { ledger } from '../test/ledger.js'
import { ALICE, COINBASE, caught, ctx, PAYMASTER, tx } from '../test/txs.js'
import { eip1559 } from './eip1559.js'
import { flatFee } from './flatFee.js'
import { l1DataSizeOf, l1DataSizeScaled } from './l1DataSize.js'
import { sponsored } from './sponsored.js'
import { withL1DataFee } from './withL1DataFee.js'

// FastLZ size 202 (see flzCompressLen.test.ts) → Fjord estimate −42_585_600 + 836_500 × 202 = 126_387_400 (×1e6).
const CALL = hexToBytes(
  '0x02f901550a758302df1483be21b88304743f94f80e51afb613d764fa61751affd3313c190a86bb870151bd62fd12adb8e41ef24f3f000000000000000000000000000000000000000000000000000000000000006e000000000000000000000000af88d065e77c8cc2239327c5edb3a432268e5831000000000000000000000000000000000000000000000000000000000003c1e5000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000a000000000000000000000000000000000000000000000000000000000000000148c89ed219d02f1a5be012c689b4f5b731827bebe000000000000000000000000c001a033fd89cb37c31b2cba46b6466e040c61fc9b2a3675a7f5f493ebd5ad77c497f8a07cdf65680e238392693019b4092f610222e71b7cec06449cb922b93b6a12744e',
)
const VAULT = PREDEPLOYS.feeVault
const gwei = 1_000_000_000n

runGasModelConformance({
  create: () => withL1DataFee(eip1559(), { pricePerByte: 1_000n }),
  admissibleTxs: [tx({ raw: CALL }), tx()],
})
runGasModelConformance({
  create: () => withL1DataFee(sponsored({ paymaster: PAYMASTER, quota: { windowBlocks: 10n } }), { pricePerByte: 5n }),
  admissibleTxs: [tx({ raw: CALL, fee: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n } })],
})

describe('withL1DataFee', () => {
  it("estimates a transaction's compressed size as OP Stack Fjord does, with a 100-byte floor", () => {
    expect(l1DataSizeScaled(CALL)).toBe(126_387_400n)
    expect(l1DataSizeScaled(new Uint8Array(110).fill(7))).toBe(100_000_000n)
  })

  it('adds size × price to the inner charge, reports it as l1Fee and pays it to the fee vault', async () => {
    const m = withL1DataFee(eip1559(), { pricePerByte: 1_000n })
    expect(m.genesisFees()).toEqual({ baseFeePerGas: gwei, l1DataPricePerByte: 1_000n })
    const c = ctx({ fees: m.genesisFees() })
    const t = tx({ raw: CALL, gasLimit: 100_000n, fee: { maxFeePerGas: 3n * gwei, maxPriorityFeePerGas: gwei } })
    await m.admit(t, c)
    expect(await m.upfront(t, c)).toEqual({ payer: ALICE, amount: 100_000n * 2n * gwei + 126_387n })
    expect(await m.charge(t, 50_000n, c)).toEqual({
      payer: ALICE,
      amount: 50_000n * 2n * gwei + 126_387n,
      burnt: 50_000n * gwei,
      credits: [
        { to: COINBASE, amount: 50_000n * gwei },
        { to: VAULT, amount: 126_387n },
      ],
      effectiveGasPrice: 2n * gwei,
      l1Fee: 126_387n,
    })
  })

  it("takes each block's price from the oracle, keyed by the parent", async () => {
    const m = withL1DataFee(flatFee({ perTx: 10n }), {
      oracle: (parent) => (parent === undefined ? 7n : parent.number * 100n),
      feeRecipient: 'coinbase',
    })
    expect(m.genesisFees()).toEqual({ baseFeePerGas: 0n, l1DataPricePerByte: 7n })
    const fees = m.nextBlockFees({ number: 4n, gasLimit: 1n, gasUsed: 0n, baseFeePerGas: 0n })
    expect(fees).toEqual({ baseFeePerGas: 0n, l1DataPricePerByte: 400n })
    const charge = await m.charge(tx({ raw: CALL, fee: { maxFeePerGas: gwei } }), 21_000n, ctx({ fees }))
    // 126_387_400 × 400 / 1e6 = 50_554.96 → 50_554; merged with the flat fee into one coinbase credit.
    expect(charge).toMatchObject({ amount: 50_564n, l1Fee: 50_554n, credits: [{ to: COINBASE, amount: 50_564n }] })
  })

  it('has the paymaster pay the DA part too, and refuses before any debit when it cannot', async () => {
    const m = withL1DataFee(sponsored({ paymaster: PAYMASTER, quota: { windowBlocks: 10n }, gasPrice: 1n }), {
      pricePerByte: 1_000n,
    })
    const l = ledger(m, { [PAYMASTER]: 21_000n + 126_387n + 1_000n })
    const t = () => tx({ raw: CALL, fee: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n } })
    const r = await l.block(1n, [
      { tx: t(), gasUsed: 21_000n },
      { tx: t(), gasUsed: 21_000n },
    ])
    expect(r.charges.map((c) => [c.payer, c.amount, c.l1Fee])).toEqual([[PAYMASTER, 147_387n, 126_387n]])
    expect(r.excluded[0]?.error).toBeInstanceOf(PaymasterInsufficientFundsError)
    expect(l.balance(PAYMASTER)).toBe(1_000n)
    expect(l.balance(VAULT)).toBe(126_387n)
    const e = await caught(() => m.admit(t(), ctx({ balances: { [PAYMASTER]: 1_000n } })))
    expect(e).toBeInstanceOf(PaymasterInsufficientFundsError)
  })

  it('refuses at admission a sender who cannot pay the DA part', async () => {
    const m = withL1DataFee(flatFee({ perTx: 0n }), { pricePerByte: 1_000n })
    const e = await caught(() => m.admit(tx({ raw: CALL }), ctx({ balances: { [ALICE]: 126_386n } })))
    expect(e).toBeInstanceOf(InsufficientFundsError)
    expect((e as InsufficientFundsError).data).toEqual({ address: ALICE, balance: 126_386n, cost: 126_387n })
  })

  it('refuses impossible configs at construction', () => {
    expect(() => withL1DataFee(eip1559(), { pricePerByte: -1n })).toThrow(GasModelConfigError)
    expect(() => withL1DataFee(eip1559(), {} as never)).toThrow(TypeError)
    expect(() => withL1DataFee(eip1559(), { pricePerByte: 1n, oracle: () => 1n } as never)).toThrow(TypeError)
    expect(() => withL1DataFee(eip1559(), { pricePerByte: 1n, feeRecipient: '0x1' })).toThrow(GasModelConfigError)
    expect(() => withL1DataFee({} as never, { pricePerByte: 1n })).toThrow(TypeError)
    const bad = withL1DataFee(eip1559(), { oracle: () => -1n })
    expect(() => bad.genesisFees()).toThrow(RangeError)
  })
})

describe('l1DataSizeOf', () => {
  it('computes once per transaction object, and again for a copy with other bytes', () => {
    const t = tx({ raw: CALL })
    expect(l1DataSizeOf(t)).toBe(126_387_400n)
    expect(l1DataSizeOf(t)).toBe(126_387_400n)
    // A spread copies the remembered size, with the buffer it belongs to: new bytes are measured again.
    const copy = { ...t, raw: new Uint8Array(110).fill(7) }
    expect(l1DataSizeOf(copy)).toBe(100_000_000n)
    expect(l1DataSizeOf(Object.freeze(tx({ raw: CALL })))).toBe(126_387_400n)
    // Not enumerable in JSON, not an own string key.
    expect(Object.keys(t)).toEqual(Object.keys(tx()))
  })
})

describe('withL1DataFee splits', () => {
  it('adds the DA fee to the inner split exactly as addToSplit does, for every recipient and inner split', async () => {
    const { addToSplit } = await import('./feeRecipient.js')
    const OTHER = '0x00000000000000000000000000000000000000d1' as const
    const inners: { burnt: bigint; credits: { to: `0x${string}`; amount: bigint }[] }[] = [
      { burnt: 0n, credits: [] },
      { burnt: 5n, credits: [{ to: COINBASE, amount: 7n }] },
      {
        burnt: 0n,
        credits: [
          { to: VAULT, amount: 3n },
          { to: COINBASE, amount: 4n },
        ],
      },
      {
        burnt: 1n,
        credits: [
          { to: OTHER, amount: 2n },
          { to: VAULT, amount: 9n },
        ],
      },
    ]
    for (const feeRecipient of ['burn', 'coinbase', VAULT, OTHER] as const) {
      for (const inner of inners) {
        for (const raw of [CALL, new Uint8Array(0)]) {
          const before = inner.credits.map((x) => ({ ...x }))
          const amount = inner.burnt + inner.credits.reduce((a, x) => a + x.amount, 0n)
          const charge = { payer: ALICE, amount, burnt: inner.burnt, credits: inner.credits, effectiveGasPrice: 1n }
          const base = { ...eip1559(), chargeSync: () => charge, charge: async () => charge }
          const m = withL1DataFee(base, { pricePerByte: raw.length === 0 ? 0n : 3n, feeRecipient })
          const c = ctx({ fees: m.genesisFees() })
          const t = tx({ raw })
          const got = await m.charge(t, 21_000n, c)
          const l1Fee = (l1DataSizeOf(t) * (raw.length === 0 ? 0n : 3n)) / 1_000_000n
          const split = { burnt: inner.burnt, credits: inner.credits.map((x) => ({ ...x })) }
          addToSplit(split, feeRecipient, l1Fee, COINBASE)
          expect(got).toEqual({ ...charge, amount: amount + l1Fee, burnt: split.burnt, credits: split.credits, l1Fee })
          // The inner charge is never changed.
          expect(inner.credits).toEqual(before)
        }
      }
    }
  })
})
