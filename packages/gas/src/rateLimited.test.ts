import { FeeTooLowError, type GasModel, GasModelConfigError } from '@appchain/core'
import { memoryGasStore, runGasModelConformance } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { ledger } from '../test/ledger.js'
import { ALICE, BOB, COINBASE, caught, ctx, tx } from '../test/txs.js'
import { eip1559 } from './eip1559.js'
import { flatFee } from './flatFee.js'
import { localFeeMarkets } from './localFeeMarkets.js'
import { type RateLimitedConfig, rateLimited } from './rateLimited.js'

/** The issue names the paid model `then`; building the config in one place keeps thenable lint noise here. */
const limited = (model: GasModel, rest: Omit<RateLimitedConfig, 'then'>) =>
  // biome-ignore lint/suspicious/noThenProperty: `then` is the config field's name (issue 5); a GasModel is not callable, so the object is not a thenable
  rateLimited({ ...rest, then: model })

const gwei = 1_000_000_000n

runGasModelConformance({
  create: () => limited(eip1559(), { freeTxPerWindow: 1n, windowBlocks: 5n }),
  admissibleTxs: [tx(), tx({ nonce: 1n }), tx({ sender: BOB, fee: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n } })],
})
runGasModelConformance({
  name: 'rateLimited with no free tier over flatFee',
  create: () => limited(flatFee({ perTx: 0n }), { freeTxPerWindow: 0n, windowBlocks: 1n }),
  admissibleTxs: [tx()],
})

