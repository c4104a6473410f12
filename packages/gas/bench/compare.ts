/**
 * Before/after in one process (not part of `npm run bench`): one model's block part on the node's path (the
 * bench's 10k-transfer block, admission through core's admission store first, then the VM's checkpointed
 * write-back block store: prefetch, upfront + charge per transaction, observeBlock, flush), this checkout's code
 * and a BASE copy alternating, with the same transactions and states; prints medians of each part, the ratios,
 * the number of garbage collections that landed inside the timed block, and checks that both leave the same
 * state root and charge the same fees.
 *
 * BASE is a directory holding another commit's `packages/{core,state,gas}/src` and `packages/vm-evm/src/gasStore.ts`
 * with their `@appchain/*` imports made relative (and a `node_modules` link to this checkout's), e.g. made by
 * `git archive <commit> packages/core/src packages/state/src packages/gas/src packages/vm-evm/src/gasStore.ts`.
 * Run from packages/gas: `BASE=/tmp/base MODEL=sponsored REPS=20 npx tsx --conditions=source bench/compare.ts`.
 * `ALLOC=1` (with `node --max-semi-space-size=256`, so no collection runs) prints the heap each part allocates.
 * `SRC=dir` runs another copy (made the same way) as `src` instead of this checkout.
 *
 * Position bias: an A/A run (one copy of the same code as both variants, 26 Nov) read the first variant's loop
 * 0.6-0.9x the second's, prefetch and flush 0.9-0.96x, with preparation alternating or not (cause not found). So
 * compare two copies both ways (`SRC=new BASE=old`, then `SRC=old BASE=new`) and take the geometric mean of the
 * ratio and the inverse of the swapped one.
 */
import { PerformanceObserver } from 'node:perf_hooks'
import type { Address, GasModel, TxEnvelope } from '@appchain/core'
import { type EvmTx, evmVm } from '@appchain/vm-evm'
import { blockChargeContext, COINBASE, chainId, nodeShapedCopy, PAYMASTER, signedTransfers } from './workload.js'

const N = Number(process.env.BENCH_TXS ?? 10_000)
const REPS = Number(process.env.REPS ?? 20)
const MODEL = process.env.MODEL ?? 'sponsored'
const ALLOC = process.env.ALLOC === '1'
const base = process.env.BASE
if (!base) throw new Error('set BASE to a directory holding another copy of the sources (see the header)')
const gwei = 1_000_000_000n

const { raws, alloc } = await signedTransfers(N)
const vm = evmVm({ hardfork: 'prague' })
const txs = (await vm.decodeTxs(raws, { chainId: BigInt(chainId) })) as EvmTx[]

// The bench's configurations (bench/workload.ts), built from each variant's own sources.
// biome-ignore lint/suspicious/noExplicitAny: the two variants' modules are loaded by path
type Gas = any
const configs: Record<string, (g: Gas) => GasModel> = {
  eip1559: (g) => g.eip1559(),
  flatFee: (g) => g.flatFee({ perTx: 100_000n * gwei, perByte: 10n * gwei }),
  sponsored: (g) =>
    g.sponsored({ paymaster: PAYMASTER, quota: { txPerWindow: 100n, gasPerWindow: 10_000_000n, windowBlocks: 100n } }),
  // biome-ignore lint/suspicious/noThenProperty: the config field is named `then` (issue 5)
  rateLimited: (g) => g.rateLimited({ freeTxPerWindow: 5n, windowBlocks: 100n, then: g.eip1559() }),
  localFeeMarkets: (g) => g.localFeeMarkets({ base: g.eip1559(), hotThreshold: 8 }),
  withL1DataFee: (g) => g.withL1DataFee(g.eip1559(), { pricePerByte: 1_000n }),
}
const config = configs[MODEL]
if (!config) throw new Error(`MODEL must be one of ${Object.keys(configs).join(', ')}`)

const load = async (root: string) => {
  const core = await import(`${root}/packages/core/src/index.ts`)
  const state = await import(`${root}/packages/state/src/index.ts`)
  const gas = await import(`${root}/packages/gas/src/index.ts`)
  const evmStore = await import(`${root}/packages/vm-evm/src/gasStore.ts`)
  return { core, state, gas, evmStore }
}
const variants = [
  { name: 'src', m: await load(process.env.SRC ?? new URL('../../..', import.meta.url).pathname.replace(/\/$/, '')) },
  { name: 'base', m: await load(base) },
]

// Collections by start time: an entry reaches the observer some time after the collection.
const gcStarts: number[] = []
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcStarts.push(e.startTime)
}).observe({ entryTypes: ['gc'] })
const heap = () => process.memoryUsage().heapUsed
// CLOCK=cpu: the process's CPU time (all its threads, the collector's included) instead of the wall clock, so time
// another process holds the cores is not counted (the machine is shared).
const now =
  process.env.CLOCK === 'cpu'
    ? () => {
        const u = process.cpuUsage()
        return (u.user + u.system) / 1000
      }
    : () => performance.now()

