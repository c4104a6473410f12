import type { GenesisAlloc } from '@appchain/core'
import { eip1559 } from '@appchain/gas'
import { evmVm } from '@appchain/vm-evm'
import type { ExecutionMode } from '../src/executor.js'
import type { ParallelTx } from '../src/parallelTx.js'
import { parallelVm } from '../src/parallelVm.js'
import { nativeToken } from '../src/programs/nativeToken.js'
import { recoveryBackend } from '../src/recover.js'
import { compileToken, erc20Genesis, signErc20Transfers } from './erc20.js'
import {
  type BenchStateKind,
  benchContext,
  cpuMs,
  flushedState,
  median,
  signTransfers,
  transferWorkloads,
} from './workloads.js'

// Usage: npm run bench -w packages/vm-parallel   (BENCH_TXS, BENCH_REPS to change the size;
// BENCH_QUICK=1: locking mode only, one run, no undeclared workload). Blocks run on the StateDb that wrote and
// flushed genesis, as on a running node; the cold-start columns run the same block on a state reopened from its Db.
const QUICK = process.env.BENCH_QUICK === '1'
const N = Number(process.env.BENCH_TXS ?? 20_000)
const REPS = Number(process.env.BENCH_REPS ?? (QUICK ? 1 : 3))
// BENCH_STATE: 'plain' (default, createStateDb), 'sharded' (createShardedStateDb, one worker shard per VM worker),
// 'both' (the two alternating on the same signed block, rows side by side) or 'vmShards' (createStateDb and the
// VM's own sharded state, `parallelVm({ shardedState: true }).openState`, alternating: the blocks execute in the
// VM's workers, next to their shards).
const STATE_ENV = process.env.BENCH_STATE ?? 'plain'
if (STATE_ENV !== 'plain' && STATE_ENV !== 'sharded' && STATE_ENV !== 'both' && STATE_ENV !== 'vmShards')
  throw new RangeError(`BENCH_STATE must be plain, sharded, both or vmShards, got ${STATE_ENV}`)
const STATES: BenchStateKind[] =
  STATE_ENV === 'both' ? ['plain', 'sharded'] : STATE_ENV === 'vmShards' ? ['plain', 'vmShards'] : [STATE_ENV]
const CHAIN_ID = 4242n
const gas = eip1559({ initialBaseFee: 1n })
const ctx = benchContext(gas, 1_700_000_001n)

const workloads = transferWorkloads(N).filter((w) => !(QUICK && w.undeclared))
const token = nativeToken({ authority: workloads[0]!.transfers[0]!.from.address })
console.log(
  `parallel VM bench: ${N} native token transfers, ${REPS} runs each, median; signature recovery: ${recoveryBackend()}; state: ${STATES.join(' vs ')}`,
)

