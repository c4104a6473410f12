import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import type { GenesisAlloc } from '@appchain/core'
import { eip1559 } from '@appchain/gas'
import type { ParallelTx } from '../src/parallelTx.js'
import { parallelVm } from '../src/parallelVm.js'
import { nativeToken } from '../src/programs/nativeToken.js'
import {
  type BenchStateKind,
  benchContext,
  cpuMs,
  flushedState,
  median,
  signTransfers,
  transferWorkloads,
} from './workloads.js'

// Where the time of one block goes: BENCH_TXS transfers at low contention, phases timed separately.
// PROFILE=file.cpuprofile writes a CPU profile of the main thread during the last executeBlock only.
// BENCH_STATE=sharded runs the blocks on createShardedStateDb (max(WORKERS, 1) worker shards) instead of createStateDb.
const N = Number(process.env.BENCH_TXS ?? 5000)
const workers = Number(process.env.WORKERS ?? 0)
const kind: BenchStateKind = process.env.BENCH_STATE === 'sharded' ? 'sharded' : 'plain'
const gas = eip1559({ initialBaseFee: 1n })
const ctx = benchContext(gas)
const w = transferWorkloads(N)[0]!
const token = nativeToken({ authority: w.transfers[0]!.from.address })
const raws = signTransfers(token, w.transfers, 4242n)
const alloc: GenesisAlloc = {}
for (const t of w.transfers) alloc[t.from.address] = { balance: 10n ** 24n }
const vms = [
  parallelVm({ programs: [token], workers, overlapRoot: true }),
  parallelVm({ programs: [token], workers, overlapRoot: false }),
]
const REPS = Number(process.env.BENCH_REPS ?? 3)
const rows: { overlapRoot: boolean; exec: number; mainCpu: number; root: number; preRoot: number }[] = []
for (let i = 0; i < 2 * REPS + 2; i++) {
  // Alternating, both configurations warmed up first: the machine is shared.
  const vm = vms[i % 2]!
  let t = performance.now()
  const state = await flushedState(alloc, vm.genesis, { kind, shards: Math.max(workers, 1) })
  const tg = performance.now() - t
  t = performance.now()
  const txs = (await vm.decodeTxs(raws, { chainId: 4242n })) as ParallelTx[]
  const td = performance.now() - t
  // PROFILE_OVERLAP=0 profiles the overlapRoot: false run instead.
  const session =
    process.env.PROFILE && i === 2 * REPS + (process.env.PROFILE_OVERLAP === '0' ? 1 : 0) ? new Session() : undefined
  if (session) {
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 200 })
    await session.post('Profiler.start')
  }
  t = performance.now()
  const c = cpuMs()
  const r = await vm.executeBlock({ ctx, deposits: [], txs, state, gas })
  const te = performance.now() - t
  const st = vm.lastStats()!.timings
  if (i >= 2)
    rows.push({
      overlapRoot: i % 2 === 0,
      exec: te,
      mainCpu: cpuMs().main - c.main,
      root: st.root,
      preRoot: st.preRoot,
    })
  if (session) {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(process.env.PROFILE!, JSON.stringify(profile))
    session.disconnect()
  }
  t = performance.now()
  await state.root()
  await state.close()
  console.log(JSON.stringify(vm.lastStats()?.timings, (_, v) => (typeof v === 'number' ? Math.round(v) : v)))
  console.log(
    `genesis ${tg.toFixed(0)} decode ${td.toFixed(0)} exec ${te.toFixed(0)} ms (${r.included.length} txs) root-again ${(performance.now() - t).toFixed(0)}`,
  )
}
for (const vm of vms) await vm.close()
const med = (xs: number[]) => Math.round(median(xs))
console.table(
  [true, false].map((o) => {
    const rs = rows.filter((r) => r.overlapRoot === o)
    return {
      overlapRoot: o,
      'exec ms': med(rs.map((r) => r.exec)),
      'main-thread CPU ms': med(rs.map((r) => r.mainCpu)),
      'preRoot ms': med(rs.map((r) => r.preRoot)),
      'final root ms': med(rs.map((r) => r.root)),
    }
  }),
)
