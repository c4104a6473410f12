import {
  type Address,
  blockGasStore,
  type ChargeContext,
  type GasModel,
  type GasStore,
  type TxEnvelope,
} from '@appchain/core'
import { memoryGasStore } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { ALICE, BOB, COINBASE, PAYMASTER, tx } from '../test/txs.js'
import { flatFee } from './flatFee.js'
import { rateLimited } from './rateLimited.js'
import { sponsored } from './sponsored.js'
import { encodeUsage, usageKey } from './windowUsage.js'

// On a write-back store (one with `put`: the VMs' block stores) sponsored and rateLimited keep each sender's usage
// unpacked for the block and write it in observeBlock; on a plain store each charge writes the packed value, as
// before. These tests run the same transactions both ways (a block store over one memory store, and a plain memory
// store) in the VMs' orders and compare every answer, every error and every stored value, bit for bit.

const CAROL: Address = '0x00000000000000000000000000000000000ca201'
const DAVE: Address = '0x00000000000000000000000000000000000da7e0'
const SENDERS = [ALICE, BOB, CAROL, DAVE]
const M64 = (1n << 64n) - 1n

/** `chargeOnly`: charged with no upfront in the block execution (the store decides, as for a re-execution). */
type Step = { tx: TxEnvelope; gasUsed: bigint; exclude?: boolean; chargeOnly?: boolean }
type Order = 'evm' | 'parallel'

const models: [string, () => GasModel][] = [
  [
    'sponsored',
    () =>
      sponsored({
        paymaster: PAYMASTER,
        quota: { txPerWindow: 6n, gasPerWindow: 400_000n, windowBlocks: 3n },
        gasPrice: 3n,
      }),
  ],
  [
    'sponsored, gas above the safe integers',
    () => sponsored({ paymaster: PAYMASTER, quota: { gasPerWindow: 1n << 95n, windowBlocks: 4n }, gasPrice: 1n }),
  ],
  // biome-ignore lint/suspicious/noThenProperty: the config field is named `then` (issue 5)
  ['rateLimited', () => rateLimited({ freeTxPerWindow: 3n, windowBlocks: 3n, then: flatFee({ perTx: 5n }) })],
]

const show = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) ?? 'undefined'

async function outcome(fn: () => unknown): Promise<string> {
  try {
    return show(await fn())
  } catch (e) {
    return `${(e as Error).name}: ${show((e as { data?: unknown }).data)}`
  }
}

function chargeCtx(blockNumber: bigint, store: GasStore): ChargeContext {
  return {
    blockNumber,
    coinbase: COINBASE,
    fees: { baseFeePerGas: 0n },
    balanceOf: async () => 10n ** 30n,
    peekBalance: () => 10n ** 30n,
    store,
  }
}

/**
 * One block as a VM runs it on `store`: EVM order (per transaction a checkpoint, upfront, charge, commit; an
 * excluded transaction released and reverted) or the parallel VM's (every upfront, then every charge), the
 * model's prefetch first and observeBlock last. Returns every answer and error, in order.
 */
async function block(
  model: GasModel,
  store: GasStore,
  blockNumber: bigint,
  steps: Step[],
  order: Order,
): Promise<string[]> {
  const ctx = chargeCtx(blockNumber, store)
  const bs = 'checkpoint' in store ? (store as ReturnType<typeof blockGasStore>) : undefined
  const out: string[] = []
  const included: TxEnvelope[] = []
  await model.prefetch?.(
    steps.map((s) => s.tx),
    { blockNumber, store },
  )
  const upfront = (t: TxEnvelope) => outcome(() => model.upfrontSync?.(t, ctx) ?? model.upfront(t, ctx))
  const charge = (s: Step) =>
    outcome(() => model.chargeSync?.(s.tx, s.gasUsed, ctx) ?? model.charge(s.tx, s.gasUsed, ctx))
  if (order === 'evm') {
    for (const s of steps) {
      bs?.checkpoint()
      const up = s.chargeOnly ? 'no upfront' : await upfront(s.tx)
      out.push(up)
      if (up.includes('Error') || s.exclude) {
        if (!up.includes('Error')) model.release?.(s.tx, ctx)
        bs?.revert()
        continue
      }
      out.push(await charge(s))
      bs?.commit()
      included.push(s.tx)
    }
  } else {
    const held: Step[] = []
    for (const s of steps) {
      const up = await upfront(s.tx)
      out.push(up)
      if (up.includes('Error')) continue
      if (s.exclude) model.release?.(s.tx, ctx)
      else held.push(s)
    }
    for (const s of held) {
      out.push(await charge(s))
      included.push(s.tx)
    }
  }
  await model.observeBlock?.({ blockNumber, txs: included, store })
  return out
}

