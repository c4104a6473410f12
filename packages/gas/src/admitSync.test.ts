import {
  blockGasStore,
  FeeTooLowError,
  type GasModel,
  InsufficientFundsError,
  PaymasterInsufficientFundsError,
  QuotaExceededError,
  type TxEnvelope,
} from '@appchain/core'
import { memoryGasStore } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { ALICE, ctx, PAYMASTER, tx } from '../test/txs.js'
import { eip1559 } from './eip1559.js'
import { localFeeMarkets } from './localFeeMarkets.js'
import { rateLimited } from './rateLimited.js'
import { sponsored } from './sponsored.js'
import { withL1DataFee } from './withL1DataFee.js'

/**
 * Admits `t` as the sequencer does (prefetch on the batch's cache, then the sync variant, `admit` when it says
 * false), twice over so the second call decides from memory; returns each outcome and whether admitSync decided.
 */
async function bothWays(model: GasModel, t: TxEnvelope, balances: Record<string, bigint> = {}) {
  const store = blockGasStore(memoryGasStore())
  const c = ctx({ store, balances })
  await model.prefetch?.([t], { blockNumber: c.blockNumber, store })
  // Which call decided (threw or admitted): the sync variant, or `admit` after it said false.
  const out: { error: unknown; by: 'sync' | 'admit' }[] = []
  for (let i = 0; i < 2; i++) {
    let by: 'sync' | 'admit' = 'sync'
    const error = await outcome(async () => {
      if (model.admitSync!(t, c)) return
      by = 'admit'
      await model.admit(t, c)
    })
    out.push({ error, by })
  }
  const plain = await outcome(() => model.admit(t, ctx({ store: memoryGasStore(), balances })))
  return { out, plain }
}

/** The error `fn` throws, or undefined. */
async function outcome(fn: () => unknown): Promise<unknown> {
  try {
    await fn()
    return undefined
  } catch (e) {
    return e
  }
}

describe('admitSync', () => {
  it('refuses with the same error as admit, from memory once the batch has read what it needs', async () => {
    const low = tx({ fee: { maxFeePerGas: 1n, maxPriorityFeePerGas: 0n } })
    // biome-ignore lint/suspicious/noThenProperty: the config field is named `then` (issue 5)
    const paidAfterNone = rateLimited({ freeTxPerWindow: 0n, windowBlocks: 10n, then: eip1559() })
    const cases: [string, GasModel, TxEnvelope, Record<string, bigint>, unknown][] = [
      ['eip1559', eip1559(), low, {}, FeeTooLowError],
      ['rateLimited past its free tier', paidAfterNone, low, {}, FeeTooLowError],
      ['localFeeMarkets', localFeeMarkets({ base: eip1559() }), low, {}, FeeTooLowError],
      [
        'sponsored over quota',
        sponsored({ paymaster: PAYMASTER, quota: { txPerWindow: 0n, windowBlocks: 10n } }),
        tx(),
        {},
        QuotaExceededError,
      ],
      [
        'sponsored, paymaster without funds',
        sponsored({ paymaster: PAYMASTER, quota: { windowBlocks: 10n } }),
        tx(),
        { [PAYMASTER]: 0n },
        PaymasterInsufficientFundsError,
      ],
      [
        'withL1DataFee, sender without funds for the DA part',
        withL1DataFee(eip1559(), { pricePerByte: 1_000n }),
        tx(),
        { [ALICE]: 1n },
        InsufficientFundsError,
      ],
    ]
    for (const [name, model, t, balances, error] of cases) {
      const { out, plain } = await bothWays(model, t, balances)
      expect(plain, name).toBeInstanceOf(error as never)
      for (const o of out) expect(o.error, name).toBeInstanceOf(error as never)
      // The second time everything is in the batch's memory: the sync variant refuses it itself.
      expect(out[1]!.by, name).toBe('sync')
    }
  })

  it('admits from memory what admit admits', async () => {
    const models: GasModel[] = [
      eip1559(),
      sponsored({ paymaster: PAYMASTER, quota: { txPerWindow: 5n, windowBlocks: 10n } }),
      // biome-ignore lint/suspicious/noThenProperty: the config field is named `then` (issue 5)
      rateLimited({ freeTxPerWindow: 1n, windowBlocks: 10n, then: eip1559() }),
      localFeeMarkets({ base: eip1559() }),
      withL1DataFee(eip1559(), { pricePerByte: 1_000n }),
    ]
    for (const model of models) {
      const { out, plain } = await bothWays(model, tx({ accessSet: { reads: [], writes: [ALICE] } }))
      expect(plain, model.name).toBeUndefined()
      expect(out.map((o) => o.error)).toEqual([undefined, undefined])
      expect(out[1]!.by, model.name).toBe('sync')
    }
  })
})
