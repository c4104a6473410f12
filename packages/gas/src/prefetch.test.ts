import { blockGasStore, type GasModel, type GasStore } from '@appchain/core'
import { memoryGasStore } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { ALICE, BOB, ctx, PAYMASTER, tx } from '../test/txs.js'
import { eip1559 } from './eip1559.js'
import { localFeeMarkets } from './localFeeMarkets.js'
import { rateLimited } from './rateLimited.js'
import { sponsored } from './sponsored.js'
import { withL1DataFee } from './withL1DataFee.js'

/** A store that counts single reads and records batched ones. */
function countingStore(): GasStore & { gets: number; batches: string[][]; inner: GasStore } {
  const inner = memoryGasStore()
  const store = {
    inner,
    gets: 0,
    batches: [] as string[][],
    async get(k: string) {
      store.gets++
      return inner.get(k)
    },
    set: (k: string, v: bigint) => inner.set(k, v),
    async getMany(keys: readonly string[]) {
      store.batches.push([...keys])
      return Promise.all(keys.map((k) => inner.get(k)))
    },
  }
  return store
}

const CAROL = '0x00000000000000000000000000000000000ca701' as const
const models: [string, () => GasModel][] = [
  ['sponsored', () => sponsored({ paymaster: PAYMASTER, quota: { txPerWindow: 5n, windowBlocks: 10n } })],
  // biome-ignore lint/suspicious/noThenProperty: issue 5 names the field `then`; a GasModel is not callable
  ['rateLimited', () => rateLimited({ freeTxPerWindow: 1n, windowBlocks: 10n, then: eip1559() })],
  ['localFeeMarkets', () => localFeeMarkets({ base: eip1559(), hotThreshold: 1 })],
  [
    'withL1DataFee(localFeeMarkets(rateLimited))',
    () =>
      withL1DataFee(
        localFeeMarkets({
          // biome-ignore lint/suspicious/noThenProperty: issue 5 names the field `then`
          base: rateLimited({ freeTxPerWindow: 1n, windowBlocks: 10n, then: eip1559() }),
          hotThreshold: 1,
        }),
        { pricePerByte: 10n },
      ),
  ],
]

describe('prefetch', () => {
  for (const [name, create] of models) {
    it(`${name}: one batched read per block, each key once, then every upfrontSync and chargeSync answers`, async () => {
      const m = create()
      const counting = countingStore()
      const store = blockGasStore(counting)
      const c = { ...ctx(), store, peekBalance: () => 10n ** 30n }
      const txs = [ALICE, BOB, ALICE, CAROL, BOB].map((sender, i) =>
        tx({ sender, nonce: BigInt(i), accessSet: { reads: [], writes: [sender, BOB.toUpperCase() as typeof BOB] } }),
      )
      await m.prefetch!(txs, { blockNumber: 1n, store })
      // Again for the same block: nothing left to read.
      await m.prefetch!(txs, { blockNumber: 1n, store })
      const keys = counting.batches.flat()
      expect(new Set(keys).size).toBe(keys.length)
      expect(counting.batches.length).toBeGreaterThan(0)
      for (const t of txs) {
        store.checkpoint()
        expect(m.upfrontSync!(t, c)).toBeDefined()
        expect(m.chargeSync!(t, 21_000n, c)).toBeDefined()
        store.commit()
      }
      await m.observeBlock?.({ blockNumber: 1n, txs, store })
      expect(counting.gets).toBe(0)
    })
  }

  it('does nothing on a store without getMany', async () => {
    const m = sponsored({ paymaster: PAYMASTER, quota: { txPerWindow: 5n, windowBlocks: 10n } })
    const store = memoryGasStore()
    await m.prefetch!([tx()], { blockNumber: 1n, store })
    expect(store.entries.size).toBe(0)
  })
})