/** Admission of `txs` as the sequencer does it (prefetch, then admitSync or admit), each answer in order. */
async function admitAll(model: GasModel, store: GasStore, blockNumber: bigint, txs: TxEnvelope[]): Promise<string[]> {
  const ctx = { ...chargeCtx(blockNumber, store), chainId: 1n }
  await model.prefetch?.(txs, { blockNumber, store })
  const out: string[] = []
  for (const t of txs)
    out.push(
      await outcome(async () => {
        if (!model.admitSync?.(t, ctx)) await model.admit(t, ctx)
        return 'admitted'
      }),
    )
  return out
}

const view = (s: GasStore): GasStore => ({ get: (k) => s.get(k), set: (k, v) => s.set(k, v) })
const entries = (s: { entries: Map<string, bigint> }) => show([...s.entries].sort(([a], [b]) => (a < b ? -1 : 1)))

/**
 * The two ways side by side: `unpacked` (a write-back block store per block over one memory store, flushed at the
 * end, or dropped for a reverted block) and `packed` (a plain memory store; a reverted block runs on a copy).
 */
function sideBySide(create: () => GasModel) {
  const a = create()
  const b = create()
  const innerA = memoryGasStore()
  const plainB = memoryGasStore()
  return {
    a,
    b,
    innerA,
    plainB,
    async block(
      blockNumber: bigint,
      steps: Step[],
      opts: { order?: Order; revert?: boolean; reuse?: ReturnType<typeof blockGasStore> } = {},
    ) {
      const order = opts.order ?? 'evm'
      const storeA = opts.reuse ?? blockGasStore(innerA)
      // A store object per block execution on this side too (the models keep a block's holds and decisions per
      // store object), over the one plain store: get and set only.
      let storeB: GasStore = view(plainB)
      if (opts.revert) {
        const copy = memoryGasStore()
        for (const [k, v] of plainB.entries) copy.entries.set(k, v)
        storeB = copy
      }
      const outA = await block(a, storeA, blockNumber, steps, order)
      const outB = await block(b, storeB, blockNumber, steps, order)
      expect(outA).toEqual(outB)
      if (!opts.revert) await storeA.flush()
      expect(entries(innerA)).toBe(entries(plainB))
      return { outA, storeA }
    },
    async admit(blockNumber: bigint, txs: TxEnvelope[], storeA: GasStore = blockGasStore(innerA)) {
      const outA = await admitAll(a, storeA, blockNumber, txs)
      const outB = await admitAll(b, view(plainB), blockNumber, txs)
      expect(outA).toEqual(outB)
      return outA
    },
  }
}

const nonces = new Map<Address, bigint>()
const next = (sender: Address, over: Partial<TxEnvelope> = {}) => {
  const nonce = nonces.get(sender) ?? 0n
  nonces.set(sender, nonce + 1n)
  return tx({ sender, nonce, gasLimit: 50_000n, fee: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n }, ...over })
}
const steps = (senders: Address[], gasUsed = 21_000n): Step[] => senders.map((s) => ({ tx: next(s), gasUsed }))