type Row = {
  workload: string
  mode: ExecutionMode
  workers: number
  state: BenchStateKind
  exec: number
  e2e: number
  programs: number
  commit: number
  root: number
  mainCpu: number
  allCpu: number
  reexec: number
  /** The same block on a state reopened from its Db (a node's first block after a restart). */
  coldExec: number
  coldRoot: number
  roots: Set<string>
}
type Samples = {
  [K in 'exec' | 'e2e' | 'programs' | 'commit' | 'root' | 'mainCpu' | 'allCpu' | 'coldExec' | 'coldRoot']: number[]
}
const rows: Row[] = []
for (const w of workloads) {
  const raws = signTransfers(token, w.transfers, CHAIN_ID, w.undeclared)
  const alloc: GenesisAlloc = {}
  for (const t of w.transfers) alloc[t.from.address] = { balance: 10n ** 24n }
  for (const mode of QUICK ? (['locks'] as const) : (['locks', 'optimistic'] as const)) {
    for (const workers of [1, 2]) {
      if (w.undeclared && mode === 'locks') continue
      // With vmShards the one VM runs both rows: its own state takes the sharded pipeline, createStateDb the other.
      const vm = parallelVm({ programs: [token], workers, mode, shardedState: STATES.includes('vmShards') })
      const byState = new Map<BenchStateKind, { row: Row; samples: Samples }>()
      for (const state of STATES) {
        const row: Row = {
          workload: w.name,
          mode,
          workers,
          state,
          exec: 0,
          e2e: 0,
          programs: 0,
          commit: 0,
          root: 0,
          mainCpu: 0,
          allCpu: 0,
          reexec: 0,
          coldExec: 0,
          coldRoot: 0,
          roots: new Set(),
        }
        const samples: Samples = {
          exec: [],
          e2e: [],
          programs: [],
          commit: [],
          root: [],
          mainCpu: [],
          allCpu: [],
          coldExec: [],
          coldRoot: [],
        }
        byState.set(state, { row, samples })
      }
      // One warm-up run (starts the threads, JIT), then the measured runs: each on the StateDb that wrote and
      // flushed genesis (a running node), then the same block on a state reopened from the Db (cold start).
      // With BENCH_STATE=both, each run does the block on createStateDb and on the sharded state (one worker
      // shard per VM worker), alternating, so both see the same machine.
      for (let rep = -1; rep < REPS; rep++) {
        for (const kind of STATES) {
          const { row, samples: s } = byState.get(kind)!
          const stateOpts = { kind, shards: workers, open: vm.openState }
          if (rep >= 0) {
            const cold = await flushedState(alloc, vm.genesis, { ...stateOpts, cold: true })
            try {
              const txs = (await vm.decodeTxs(raws, { chainId: CHAIN_ID })) as ParallelTx[]
              const t = performance.now()
              const result = await vm.executeBlock({ ctx, deposits: [], txs, state: cold, gas })
              s.coldExec.push(performance.now() - t)
              s.coldRoot.push(vm.lastStats()!.timings.root)
              row.roots.add(result.stateRoot)
            } finally {
              await cold.close()
            }
          }
          const state = await flushedState(alloc, vm.genesis, stateOpts)
          try {
            const t0 = performance.now()
            const txs = (await vm.decodeTxs(raws, { chainId: CHAIN_ID })) as ParallelTx[]
            const t1 = performance.now()
            const c1 = cpuMs()
            const result = await vm.executeBlock({ ctx, deposits: [], txs, state, gas })
            const t2 = performance.now()
            const c2 = cpuMs()
            if (result.included.length !== N || result.receipts.some((r) => r.status !== 'success'))
              throw new Error(`${w.name}: not every transfer succeeded`)
            if (rep < 0) continue
            s.exec.push(t2 - t1)
            s.e2e.push(t2 - t0)
            s.programs.push(vm.lastStats()!.timings.execute)
            s.commit.push(vm.lastStats()!.timings.commit)
            s.root.push(vm.lastStats()!.timings.root)
            s.mainCpu.push(c2.main - c1.main)
            s.allCpu.push(c2.all - c1.all)
            row.roots.add(result.stateRoot)
            row.reexec = (vm.lastStats()?.reexecutions ?? 0) / N
          } finally {
            await state.close()
          }
        }
      }
      await vm.close()
      for (const { row, samples: s } of byState.values()) {
        row.exec = median(s.exec)
        row.e2e = median(s.e2e)
        row.programs = median(s.programs)
        row.commit = median(s.commit)
        row.root = median(s.root)
        row.mainCpu = median(s.mainCpu)
        row.allCpu = median(s.allCpu)
        row.coldExec = median(s.coldExec)
        row.coldRoot = median(s.coldRoot)
        rows.push(row)
        console.log(
          `  ${w.name.padEnd(16)} ${mode.padEnd(10)} ${workers} worker(s) ${row.state.padEnd(8)}: exec ${row.exec.toFixed(0)} ms, e2e ${row.e2e.toFixed(0)} ms`,
        )
      }
    }
  }
}

