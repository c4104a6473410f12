import type { Address, BlockContext, BlockExecution, GasModel, GenesisAlloc, StateDb } from '@appchain/core'
import { BaseError, memoryDb, PREDEPLOYS } from '@appchain/core'
import { eip1559, flatFee, sponsored, withL1DataFee } from '@appchain/gas'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { fuzz, touched } from '../test/fuzzProgram.js'
import { blockContext, CHAIN_ID, call, keys, memoryState } from '../test/helpers.js'
import type { ExecutionMode } from './executor.js'
import type { ParallelTx } from './parallelTx.js'
import { type ParallelVm, parallelVm } from './parallelVm.js'
import { game } from './programs/game.js'
import { nativeToken } from './programs/nativeToken.js'

// Bounded in CI; `npm run soak -w packages/vm-parallel` runs the same property much longer.
const RUNS = Number(process.env.SOAK_RUNS ?? 12)
const people = keys(5, 'det')
const token = nativeToken({ authority: people[0]!.address })
const g = game({ gridSize: 3n })
const programs = [token, g, fuzz]
const gas = eip1559({ initialBaseFee: 3n })
const genesis: GenesisAlloc = Object.fromEntries(
  people.map((p, i) => [p.address, { balance: i === 4 ? 5_000_000n : 10n ** 20n }]),
)
const ctx = (number: bigint): BlockContext => blockContext(gas, number)

const OPS = ['g', 's', 'i', 'b', 't', 'r', 'e'] as const
const REFS = ['S', 'A', 'B', 'P', 'D0', 'D1'] as const
const opArb = fc
  .tuple(fc.constantFrom(...OPS), fc.constantFrom(...REFS), fc.constantFrom('k', 'm'), fc.integer({ min: 0, max: 50 }))
  .map(([c, x, k, v]) =>
    c === 't' ? `t,${x},${v}` : c === 'i' || c === 'r' ? `${c},${x},${k},${v}` : c === 'e' ? 'e' : `${c},${x},${k}`,
  )
const person = fc.integer({ min: 0, max: people.length - 1 })
const txArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('fuzz' as const),
      from: person,
      a: person,
      b: person,
      n: fc.bigInt({ min: 0n, max: 99n }),
      code: fc.array(opArb, { minLength: 1, maxLength: 5 }),
      under: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('transfer' as const),
      from: person,
      to: person,
      amount: fc.bigInt({ min: 0n, max: 6_000_000n }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('game' as const),
      from: person,
      x: fc.bigInt({ min: 0n, max: 3n }),
      y: fc.bigInt({ min: 0n, max: 2n }),
      gather: fc.boolean(),
    }),
  },
)
const scenarioArb = fc.array(
  fc.array(fc.tuple(txArb, fc.integer({ min: 0, max: 30 })), { minLength: 1, maxLength: 30 }),
  { minLength: 1, maxLength: 2 },
)

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never

function build(scenario: Scenario): Uint8Array[][] {
  const nonces = people.map(() => 0n)
  return scenario.map((block) =>
    block.map(([t, gapRoll]) => {
      const key = people[t.from]!
      // Now and then a nonce gap: excluded, never charged.
      const nonce = gapRoll === 0 ? nonces[t.from]! + 1n : nonces[t.from]!++
      if (t.kind === 'transfer')
        return call(token, 'transfer', { to: people[t.to]!.address, amount: t.amount }, key, nonce)
      if (t.kind === 'game')
        return t.gather ? call(g, 'gather', {}, key, nonce) : call(g, 'join', { x: t.x, y: t.y }, key, nonce)
      const a = people[t.a]!.address
      const b = people[t.b]!.address
      const code = t.code.join(';')
      const decl = touched(code, key.address, a, b)
      // Sometimes declare less than the code touches: UndeclaredAccessError in locking mode, re-execution in optimistic.
      const writes = t.under && decl.writes.length > 0 ? decl.writes.slice(1) : decl.writes
      return call(fuzz, 'exec', { a, b, n: t.n, code }, key, nonce, { reads: decl.reads, writes })
    }),
  )
}