describe.each(models)(
  '%s: unpacked usage on a block store, against per-charge writes on a plain store',
  (name, create) => {
    it('runs two blocks in a row identically, in both VM orders', async () => {
      for (const order of ['evm', 'parallel'] as const) {
        const x = sideBySide(create)
        await x.block(1n, steps([ALICE, BOB, ALICE, ALICE, CAROL, ALICE]), { order })
        expect(x.innerA.entries.size).toBe(3)
        await x.block(2n, steps([ALICE, ALICE, BOB, ALICE, ALICE]), { order })
      }
    })

    it('gives the hold of a transaction excluded after upfront back, and writes nothing for it', async () => {
      for (const order of ['evm', 'parallel'] as const) {
        const x = sideBySide(create)
        const s = steps([ALICE, ALICE, BOB, ALICE, ALICE, ALICE, ALICE])
        s[1]!.exclude = true
        s[2]!.exclude = true
        s[4]!.exclude = true
        await x.block(1n, s, { order })
        // Bob's only transaction was excluded: no usage of his in the store.
        expect(x.innerA.entries.has(usageKey(create().name === 'sponsored' ? 'sp' : 'rl', BOB))).toBe(false)
      }
    })

    it('leaves nothing of a reverted block (its store dropped unflushed), and the next block starts from before it', async () => {
      const x = sideBySide(create)
      await x.block(1n, steps([ALICE, BOB]))
      const before = entries(x.innerA)
      await x.block(2n, steps([ALICE, ALICE, BOB, ALICE]), { revert: true })
      expect(entries(x.innerA)).toBe(before)
      await x.block(2n, steps([ALICE, ALICE, ALICE, BOB, ALICE, ALICE]))
    })

    it('rolls the quota window over mid-run (blocks across window edges), and on one store reused across windows', async () => {
      const x = sideBySide(create)
      for (let n = 1n; n <= 8n; n++) await x.block(n, steps([ALICE, ALICE, BOB, ALICE]))
      // One block store for two blocks in different windows (a store reused across blocks), flushed at the end.
      const reused = blockGasStore(x.innerA)
      await x.block(9n, steps([ALICE, ALICE, CAROL]), { reuse: reused })
      await x.block(12n, steps([ALICE, CAROL, ALICE, ALICE]), { reuse: reused })
    })

    it("admission sees the block's usage: on the block's own store before observeBlock, and on the next batch's store", async () => {
      const x = sideBySide(create)
      const bs = blockGasStore(x.innerA)
      const a = x.a
      const ctx = chargeCtx(1n, bs)
      const ts = steps([ALICE, ALICE, ALICE, ALICE, ALICE, ALICE])
      // The block's charges (past the quota or the free tier: refused), observeBlock not called yet: admission on
      // the same store counts them.
      const bctx = chargeCtx(1n, x.plainB)
      for (const s of ts) {
        const upA = await outcome(() => a.upfrontSync?.(s.tx, ctx) ?? a.upfront(s.tx, ctx))
        expect(upA).toBe(await outcome(() => x.b.upfront(s.tx, bctx)))
        if (upA.includes('Error')) continue
        expect(await outcome(() => a.chargeSync?.(s.tx, s.gasUsed, ctx) ?? a.charge(s.tx, s.gasUsed, ctx))).toBe(
          await outcome(() => x.b.charge(s.tx, s.gasUsed, bctx)),
        )
      }
      const probe = [next(ALICE), next(BOB)]
      const mid = await x.admit(1n, probe, bs)
      // Alice used her quota (or free tier: the paid tier refuses a zero bid) in this block; Bob did not.
      expect(mid[1]).toBe('"admitted"')
      if (!name.includes('above')) expect(mid[0]).toMatch(/Error/)
      await a.observeBlock?.({ blockNumber: 1n, txs: ts.map((s) => s.tx), store: bs })
      await bs.flush()
      expect(entries(x.innerA)).toBe(entries(x.plainB))
      // The next admission batch reads the flushed state.
      expect(await x.admit(2n, probe)).toEqual(mid)
      // And the next window forgets it.
      await x.admit(3n, probe)
    })

    it('keeps a block store used for two windows with charges of the first not yet written (admission in between)', async () => {
      const x = sideBySide(create)
      await x.block(1n, steps([ALICE, BOB, ALICE]))
      const bs = blockGasStore(x.innerA)
      const ctxA = chargeCtx(2n, bs)
      const ctxB = chargeCtx(2n, x.plainB)
      const run = async (ts: Step[]) => {
        for (const s of ts) {
          const up = await outcome(() => x.a.upfrontSync?.(s.tx, ctxA) ?? x.a.upfront(s.tx, ctxA))
          expect(up).toBe(await outcome(() => x.b.upfront(s.tx, ctxB)))
          if (up.includes('Error')) continue
          expect(
            await outcome(() => x.a.chargeSync?.(s.tx, s.gasUsed, ctxA) ?? x.a.charge(s.tx, s.gasUsed, ctxA)),
          ).toBe(await outcome(() => x.b.charge(s.tx, s.gasUsed, ctxB)))
        }
      }
      await run(steps([ALICE, ALICE, BOB]))
      // Admission for the next window on the block's own store, then the block goes on in its window.
      await x.admit(3n, [next(ALICE), next(BOB)], bs)
      await x.admit(7n, [next(ALICE)], bs)
      await run(steps([ALICE, BOB, ALICE]))
      await x.a.observeBlock?.({ blockNumber: 2n, txs: [], store: bs })
      await bs.flush()
      expect(entries(x.innerA)).toBe(entries(x.plainB))
    })

    it('charges the same transaction twice as the packed value does (marks up to the 64-bit edge)', async () => {
      const x = sideBySide(create)
      const edge = [M64 - 2n, M64 - 1n, M64, M64 + 1n].map((nonce) => ({
        tx: next(CAROL, { nonce }),
        gasUsed: 21_000n,
      }))
      const again = (s: Step[]) => s.map((e) => ({ ...e, chargeOnly: true }))
      // Each transaction twice (a VM charging it again), and the edge nonces again in a later block of the window.
      await x.block(1n, [...edge, ...again(edge)])
      await x.block(2n, again([edge[2]!, edge[1]!, edge[3]!, edge[2]!, edge[3]!, edge[0]!]))
      await x.block(2n, again([edge[0]!, edge[1]!, edge[3]!, edge[3]!, edge[2]!, edge[2]!]))
      // A new window: free slots again, and other transactions with the same edge nonces (no decision of theirs).
      const twin = (n: bigint) => ({ tx: next(CAROL, { nonce: n }), gasUsed: 21_000n, chargeOnly: true })
      await x.block(4n, [twin(M64), twin(M64), twin(M64 + 1n), twin(M64 + 1n), twin(M64 - 1n), twin(M64 - 1n)])
    })

    it('goes on from stored values at the edges of the packed fields (count, gas, mark) as the packed value does', async () => {
      const x = sideBySide(create)
      const ns = create().name === 'sponsored' ? 'sp' : 'rl'
      const seeds: [Address, bigint][] = [
        [ALICE, encodeUsage(0n, { txs: 0xffff_ffffn, gas: 5n, mark: M64 })],
        [BOB, encodeUsage(0n, { txs: 1n, gas: (1n << 53n) - 30_000n, mark: 0n })],
        [CAROL, encodeUsage(0n, { txs: 0xffff_fffen, gas: (1n << 96n) - 40_000n, mark: 7n })],
        [DAVE, encodeUsage(1n, { txs: 2n, gas: 3n, mark: 4n })],
      ]
      for (const [sender, v] of seeds) {
        x.innerA.entries.set(usageKey(ns, sender), v)
        x.plainB.entries.set(usageKey(ns, sender), v)
      }
      await x.block(1n, steps([ALICE, BOB, CAROL, DAVE, ALICE, BOB, CAROL, DAVE, BOB, CAROL]))
      await x.admit(2n, [next(ALICE), next(BOB), next(CAROL), next(DAVE)])
      await x.block(2n, steps([BOB, CAROL, BOB, CAROL], 1n << 52n))
    })

    it('writes the usage when observeBlock gets another view of the block store (the parallel VM: BlockState.gasStore())', async () => {
      const x = sideBySide(create)
      const bs = blockGasStore(x.innerA)
      const ts = steps([ALICE, BOB, ALICE, CAROL])
      // The block's charges on `bs`, its observeBlock on a new object over the same memory (as the parallel VM does).
      const ctxA = chargeCtx(1n, bs)
      for (const s of ts) {
        await (x.a.upfrontSync?.(s.tx, ctxA) ?? x.a.upfront(s.tx, ctxA))
        await (x.a.chargeSync?.(s.tx, s.gasUsed, ctxA) ?? x.a.charge(s.tx, s.gasUsed, ctxA))
      }
      const other: GasStore = {
        get: (k) => bs.get(k),
        set: (k, v) => bs.set(k, v),
        peek: (k) => bs.peek(k),
        put: (k, v) => bs.put!(k, v),
      }
      // An aborted block's usage (its store dropped, never observed) is not what the view stands for.
      const aborted = blockGasStore(memoryGasStore())
      const actx = chargeCtx(1n, aborted)
      await x.a.upfront(ts[0]!.tx, actx)
      await x.a.charge(ts[0]!.tx, 21_000n, actx)
      const ctxA2 = chargeCtx(1n, bs)
      const last = next(DAVE)
      await x.a.upfront(last, ctxA2)
      await x.a.charge(last, 21_000n, ctxA2)
      await x.a.observeBlock?.({ blockNumber: 1n, txs: [...ts.map((s) => s.tx), last], store: other })
      await bs.flush()
      await block(x.b, view(x.plainB), 1n, [...ts, { tx: last, gasUsed: 21_000n }], 'evm')
      expect(entries(x.innerA)).toBe(entries(x.plainB))
    })

    it('agrees bit for bit on random blocks: both orders, exclusions, reverted blocks, window edges, extreme values', async () => {
      let seed = 12345
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        return seed % n
      }
      const x = sideBySide(create)
      let n = 1n
      for (let round = 0; round < 40; round++) {
        n += BigInt(rand(3))
        const count = 1 + rand(12)
        const s: Step[] = []
        for (let i = 0; i < count; i++) {
          const sender = SENDERS[rand(SENDERS.length)]!
          const pick = rand(20)
          // Mostly transfers; sometimes gas near or above 2^53, near the 96-bit field, or a nonce near 2^64.
          const gasUsed =
            pick === 0 ? (1n << 53n) - BigInt(rand(3)) : pick === 1 ? (1n << 96n) - 5n : BigInt(21_000 + rand(40_000))
          let t = next(sender)
          if (pick === 2) t = { ...t, nonce: M64 - BigInt(rand(3)) }
          if (pick === 3) t = { ...t, gasLimit: 1n << 60n }
          s.push({ tx: t, gasUsed, exclude: rand(6) === 0 })
        }
        await x.block(n, s, { order: rand(2) === 0 ? 'evm' : 'parallel', revert: rand(7) === 0 })
        if (rand(4) === 0) await x.admit(n + 1n, [next(SENDERS[rand(SENDERS.length)]!)])
      }
    })
  },
)
