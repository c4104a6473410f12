/**
 * Profiling helper (not part of `npm run bench`): one model's accounting on the bench's 10k-transfer block,
 * on the node's store path (admission through a per-batch cache, the block through the VM's checkpointed
 * write-back store), with a CPU profile of the timed part only (signing and genesis left out).
 * Run: `MODEL=sponsored PART=block PROF_RUNS=8 PROF_OUT=/tmp/sp.cpuprofile npx tsx --conditions=source bench/profile.ts`
 * (MODEL: eip1559 | flatFee | sponsored | rateLimited | localFeeMarkets | withL1DataFee; PART: all | admit | block),
 * then open the .cpuprofile in Chrome DevTools or sum its self time by function.
 */
import {
  type Address,
  stateGasStore as admissionGasStore,
  blockGasStore,
  type GasModel,
  type GasStore,
  memoryDb,
  type TxEnvelope,
} from '@appchain/core'
import { createStateDb } from '@appchain/state'
import { type EvmTx, evmVm, stateGasStore } from '@appchain/vm-evm'
import { benchModels, blockChargeContext, COINBASE, chainId, nodeShapedCopy, signedTransfers } from './workload.js'

const N = Number(process.env.BENCH_TXS ?? 10_000)
const RUNS = Number(process.env.PROF_RUNS ?? 10)
const { raws, alloc } = await signedTransfers(N)
const vm = evmVm({ hardfork: 'prague' })
const txs = (await vm.decodeTxs(raws, { chainId: BigInt(chainId) })) as EvmTx[]
await vm.close()
// MODEL names a bench model by the start of its table name (e.g. rateLimited for 'rateLimited(eip1559)').
const byName: Record<string, () => GasModel> = Object.fromEntries(
  benchModels.map(([name, create]) => [name.replace(/\(.*\)$/, ''), create]),
)
const create = byName[process.env.MODEL ?? 'sponsored']!
const PART = process.env.PART ?? 'all'
const states: ReturnType<typeof createStateDb>[] = []
for (let r = 0; r < RUNS; r++) {
  const state = createStateDb({ db: memoryDb() })
  await vm.genesis(alloc, state)
  states.push(state)
}
// Fresh envelopes (and raw buffers) per run, so no per-transaction cache survives a run.
const fresh = (): TxEnvelope[] => txs.map(nodeShapedCopy)
const runsTxs = states.map(() => fresh())
let admitMs = 0,
  blockMs = 0,
  obs = 0,
  fl = 0
const { Session } = await import('node:inspector/promises')
const session = new Session()
session.connect()
await session.post('Profiler.enable')
await session.post('Profiler.setSamplingInterval', { interval: Number(process.env.PROF_INTERVAL ?? 200) })
const runModels = states.map(() => create())
/** Admission as the sequencer does it: a batch cache over core's admission store, the batch's keys read first. */
const admit = async (r: number) => {
  const state = states[r]!
  const model = runModels[r]!
  const balanceOf = async (a: Address) => (await state.getAccount(a))?.balance ?? 0n
  const actx = {
    chainId: BigInt(chainId),
    blockNumber: 1n,
    coinbase: COINBASE,
    fees: model.genesisFees(),
    balanceOf,
    store: blockGasStore(admissionGasStore(state)),
  }
  await model.prefetch?.(runsTxs[r]!, { blockNumber: 1n, store: actx.store })
  for (const tx of runsTxs[r]!) if (!model.admitSync?.(tx, actx)) await model.admit(tx, actx)
}
// PART=block: every run's transactions are admitted first, outside the profile, so the block meets them as a
// node's does (with what admission left on them).
if (PART === 'block') for (let r = 0; r < RUNS; r++) await admit(r)
if (process.env.PROF_OUT) await session.post('Profiler.start')
// PROF_HEAP=file: a sampling heap profile of the same part instead (what allocates, by function; every 128 bytes
// sampled on average), kept with the collections' garbage (the samples a collection frees stay in).
if (process.env.PROF_HEAP)
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 128,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  })
for (let r = 0; r < RUNS; r++) {
  const state = states[r]!
  const txs = runsTxs[r]!
  const model = runModels[r]!
  const store: GasStore = stateGasStore(state)
  const balanceOf = async (a: Address) => (await state.getAccount(a))?.balance ?? 0n
  const ctx = {
    chainId: BigInt(chainId),
    blockNumber: 1n,
    coinbase: COINBASE,
    fees: model.genesisFees(),
    balanceOf,
    store,
  }
  const t0 = performance.now()
  if (PART !== 'block') await admit(r)
  const t1 = performance.now()
  if (PART !== 'admit') {
    const bs = blockGasStore(store)
    // The EVM VM's per-block balance cache.
    const block = blockChargeContext(ctx, bs)
    await model.prefetch?.(txs, { blockNumber: 1n, store: bs })
    for (const tx of txs) {
      bs.checkpoint()
      model.upfrontSync?.(tx, block) ?? (await model.upfront(tx, block))
      model.chargeSync?.(tx, 21_000n, block) ?? (await model.charge(tx, 21_000n, block))
      bs.commit()
    }
    const to = performance.now()
    await model.observeBlock?.({ blockNumber: 1n, txs, store: block.store })
    const tf = performance.now()
    await bs.flush()
    if (r > 0) {
      obs += tf - to
      fl += performance.now() - tf
    }
  }
  const t2 = performance.now()
  if (r > 0) {
    admitMs += t1 - t0
    blockMs += t2 - t1
  }
}
console.log(
  `${process.env.MODEL}: admit ${(admitMs / (RUNS - 1)).toFixed(1)} ms, block ${(blockMs / (RUNS - 1)).toFixed(1)} ms (observeBlock ${(obs / (RUNS - 1)).toFixed(1)}, flush ${(fl / (RUNS - 1)).toFixed(1)})`,
)
if (process.env.PROF_HEAP) {
  const { profile } = await session.post('HeapProfiler.stopSampling')
  const fs = await import('node:fs')
  fs.writeFileSync(process.env.PROF_HEAP, JSON.stringify(profile))
}
if (process.env.PROF_OUT) {
  const { profile } = await session.post('Profiler.stop')
  const fs = await import('node:fs')
  fs.writeFileSync(process.env.PROF_OUT, JSON.stringify(profile))
  // PROF_SOURCES=file: the generated code of every profiled script (tsx emits each module on one line, so the
  // profile's columns, not its lines, tell functions apart), to name the anonymous functions in a summary.
  if (process.env.PROF_SOURCES) {
    await session.post('Debugger.enable')
    const sources: Record<string, string> = {}
    for (const n of profile.nodes) {
      const id = n.callFrame.scriptId
      if (id === '0' || id in sources || !n.callFrame.url.includes('/packages/')) continue
      sources[id] = (await session.post('Debugger.getScriptSource', { scriptId: id })).scriptSource
    }
    fs.writeFileSync(process.env.PROF_SOURCES, JSON.stringify(sources))
  }
}