async function runChain(vm: ParallelVm, blocks: Uint8Array[][]) {
  const state = memoryState()
  await vm.genesis(genesis, state)
  const out: BlockExecution[] = []
  let reexecutions = 0
  for (let i = 0; i < blocks.length; i++) {
    const txs = (await vm.decodeTxs(blocks[i]!, { chainId: CHAIN_ID })).map((t) => {
      if (t instanceof BaseError) throw t
      return t
    }) as ParallelTx[]
    out.push(await vm.executeBlock({ ctx: ctx(BigInt(i + 1)), deposits: [], txs, state, gas }))
    reexecutions += vm.lastStats()?.reexecutions ?? 0
  }
  return { out, reexecutions }
}

/** Everything consensus sees (re-execution counts are a property of the schedule, not of the result). */
function view(blocks: BlockExecution[]) {
  return blocks.map((b) => ({
    stateRoot: b.stateRoot,
    receiptsRoot: b.receiptsRoot,
    transactionsRoot: b.transactionsRoot,
    gasUsed: b.gasUsed,
    excluded: b.excluded.map((e) => [e.hash, e.error.name]),
    receipts: b.receipts.map(({ reexecutions: _, ...r }) => r),
  }))
}

describe.each(['locks', 'optimistic'] as ExecutionMode[])('determinism (%s)', (mode) => {
  const reference = parallelVm({ programs, workers: 0, mode })
  // Locking mode at 2 and 4 workers sends each thread's share in several small batches (maxBatch).
  const parallel = [1, 2, 4].map((workers) =>
    parallelVm({ programs, workers, mode, minParallel: 1, maxBatch: workers === 1 ? undefined : workers - 1 }),
  )
  afterAll(async () => {
    await Promise.all(parallel.map((v) => v.close()))
  })

  it(
    `results, receipts and state roots at 1, 2 and 4 workers equal sequential execution (${RUNS} runs)`,
    async () => {
      let reexecutions = 0
      let statuses = new Set<string>()
      await fc.assert(
        fc.asyncProperty(scenarioArb, async (scenario) => {
          const blocks = build(scenario)
          const expected = view((await runChain(reference, blocks)).out)
          for (const r of expected) for (const rc of r.receipts) statuses.add(rc.status)
          for (const vm of parallel) {
            const got = await runChain(vm, blocks)
            reexecutions += got.reexecutions
            expect(view(got.out)).toEqual(expected)
          }
        }),
        { numRuns: RUNS },
      )
      expect(statuses).toEqual(new Set(['success', 'reverted']))
      if (mode === 'optimistic') expect(reexecutions).toBeGreaterThan(0)
      statuses = new Set()
    },
    Math.max(120_000, RUNS * 6_000),
  )
})