type Parts = { prefetch: number; loop: number; observe: number; flush: number; block: number; gcs: number }
type Prepared = { state: Awaited<ReturnType<typeof prepare>>['state']; envelopes: TxEnvelope[] }
// Each run's state and transaction copies are made long before it (as the bench does), so they are old by then.
async function prepare(v: (typeof variants)[number]) {
  const { core, state: st } = v.m
  const state = st.createStateDb({ db: core.memoryDb() })
  await vm.genesis(alloc, state)
  await state.root()
  return { state, envelopes: txs.map(nodeShapedCopy) as TxEnvelope[] }
}
async function run(
  v: (typeof variants)[number],
  { state, envelopes }: Prepared,
): Promise<{ t: Parts; a: Parts; root: string; charged: bigint }> {
  const { core, gas, evmStore } = v.m
  const model: GasModel = config!(gas)
  const balanceOf = async (a: Address) => (await state.getAccount(a))?.balance ?? 0n
  const ctx = { chainId: BigInt(chainId), blockNumber: 1n, coinbase: COINBASE, fees: model.genesisFees(), balanceOf }
  // Admission as the sequencer does it (untimed): one read cache per batch on core's admission store.
  const admission = { ...ctx, store: core.blockGasStore(core.stateGasStore(state)) }
  await model.prefetch?.(envelopes, { blockNumber: 1n, store: admission.store })
  for (const tx of envelopes) if (!model.admitSync?.(tx, admission)) await model.admit(tx, admission)
  const bs = core.blockGasStore(evmStore.stateGasStore(state))
  const block = blockChargeContext(ctx, bs)
  let charged = 0n
  const h0 = heap()
  const w0 = performance.now()
  const t0 = now()
  await model.prefetch?.(envelopes, { blockNumber: 1n, store: bs })
  const h1 = heap()
  const t1 = now()
  for (const tx of envelopes) {
    bs.checkpoint()
    model.upfrontSync?.(tx, block) ?? (await model.upfront(tx, block))
    charged += (model.chargeSync?.(tx, 21_000n, block) ?? (await model.charge(tx, 21_000n, block))).amount
    bs.commit()
  }
  const h2 = heap()
  const t2 = now()
  await model.observeBlock?.({ blockNumber: 1n, txs: envelopes, store: bs })
  const h3 = heap()
  const t3 = now()
  await bs.flush()
  const t4 = now()
  const w4 = performance.now()
  const h4 = heap()
  await new Promise((r) => setTimeout(r, 1))
  const g = gcStarts.filter((s) => s >= w0 && s < w4).length
  const root = await state.root()
  const kb = (x: number) => x / 1024
  return {
    t: { prefetch: t1 - t0, loop: t2 - t1, observe: t3 - t2, flush: t4 - t3, block: t4 - t0, gcs: g },
    a: {
      prefetch: kb(h1 - h0),
      loop: kb(h2 - h1),
      observe: kb(h3 - h2),
      flush: kb(h4 - h3),
      block: kb(h4 - h0),
      gcs: g,
    },
    root,
    charged,
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
// Warm-up (untimed), then alternating, the order swapped every repetition.
// Prepared alternating too: all of one variant's first left it with older (already promoted) states and
// transactions than the other's, which biased an A/A comparison (the same code as both) by 5-15 % in its favour.
const prepared = new Map<string, Prepared[]>(variants.map((v) => [v.name, []]))
for (let r = 0; r < REPS + 6; r++) for (const v of variants) prepared.get(v.name)!.push(await prepare(v))
for (let w = 0; w < 6; w++) for (const v of variants) await run(v, prepared.get(v.name)!.pop()!)
const results = new Map<string, Parts[]>(variants.map((v) => [v.name, []]))
for (let r = 0; r < REPS; r++) {
  const order = r % 2 ? [...variants].reverse() : variants
  const out = []
  for (const v of order) {
    const x = await run(v, prepared.get(v.name)!.pop()!)
    results.get(v.name)!.push(ALLOC ? x.a : x.t)
    out.push(x)
  }
  if (out[0]!.root !== out[1]!.root || out[0]!.charged !== out[1]!.charged)
    throw new Error(`run ${r}: the variants disagree (roots ${out[0]!.root} / ${out[1]!.root})`)
}
await vm.close()
const keys = ['prefetch', 'loop', 'observe', 'flush', 'block'] as const
const [src, old] = [results.get('src')!, results.get('base')!]
console.log(
  `${MODEL}, ${REPS} alternating runs, ${ALLOC ? 'KB allocated' : process.env.CLOCK === 'cpu' ? 'CPU ms' : 'ms'} (median), same roots and fees:`,
)
console.log(`| part | src | base | src/base |\n|---|--:|--:|--:|`)
for (const k of keys) {
  const a = median(src.map((p) => p[k]))
  const b = median(old.map((p) => p[k]))
  console.log(`| ${k} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(a / b).toFixed(2)}x |`)
}
const ratios = src.map((p, i) => p.block / old[i]!.block)
console.log(
  `block ratio per pair: median ${median(ratios).toFixed(2)}x, min ${Math.min(...ratios).toFixed(2)}x; min block src ${Math.min(...src.map((p) => p.block)).toFixed(2)} / base ${Math.min(...old.map((p) => p.block)).toFixed(2)} ms`,
)
console.log(
  `blocks with a collection inside: src ${src.filter((p) => p.gcs > 0).length}/${REPS}, base ${old.filter((p) => p.gcs > 0).length}/${REPS}`,
)
