import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import type { GenesisAlloc } from '@appchain/core'
import { eip1559 } from '@appchain/gas'
import type { ParallelTx } from '../src/parallelTx.js'
import { parallelVm } from '../src/parallelVm.js'
import { nativeToken } from '../src/programs/nativeToken.js'
import { clearNibbleMemo } from '../src/shardPlan.js'
import { benchContext, cpuMs, flushedState, median, signTransfers, transferWorkloads } from './workloads.js'

// Where a block's time goes on the VM's own sharded state (parallelVm({ shardedState: true }).openState):
// BENCH_TXS transfers (default 20000) of workload BENCH_WORKLOAD (0 low contention, 1 one hot account, 2 single
// sender) at WORKERS (default 2), BENCH_REPS runs after one warm-up, each phase's milliseconds printed.
// PROFILE=file.cpuprofile writes a CPU profile of the main thread during the last block. Each run also executes
// the block on createStateDb with the same VM (the main-thread pipeline), alternating, and the medians and their
// ratio are printed at the end (roots checked equal). BENCH_PLAIN=0 skips the createStateDb runs (quicker
// old/new comparisons of the sharded pipeline; roots are then checked equal across its own runs). The medians of
// the sharded runs' CPU and rounds are printed too. BENCH_COLD_NIBBLES=1 clears the main thread's nibble memo
// before each sharded block (it persists across blocks, so across the runs, and is warm otherwise).
const N = Number(process.env.BENCH_TXS ?? 20_000)
const workers = Number(process.env.WORKERS ?? 2)
const REPS = Number(process.env.BENCH_REPS ?? 3)
const gas = eip1559({ initialBaseFee: 1n })
const ctx = benchContext(gas)
const w = transferWorkloads(N)[Number(process.env.BENCH_WORKLOAD ?? 0)]!
const token = nativeToken({ authority: w.transfers[0]!.from.address })
const raws = signTransfers(token, w.transfers, 4242n)
const alloc: GenesisAlloc = {}
for (const t of w.transfers) alloc[t.from.address] = { balance: 10n ** 24n }
const vm = parallelVm({ programs: [token], workers, shardedState: true })
const times: Record<'plain' | 'vmShards', number[]> = { plain: [], vmShards: [] }
const roots = new Set<string>()
const plainRuns = process.env.BENCH_PLAIN !== '0'
const sharded: Record<'mainCpu' | 'allCpu' | 'plan' | 'prepare' | 'execute' | 'adopt' | 'root', number[]> = {
  mainCpu: [],
  allCpu: [],
  plan: [],
  prepare: [],
  execute: [],
  adopt: [],
  root: [],
}
for (let i = 0; i <= REPS; i++) {
  if (plainRuns) {
    const plain = await flushedState(alloc, vm.genesis)
    const txs = (await vm.decodeTxs(raws, { chainId: 4242n })) as ParallelTx[]
    const t = performance.now()
    const r = await vm.executeBlock({ ctx, deposits: [], txs, state: plain, gas })
    if (i > 0) times.plain.push(performance.now() - t)
    roots.add(r.stateRoot)
  }
  const state = await flushedState(alloc, vm.genesis, { kind: 'vmShards', open: vm.openState })
  const txs = (await vm.decodeTxs(raws, { chainId: 4242n })) as ParallelTx[]
  if (process.env.BENCH_COLD_NIBBLES === '1') clearNibbleMemo()
  const session = process.env.PROFILE && i === REPS ? new Session() : undefined
  if (session) {
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 200 })
    await session.post('Profiler.start')
  }
  const t = performance.now()
  const c = cpuMs()
  const r = await vm.executeBlock({ ctx, deposits: [], txs, state, gas })
  const te = performance.now() - t
  const cpu = cpuMs()
  if (session) {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(process.env.PROFILE!, JSON.stringify(profile))
    session.disconnect()
  }
  await state.close()
  if (i > 0) {
    times.vmShards.push(te)
    const tm = vm.lastStats()?.timings
    sharded.mainCpu.push(cpu.main - c.main)
    sharded.allCpu.push(cpu.all - c.all)
    sharded.plan.push(tm?.load ?? Number.NaN)
    sharded.prepare.push(tm?.hold ?? Number.NaN)
    sharded.execute.push(tm?.execute ?? Number.NaN)
    sharded.adopt.push(tm?.adopt ?? Number.NaN)
    sharded.root.push(tm?.root ?? Number.NaN)
  }
  roots.add(r.stateRoot)
  console.log(
    `${w.name} ${workers} worker(s): exec ${te.toFixed(0)} ms, main CPU ${(cpu.main - c.main).toFixed(0)}, all CPU ${(cpu.all - c.all).toFixed(0)} (${r.included.length} txs) ${JSON.stringify(vm.lastStats()?.timings, (_, v) => (typeof v === 'number' ? Math.round(v) : v))}`,
  )
}
await vm.close()
console.log(
  `vmShards medians (ms): ${Object.entries(sharded)
    .map(([k, xs]) => `${k} ${median(xs).toFixed(0)}`)
    .join(', ')}`,
)
const [p, v] = [plainRuns ? median(times.plain) : Number.NaN, median(times.vmShards)]
console.log(
  `median exec: createStateDb ${p.toFixed(0)} ms, vmShards ${v.toFixed(0)} ms, vmShards/plain ${(v / p).toFixed(2)}x; ${roots.size === 1 ? 'identical roots' : 'ROOTS DIFFER'}`,
)