describe('rateLimited', () => {
  it('lets each sender send freeTxPerWindow transactions free, then charges the next model, per window', async () => {
    const m = limited(flatFee({ perTx: 1_000n }), { freeTxPerWindow: 2n, windowBlocks: 10n })
    const l = ledger(m, { [ALICE]: 5_000n })
    const send = (nonce: bigint, sender = ALICE) => ({
      tx: tx({ sender, nonce, fee: { maxFeePerGas: 1n } }),
      gasUsed: 21_000n,
    })
    const b1 = await l.block(1n, [send(0n), send(1n), send(2n), send(0n, BOB)])
    expect(b1.charges.map((c) => [c.payer, c.amount, c.effectiveGasPrice])).toEqual([
      [ALICE, 0n, 0n],
      [ALICE, 0n, 0n],
      [ALICE, 1_000n, 0n], // 1_000 / 21_000 rounds down
      [BOB, 0n, 0n],
    ])
    expect(l.balance(ALICE)).toBe(4_000n)
    expect(l.balance(COINBASE)).toBe(1_000n)
    // Still in window 0 at block 9: paid. Block 10 opens window 1: free again.
    await l.block(9n, [send(3n)])
    expect(l.balance(ALICE)).toBe(3_000n)
    await l.block(10n, [send(4n), send(5n)])
    expect(l.balance(ALICE)).toBe(3_000n)
    const b4 = await l.block(11n, [send(6n)])
    expect(b4.charges[0]?.amount).toBe(1_000n)
    expect(l.balance(ALICE)).toBe(2_000n)
  })

  it('admits a zero bid from an empty account while free, and asks the next model once the tier is used', async () => {
    const m = limited(eip1559(), { freeTxPerWindow: 1n, windowBlocks: 100n })
    const l = ledger(m, {})
    const zero = (nonce: bigint) => tx({ nonce, fee: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n } })
    const c = () => ({ ...ctx({ blockNumber: 2n, fees: l.fees }), store: l.store })
    await m.admit(zero(0n), c())
    expect(await m.upfront(zero(0n), c())).toEqual({ payer: ALICE, amount: 0n, exact: true })
    await m.charge(zero(0n), 21_000n, c())
    const e = await caught(() => m.admit(zero(1n), c()))
    expect(e).toBeInstanceOf(FeeTooLowError)
    expect((e as FeeTooLowError).data).toEqual({ offered: 0n, required: gwei, model: 'eip1559' })
  })

  it('holds a free slot in upfront only for the block: a transaction excluded after it costs nothing lasting', async () => {
    const m = limited(flatFee({ perTx: 9n }), { freeTxPerWindow: 1n, windowBlocks: 10n })
    const store = memoryGasStore()
    // Block 1 (one store object): a VM held the slot for nonce 0, then excluded it (say, a funds check).
    const block1 = ctx({ store: { get: store.get, set: store.set } })
    expect(await m.upfront(tx({ nonce: 0n }), block1)).toEqual({ payer: ALICE, amount: 0n, exact: true })
    expect(store.entries.size).toBe(0)
    // Within block 1 the slot is held, so the next transaction pays.
    expect((await m.upfront(tx({ nonce: 1n, fee: { maxFeePerGas: 1n } }), block1)).amount).toBe(9n)
    // Block 2 (a new store object on the same state): the slot is free again.
    const block2 = ctx({ blockNumber: 2n, store: { get: store.get, set: store.set } })
    const t = tx({ nonce: 0n })
    expect(await m.upfront(t, block2)).toEqual({ payer: ALICE, amount: 0n, exact: true })
    expect((await m.charge(t, 21_000n, block2)).amount).toBe(0n)
    // Charging the same transaction again does not take a second slot or turn it paid.
    expect((await m.charge(t, 21_000n, block2)).amount).toBe(0n)
    expect(store.entries.get(`rl/${ALICE}`)).toBe((0n << 192n) | (1n << 160n) | (1n << 96n) | 21_000n)
  })

  it('release gives a free slot held by an excluded transaction back to the block', async () => {
    const m = limited(flatFee({ perTx: 9n }), { freeTxPerWindow: 1n, windowBlocks: 10n })
    const c = ctx()
    const excluded = tx({ nonce: 0n })
    expect(await m.upfront(excluded, c)).toEqual({ payer: ALICE, amount: 0n, exact: true })
    // The VM refused it after upfront (say, nonce or block gas) and tells the model.
    m.release!(excluded, c)
    // Released twice (or after a charge) is a no-op, not a second slot.
    m.release!(excluded, c)
    const next = tx({ nonce: 0n, hash: `0x${'02'.repeat(32)}` })
    expect(await m.upfront(next, c)).toEqual({ payer: ALICE, amount: 0n, exact: true })
    expect((await m.charge(next, 21_000n, c)).amount).toBe(0n)
    m.release!(next, c)
    // The window's one slot is used now: the next one pays.
    expect((await m.upfront(tx({ nonce: 1n, fee: { maxFeePerGas: 1n } }), c)).amount).toBe(9n)
  })

  it('release of a paid transaction forwards to the next model', async () => {
    const released: string[] = []
    const inner = flatFee({ perTx: 9n })
    const m = limited(
      { ...inner, release: (t) => void released.push(t.hash) },
      { freeTxPerWindow: 0n, windowBlocks: 10n },
    )
    const c = ctx()
    const t = tx({ nonce: 0n, fee: { maxFeePerGas: 1n } })
    expect((await m.upfront(t, c)).amount).toBe(9n)
    m.release!(t, c)
    expect(released).toEqual([t.hash])
  })

  it('works when a VM runs every upfront before any charge (the parallel VM)', async () => {
    const m = limited(flatFee({ perTx: 9n }), { freeTxPerWindow: 2n, windowBlocks: 10n })
    const c = ctx()
    const txs = [0n, 1n, 2n].map((nonce) => tx({ nonce, fee: { maxFeePerGas: 1n } }))
    const ups = []
    for (const t of txs) ups.push((await m.upfront(t, c)).amount)
    expect(ups).toEqual([0n, 0n, 9n])
    const charges = []
    for (const t of txs) charges.push((await m.charge(t, 21_000n, c)).amount)
    expect(charges).toEqual([0n, 0n, 9n])
    // The next block sees the window's two free slots used.
    expect((await m.upfront(tx({ nonce: 3n, fee: { maxFeePerGas: 1n } }), ctx({ store: c.store }))).amount).toBe(9n)
  })

  it('never makes a transaction above maxFreeGas free', async () => {
    const m = limited(flatFee({ perTx: 7n }), { freeTxPerWindow: 5n, windowBlocks: 10n, maxFreeGas: 50_000n })
    const l = ledger(m, { [ALICE]: 100n })
    const r = await l.block(1n, [
      { tx: tx({ nonce: 0n, gasLimit: 50_001n }), gasUsed: 21_000n },
      { tx: tx({ nonce: 1n, gasLimit: 50_000n }), gasUsed: 21_000n },
    ])
    expect(r.charges.map((c) => c.amount)).toEqual([7n, 0n])
  })

  it('delegates fees, quotes, priority and observeBlock to the next model', async () => {
    const inner = eip1559({ initialBaseFee: 5n * gwei })
    const m = limited(inner, { freeTxPerWindow: 1n, windowBlocks: 1n })
    expect(m.genesisFees()).toEqual({ baseFeePerGas: 5n * gwei })
    const parent = { number: 1n, gasLimit: 30_000_000n, gasUsed: 30_000_000n, baseFeePerGas: 8n }
    expect(m.nextBlockFees(parent)).toEqual(inner.nextBlockFees(parent))
    expect(m.quote({ baseFeePerGas: 3n })).toEqual(inner.quote({ baseFeePerGas: 3n }))
    const t = tx({ fee: { maxFeePerGas: 10n * gwei, maxPriorityFeePerGas: 3n * gwei } })
    expect(m.priority(t, { baseFeePerGas: 5n * gwei })).toBe(3n * gwei)
    // observeBlock writes the block's free-tier usage, and then calls the next model's (when it has one).
    await m.observeBlock!({ blockNumber: 1n, txs: [t], store: memoryGasStore() })
    const base = localFeeMarkets({ base: inner })
    const seen: bigint[] = []
    const withDemand = limited(
      { ...base, observeBlock: async (input) => void seen.push(input.blockNumber) },
      { freeTxPerWindow: 1n, windowBlocks: 1n },
    )
    await withDemand.observeBlock!({ blockNumber: 7n, txs: [t], store: memoryGasStore() })
    expect(seen).toEqual([7n])
  })

  it('refuses impossible configs at construction', () => {
    expect(() => limited(eip1559(), { freeTxPerWindow: -1n, windowBlocks: 1n })).toThrow(GasModelConfigError)
    expect(() => limited(eip1559(), { freeTxPerWindow: 1n, windowBlocks: 0n })).toThrow(GasModelConfigError)
    expect(() => limited(eip1559(), { freeTxPerWindow: 1n, windowBlocks: 1n, maxFreeGas: -1n })).toThrow(
      GasModelConfigError,
    )
    expect(() => limited({} as never, { freeTxPerWindow: 1n, windowBlocks: 1n })).toThrow(TypeError)
  })
})