const tps = (ms: number) => Math.round((N / ms) * 1000).toLocaleString('en-US')
const table = rows.map((r) => {
  const one = rows.find(
    (x) => x.workload === r.workload && x.mode === r.mode && x.workers === 1 && x.state === r.state,
  )!
  const plain = rows.find(
    (x) => x.workload === r.workload && x.mode === r.mode && x.workers === r.workers && x.state === 'plain',
  )
  return {
    workload: r.workload,
    mode: r.mode,
    workers: r.workers,
    ...(STATES.length > 1 ? { state: r.state } : {}),
    'exec ms': Math.round(r.exec),
    ...(STATES.length > 1 && plain ? { 'exec vs plain': `${(r.exec / plain.exec).toFixed(2)}x` } : {}),
    'exec tx/s': tps(r.exec),
    'exec speed-up': r.workers === 1 ? '1.00x' : `${(one.exec / r.exec).toFixed(2)}x`,
    'program phase ms': Math.round(r.programs),
    'program phase speed-up': r.workers === 1 ? '1.00x' : `${(one.programs / r.programs).toFixed(2)}x`,
    'state+roots ms': Math.round(r.commit),
    'state.root() ms': Math.round(r.root),
    'exec CPU main/all ms': `${Math.round(r.mainCpu)}/${Math.round(r.allCpu)}`,
    'e2e ms': Math.round(r.e2e),
    'cold-start exec ms': Math.round(r.coldExec),
    'cold state.root() ms': Math.round(r.coldRoot),
    'e2e tx/s': tps(r.e2e),
    'e2e speed-up': r.workers === 1 ? '1.00x' : `${(one.e2e / r.e2e).toFixed(2)}x`,
    'reexec/tx': r.reexec.toFixed(3),
  }
})
console.table(table)
// The same low-contention transfers as ERC-20 `transfer` calls on the EVM VM (@ethereumjs/evm on our state).
async function benchEvm(): Promise<{ exec: number; e2e: number; coldExec: number }> {
  const evm = evmVm()
  try {
    const low = workloads[0]!
    const evmRaws = signErc20Transfers(low.transfers, Number(CHAIN_ID))
    const evmAlloc = erc20Genesis(compileToken(), low.transfers)
    const evmExec: number[] = []
    const evmE2e: number[] = []
    const evmCold: number[] = []
    for (let rep = -1; rep < REPS; rep++) {
      if (rep >= 0) {
        const cold = await flushedState(evmAlloc, evm.genesis, { cold: true })
        const txs = await evm.decodeTxs(evmRaws, { chainId: CHAIN_ID })
        const t = performance.now()
        await evm.executeBlock({ ctx, deposits: [], txs: txs as never, state: cold, gas })
        evmCold.push(performance.now() - t)
      }
      const state = await flushedState(evmAlloc, evm.genesis)
      const t0 = performance.now()
      const txs = await evm.decodeTxs(evmRaws, { chainId: CHAIN_ID })
      const t1 = performance.now()
      const result = await evm.executeBlock({ ctx, deposits: [], txs: txs as never, state, gas })
      const t2 = performance.now()
      if (result.included.length !== N || result.receipts.some((r) => r.status !== 'success'))
        throw new Error('EVM: not every ERC-20 transfer succeeded')
      if (rep < 0) continue
      evmExec.push(t2 - t1)
      evmE2e.push(t2 - t0)
    }
    return { exec: median(evmExec), e2e: median(evmE2e), coldExec: median(evmCold) }
  } finally {
    await evm.close()
  }
}
const lowRow = (workers: number) =>
  rows.find(
    (r) => r.workload === 'low contention' && r.mode === 'locks' && r.workers === workers && r.state === STATES[0],
  )!
const native = lowRow(1)
const native2 = lowRow(2)
try {
  const evmRow = await benchEvm()
  console.table([
    {
      vm: 'EVM ERC-20 transfer (vm-evm)',
      'exec ms': Math.round(evmRow.exec),
      'cold-start exec ms': Math.round(evmRow.coldExec),
      'exec tx/s': tps(evmRow.exec),
      'e2e ms': Math.round(evmRow.e2e),
      'e2e tx/s': tps(evmRow.e2e),
    },
    {
      vm: 'native transfer, 1 worker',
      'exec ms': Math.round(native.exec),
      'cold-start exec ms': Math.round(native.coldExec),
      'exec tx/s': tps(native.exec),
      'e2e ms': Math.round(native.e2e),
      'e2e tx/s': tps(native.e2e),
    },
    {
      vm: 'native transfer, 2 workers',
      'exec ms': Math.round(native2.exec),
      'cold-start exec ms': Math.round(native2.coldExec),
      'exec tx/s': tps(native2.exec),
      'e2e ms': Math.round(native2.e2e),
      'e2e tx/s': tps(native2.e2e),
    },
  ])
  console.log(
    `native / EVM ERC-20, execution only: ${(evmRow.exec / native.exec).toFixed(1)}x at 1 worker, ${(evmRow.exec / native2.exec).toFixed(1)}x at 2 workers; end to end: ${(evmRow.e2e / native2.e2e).toFixed(1)}x at 2 workers; cold start (state reopened from its Db), execution only: ${(evmRow.coldExec / native.coldExec).toFixed(1)}x / ${(evmRow.coldExec / native2.coldExec).toFixed(1)}x`,
  )
} catch (e) {
  console.log(`EVM ERC-20 comparison could not run: ${(e as Error).message}`)
}
for (const w of workloads) {
  const roots = new Set(rows.filter((r) => r.workload === w.name).flatMap((r) => [...r.roots]))
  console.log(
    `${w.name}: ${roots.size === 1 ? 'identical state roots in every run' : `STATE ROOTS DIFFER (${roots.size})`}`,
  )
}
