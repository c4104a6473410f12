import { blockGasStore, FeeTooLowError, GasModelConfigError, type Hex } from '@appchain/core'
import { memoryGasStore, runGasModelConformance } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { ALICE, COINBASE, caught, ctx, tx } from '../test/txs.js'
import { eip1559 } from './eip1559.js'
import { localFeeMarkets } from './localFeeMarkets.js'

const HOT: Hex = '0x00000000000000000000000000000000000000f1'
const COLD: Hex = '0x00000000000000000000000000000000000000f2'
const writing = (...writes: Hex[]) => tx({ accessSet: { reads: [], writes } })

runGasModelConformance({
  create: () => localFeeMarkets({ base: eip1559() }),
  admissibleTxs: [writing(HOT), writing(), tx()],
})

describe('localFeeMarkets', () => {
  const model = () => localFeeMarkets({ base: eip1559(), hotThreshold: 2, multiplier: 1, decay: 0.5 })

  it('prices hot accounts up and leaves cold ones at the base price, with exact numbers', async () => {
    const m = model()
    const store = memoryGasStore()
    // Block 1: 4 writers of HOT → demand 0 × 0.5 + 0.5 × 4 = 2 (at the threshold: not hot yet).
    await m.observeBlock!({ blockNumber: 1n, txs: [1, 2, 3, 4].map(() => writing(HOT)), store })
    expect(await m.factorOf(writing(HOT), 2n, store)).toBe(1_000_000n)
    // Block 2: 8 writers → demand 2 × 0.5 + 0.5 × 8 = 5 → factor 1 + (5 − 2) / 2 = 2.5.
    await m.observeBlock!({ blockNumber: 2n, txs: [1, 2, 3, 4, 5, 6, 7, 8].map(() => writing(HOT, HOT)), store })
    expect(await m.factorOf(writing(HOT), 3n, store)).toBe(2_500_000n)
    expect(await m.factorOf(writing(COLD), 3n, store)).toBe(1_000_000n)
    expect(await m.factorOf(writing(COLD, HOT), 3n, store)).toBe(2_500_000n)

    const c = ctx({ blockNumber: 3n, fees: { baseFeePerGas: 100n }, store })
    const hot = tx({
      accessSet: { reads: [], writes: [HOT] },
      fee: { maxFeePerGas: 1_000n, maxPriorityFeePerGas: 10n },
    })
    expect(await m.upfront(hot, c)).toEqual({ payer: ALICE, amount: 21_000n * 260n })
    expect(await m.charge(hot, 21_000n, c)).toEqual({
      payer: ALICE,
      amount: 21_000n * 260n,
      burnt: 21_000n * 250n,
      credits: [{ to: COINBASE, amount: 21_000n * 10n }],
      effectiveGasPrice: 260n,
    })
    const cold = tx({
      accessSet: { reads: [HOT], writes: [COLD] },
      fee: { maxFeePerGas: 1_000n, maxPriorityFeePerGas: 10n },
    })
    expect((await m.charge(cold, 21_000n, c)).effectiveGasPrice).toBe(110n)

    // Block 3 writes nothing: by block 4 demand decayed to 2.5 → factor 1.25; two idle blocks later, cold.
    expect(await m.factorOf(writing(HOT), 4n, store)).toBe(1_250_000n)
    expect(await m.factorOf(writing(HOT), 5n, store)).toBe(1_000_000n)
  })

  it("works out a write set's case and repeats once per transaction, and again when its access set is replaced", async () => {
    const m = model()
    const store = memoryGasStore()
    await m.observeBlock!({ blockNumber: 1n, txs: [1, 2, 3, 4, 5, 6].map(() => writing(HOT)), store })
    // Upper case and repeated: the same account as HOT, counted once.
    const t = writing(COLD, HOT.toUpperCase().replace('0X', '0x') as Hex, HOT)
    expect(await m.factorOf(t, 2n, store)).toBe(1_500_000n)
    expect(await m.factorOf(t, 2n, store)).toBe(1_500_000n)
    // A copy with another write set is worked out afresh, not read from the original's.
    const copy = { ...t, accessSet: { reads: [], writes: [COLD] } }
    expect(await m.factorOf(copy, 2n, store)).toBe(1_000_000n)
    expect(await m.factorOf(t, 2n, store)).toBe(1_500_000n)
    expect(Object.keys(t)).toEqual(Object.keys(writing()))
  })

  it('refuses at admission a bid that covers the cold price but not the hot one', async () => {
    const m = model()
    const store = memoryGasStore()
    await m.observeBlock!({ blockNumber: 1n, txs: Array.from({ length: 20 }, () => writing(HOT)), store })
    // demand 10 → factor 1 + 8/2 = 5
    const c = ctx({ blockNumber: 2n, fees: { baseFeePerGas: 100n }, store })
    const bid = { maxFeePerGas: 499n, maxPriorityFeePerGas: 0n }
    await m.admit(tx({ accessSet: { reads: [], writes: [COLD] }, fee: bid }), c)
    const e = await caught(() => m.admit(tx({ accessSet: { reads: [], writes: [HOT] }, fee: bid }), c))
    expect(e).toBeInstanceOf(FeeTooLowError)
    expect((e as FeeTooLowError).data).toEqual({ offered: 499n, required: 500n, model: 'eip1559' })
  })

  it('keeps one deterministic value per account in the store', async () => {
    const a = memoryGasStore()
    const b = memoryGasStore()
    const txs = [writing(HOT, COLD), writing(COLD)]
    await model().observeBlock!({ blockNumber: 9n, txs, store: a })
    await model().observeBlock!({ blockNumber: 9n, txs: [...txs].reverse(), store: b })
    expect([...a.entries]).toEqual([
      [`lfm/${HOT}`, (9n << 192n) | 500_000n],
      [`lfm/${COLD}`, (9n << 192n) | 1_000_000n],
    ])
    expect(new Map(b.entries)).toEqual(new Map(a.entries))
  })

  it('reads each account once per block and store, and sees observeBlock updates right away', async () => {
    const m = model()
    const inner = memoryGasStore()
    let reads = 0
    const store = {
      ...inner,
      get: (k: string) => {
        reads++
        return inner.get(k)
      },
    }
    const c = ctx({ blockNumber: 2n, fees: { baseFeePerGas: 100n }, store })
    const t = tx({
      accessSet: { reads: [], writes: [HOT, COLD] },
      fee: { maxFeePerGas: 10_000n, maxPriorityFeePerGas: 0n },
    })
    await m.admit(t, c)
    await m.upfront(t, c)
    await m.charge(t, 21_000n, c)
    expect(reads).toBe(2)
    await m.observeBlock!({ blockNumber: 2n, txs: Array.from({ length: 10 }, () => writing(HOT)), store })
    // demand 5 → factor 1 + (5 − 2) / 2 = 2.5, visible to block 3 on the same store object
    expect((await m.charge(t, 21_000n, { ...c, blockNumber: 3n })).effectiveGasPrice).toBe(250n)
  })

  it('counts write sets of more than two accounts (case and repeats folded) on the block path as on the store', async () => {
    const X: Hex = '0x00000000000000000000000000000000000000f3'
    const wide = () => writing(HOT, COLD, X, HOT.toUpperCase().replace('0X', '0x') as Hex, COLD)
    const m = model()
    const inner = memoryGasStore()
    // Blocks 1 and 2 as a VM runs them: prefetch, the sync variants per transaction, observeBlock, flush.
    for (const [block, count] of [
      [1n, 4],
      [2n, 8],
    ] as const) {
      const store = blockGasStore(inner)
      const txs = Array.from({ length: count }, wide)
      const c = ctx({ blockNumber: block, fees: { baseFeePerGas: 100n }, store })
      await m.prefetch!(txs, { blockNumber: block, store })
      for (const t of txs) {
        expect(m.upfrontSync!(t, c)).toBeDefined()
        expect(m.chargeSync!(t, 21_000n, c)).toBeDefined()
      }
      await m.observeBlock!({ blockNumber: block, txs, store })
      await store.flush()
    }
    // As in the first test: demand 2 after block 1, 5 after block 2 → factor 2.5, for each of the three accounts.
    for (const a of [HOT, COLD, X]) expect(await m.factorOf(writing(a), 3n, inner)).toBe(2_500_000n)
    expect(await m.factorOf(wide(), 3n, inner)).toBe(2_500_000n)
  })

  it('refuses impossible configs at construction', () => {
    const base = eip1559()
    expect(() => localFeeMarkets({ base, hotThreshold: 0 })).toThrow(GasModelConfigError)
    expect(() => localFeeMarkets({ base, multiplier: -1 })).toThrow(GasModelConfigError)
    expect(() => localFeeMarkets({ base, decay: 0 })).toThrow(GasModelConfigError)
    expect(() => localFeeMarkets({ base, decay: 1.5 })).toThrow(GasModelConfigError)
    expect(() => localFeeMarkets({ base, decay: Number.NaN })).toThrow(GasModelConfigError)
    expect(() => localFeeMarkets({ base: {} as never })).toThrow(TypeError)
  })
})