// The sharded pipeline: the VM's workers host the state's shards (openState) and execute the blocks there.
describe('determinism (sharded state)', () => {
  const reference = parallelVm({ programs, workers: 0 })
  const sharded = [1, 2, 4].map((workers) => parallelVm({ programs, workers, minParallel: 1, shardedState: true }))
  afterAll(async () => {
    await Promise.all(sharded.map((v) => v.close()))
  })
  const models: GasModel[] = [
    gas,
    withL1DataFee(eip1559({ initialBaseFee: 2n, feeRecipient: PREDEPLOYS.feeVault }), { pricePerByte: 3_000n }),
    flatFee({ perTx: 40_000n, perByte: 11n }),
  ]
  // The coinbase is sometimes one of the senders (and receivers) of the block.
  const coinbases: Address[] = ['0x00000000000000000000000000000000000000c0', people[1]!.address, people[4]!.address]

  async function chainOn(
    vm: ParallelVm,
    state: StateDb,
    blocks: Uint8Array[][],
    gasModel: GasModel,
    coinbase: Address,
  ) {
    await vm.genesis(genesis, state)
    const out: BlockExecution[] = []
    let shardedBlocks = 0
    for (let i = 0; i < blocks.length; i++) {
      const txs = (await vm.decodeTxs(blocks[i]!, { chainId: CHAIN_ID })) as ParallelTx[]
      const c = { ...ctx(BigInt(i + 1)), coinbase, fees: gasModel.genesisFees() }
      out.push(await vm.executeBlock({ ctx: c, deposits: [], txs, state, gas: gasModel }))
      if (vm.lastStats()?.timings.shardRoot !== undefined) shardedBlocks++
    }
    return { out, shardedBlocks }
  }

  /** view() plus each excluded transaction's error class, message and data. */
  const fullView = (blocks: BlockExecution[]) => ({
    view: view(blocks),
    errors: blocks.map((b) =>
      b.excluded.map((e) => ({ cls: e.error.constructor, message: e.error.message, data: e.error.data })),
    ),
  })

  it(
    `results, receipts, excluded errors and state roots at 1, 2 and 4 workers equal sequential execution (${RUNS} runs)`,
    async () => {
      let shardedBlocks = 0
      const stages = new Set<string>()
      await fc.assert(
        fc.asyncProperty(
          scenarioArb,
          fc.integer({ min: 0, max: models.length - 1 }),
          fc.integer({ min: 0, max: coinbases.length - 1 }),
          async (scenario, m, cb) => {
            const blocks = build(scenario)
            const gasModel = models[m]!
            const coinbase = coinbases[cb]!
            const expected = fullView((await chainOn(reference, memoryState(), blocks, gasModel, coinbase)).out)
            for (const b of expected.view) for (const [, name] of b.excluded) stages.add(name as string)
            for (const vm of sharded) {
              const state = await vm.openState!(memoryDb(), {})
              try {
                const got = await chainOn(vm, state, blocks, gasModel, coinbase)
                shardedBlocks += got.shardedBlocks
                expect(fullView(got.out)).toEqual(expected)
                expect(await state.root()).toBe(expected.view.at(-1)!.stateRoot)
              } finally {
                await state.close()
              }
            }
          },
        ),
        { numRuns: RUNS },
      )
      expect(shardedBlocks).toBeGreaterThan(0)
      expect(stages.has('NonceTooHighError')).toBe(true)
    },
    Math.max(120_000, RUNS * 8_000),
  )

  it('falls back to the main-thread pipeline on its sharded state: optimistic mode, a model that is not portable, a small block', async () => {
    const blocks = build([
      [0, 1, 2, 3, 4, 0, 1].map((from, i) => [{ kind: 'transfer' as const, from, to: (from + i) % 5, amount: 7n }, 5]),
      [[{ kind: 'game' as const, from: 2, x: 1n, y: 1n, gather: false }, 5]],
    ])
    const notPortable = sponsored({ paymaster: people[0]!.address, quota: { windowBlocks: 10n }, gasPrice: 1n })
    const cases: { mode: ExecutionMode; model: GasModel; minParallel: number }[] = [
      { mode: 'optimistic', model: gas, minParallel: 1 },
      { mode: 'locks', model: notPortable, minParallel: 1 },
      { mode: 'locks', model: gas, minParallel: 100 },
    ]
    for (const c of cases) {
      const ref = parallelVm({ programs, workers: 0, mode: c.mode })
      const expected = fullView((await chainOn(ref, memoryState(), blocks, c.model, coinbases[0]!)).out)
      const vm = parallelVm({ programs, workers: 2, mode: c.mode, minParallel: c.minParallel, shardedState: true })
      const state = await vm.openState!(memoryDb(), {})
      try {
        const got = await chainOn(vm, state, blocks, c.model, coinbases[0]!)
        expect(got.shardedBlocks).toBe(0)
        expect(fullView(got.out)).toEqual(expected)
      } finally {
        await state.close()
        await vm.close()
      }
    }
  }, 60_000)
})
