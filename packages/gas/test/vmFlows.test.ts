import type { BaseError, ChargeContext, GasModel, TxEnvelope } from '@appchain/core'
import { memoryGasStore } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { eip1559 } from '../src/eip1559.js'
import { flatFee } from '../src/flatFee.js'
import { localFeeMarkets } from '../src/localFeeMarkets.js'
import { rateLimited } from '../src/rateLimited.js'
import { sponsored } from '../src/sponsored.js'
import { withL1DataFee } from '../src/withL1DataFee.js'
import { ALICE, BOB, COINBASE, PAYMASTER, tx } from './txs.js'

const models: [string, () => GasModel][] = [
  ['eip1559', () => eip1559()],
  ['flatFee', () => flatFee({ perTx: 1_000n, perByte: 3n })],
  ['sponsored', () => sponsored({ paymaster: PAYMASTER, quota: { txPerWindow: 2n, windowBlocks: 10n } })],
  // biome-ignore lint/suspicious/noThenProperty: issue 5 names the field `then`; a GasModel is not callable
  ['rateLimited', () => rateLimited({ freeTxPerWindow: 2n, windowBlocks: 10n, then: eip1559() })],
  ['localFeeMarkets', () => localFeeMarkets({ base: eip1559(), hotThreshold: 1 })],
  [
    'withL1DataFee(sponsored)',
    () =>
      withL1DataFee(sponsored({ paymaster: PAYMASTER, quota: { txPerWindow: 2n, windowBlocks: 10n } }), {
        pricePerByte: 7n,
      }),
  ],
]

const block = (): TxEnvelope[] =>
  [ALICE, ALICE, ALICE, BOB, BOB, BOB].map((sender, i) =>
    tx({
      sender,
      nonce: BigInt(i % 3),
      gasLimit: 30_000n,
      accessSet: { reads: [], writes: ['0x00000000000000000000000000000000000000f1'] },
      fee: { maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n },
    }),
  )

type Outcome = { hash: string; amount?: bigint; held?: bigint; error?: string }

/** The EVM VM's order: upfront, execute, charge, one transaction at a time. */
async function interleaved(model: GasModel, txs: TxEnvelope[]): Promise<Outcome[]> {
  const ctx = context(model)
  const out: Outcome[] = []
  for (const t of txs) {
    try {
      const up = await model.upfront(t, ctx)
      const c = await model.charge(t, 21_000n, ctx)
      out.push({ hash: t.hash, amount: c.amount, held: up.amount })
    } catch (e) {
      out.push({ hash: t.hash, error: (e as BaseError).name })
    }
  }
  return out
}

/** The parallel VM's order: every upfront, then (after parallel execution) every charge. */
async function upfrontFirst(model: GasModel, txs: TxEnvelope[]): Promise<Outcome[]> {
  const ctx = context(model)
  const held: { t: TxEnvelope; amount: bigint }[] = []
  const out: Outcome[] = []
  for (const t of txs) {
    try {
      held.push({ t, amount: (await model.upfront(t, ctx)).amount })
    } catch (e) {
      out.push({ hash: t.hash, error: (e as BaseError).name })
    }
  }
  for (const { t, amount } of held)
    out.push({ hash: t.hash, amount: (await model.charge(t, 21_000n, ctx)).amount, held: amount })
  return out
}

function context(model: GasModel): ChargeContext {
  return {
    blockNumber: 3n,
    coinbase: COINBASE,
    fees: model.genesisFees(),
    balanceOf: async () => 10n ** 24n,
    store: memoryGasStore(),
  }
}

describe('both VM call orders charge the same', () => {
  for (const [name, create] of models) {
    it(name, async () => {
      const txs = block()
      const a = await interleaved(create(), txs)
      const b = await upfrontFirst(create(), txs)
      const byHash = (xs: Outcome[]) => new Map(xs.map((x) => [x.hash, x]))
      expect(byHash(b)).toEqual(byHash(a))
      for (const o of a) if (o.amount !== undefined) expect(o.amount).toBeLessThanOrEqual(o.held!)
      // The quota models really were exercised: each sender's third transaction is refused or paid.
      if (name.includes('sponsored')) expect(a.filter((o) => o.error === 'QuotaExceededError')).toHaveLength(2)
      if (name === 'rateLimited') expect(a.filter((o) => o.amount === 0n)).toHaveLength(4)
    })
  }
})
