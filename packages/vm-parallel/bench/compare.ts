import { existsSync, readFileSync } from 'node:fs'
import type { GenesisAlloc, StateDb } from '@appchain/core'
import { memoryDb } from '@appchain/core'
import { eip1559 } from '@appchain/gas'
import type { ParallelTx } from '../src/parallelTx.js'
import { nativeToken } from '../src/programs/nativeToken.js'
import { benchContext, cpuMs, median, signTransfers, transferWorkloads } from './workloads.js'

// Before/after in one run: BASE=dir holds another copy of src (`git archive <commit> src | tar -x -C dir`);
// both VMs execute the same signed low-contention block alternately, WORKERS threads each, BENCH_REPS times.
// Prints exec wall, main-thread and all-threads CPU medians and their ratios, the main thread's serial phases
// outside the programs and the state root (hold + load + settle + commit - root, wall), the main thread's CPU outside
// state.root() (nanosecond /proc schedstat; the root is another engineer's), and checks the state roots agree.
// A copy of packages/state beside the base (BASE/../state/src, its src importing it relatively) is that variant's
// state; otherwise both run on this checkout's @appchain/state.
const N = Number(process.env.BENCH_TXS ?? 20_000)
const REPS = Number(process.env.BENCH_REPS ?? 5)
const workers = Number(process.env.WORKERS ?? 1)
const base = process.env.BASE
if (!base) throw new Error('set BASE to a directory holding another copy of src')
const gas = eip1559({ initialBaseFee: 1n })
const ctx = benchContext(gas)
const w = transferWorkloads(N)[Number(process.env.WORKLOAD ?? 0)]!
const token = nativeToken({ authority: w.transfers[0]!.from.address })
const raws = signTransfers(token, w.transfers, 4242n)
const alloc: GenesisAlloc = {}
for (const t of w.transfers) alloc[t.from.address] = { balance: 10n ** 24n }
const variants = await Promise.all(
  [
    { name: 'src', dir: '../src' },
    { name: 'base', dir: `${base}/src` },
  ].map(async (v) => {
    const m = await import(`${v.dir}/parallelVm.ts`)
    const stateSrc = new URL(`${v.dir}/../../state/src/stateDb.ts`, import.meta.url)
    const { createStateDb } = await import(existsSync(stateSrc) ? stateSrc.href : '@appchain/state')
    const p = await import(`${v.dir}/programs/nativeToken.ts`)
    const vm = m.parallelVm({ programs: [p.nativeToken({ authority: w.transfers[0]!.from.address })], workers })
    const flushed = async (): Promise<StateDb> => {
      const db = memoryDb()
      const state = createStateDb({ db })
      await vm.genesis(alloc, state)
      const { ops } = await state.flush()
      await db.batch(ops)
      return state
    }
    return {
      ...v,
      vm,
      flushed,
      exec: [] as number[],
      main: [] as number[],
      all: [] as number[],
      programs: [] as number[],
      root: [] as number[],
      serial: [] as number[],
      outsideRoot: [] as number[],
      roots: new Set<string>(),
    }
  }),
)
for (let rep = -1; rep < REPS; rep++) {
  // Each variant goes first every other time: whichever runs second pays for the first one's garbage.
  for (const v of rep % 2 === 0 ? variants : [...variants].reverse()) {
    const state = await v.flushed()
    // The main thread's CPU inside state.root() (nanosecond schedstat), to report the rest of its CPU alone.
    let inRoot = 0
    const root = state.root.bind(state)
    state.root = async () => {
      const c0 = mainCpuNs()
      try {
        return await root()
      } finally {
        inRoot += mainCpuNs() - c0
      }
    }
    const m0 = mainCpuNs()
    const txs = (await v.vm.decodeTxs(raws, { chainId: 4242n })) as ParallelTx[]
    const c = cpuMs()
    const t = performance.now()
    const r = await v.vm.executeBlock({ ctx, deposits: [], txs, state, gas })
    const ms = performance.now() - t
    if (rep < 0) continue
    v.exec.push(ms)
    const c2 = cpuMs()
    v.main.push(c2.main - c.main)
    v.outsideRoot.push((mainCpuNs() - m0 - inRoot) / 1e6)
    v.all.push(c2.all - c.all)
    v.programs.push(v.vm.lastStats().timings.execute)
    v.root.push(v.vm.lastStats().timings.root)
    // The main thread's own phases outside the programs and the state root: holds, loads, settle, flush, commit.
    const tm = v.vm.lastStats().timings
    v.serial.push(tm.hold + tm.load + tm.settle + tm.commit - tm.root)
    v.roots.add(r.stateRoot)
  }
}
for (const v of variants) await v.vm.close()
const [a, b] = variants as [(typeof variants)[0], (typeof variants)[0]]
console.table(
  variants.map((v) => ({
    code: v.name,
    'exec ms': Math.round(median(v.exec)),
    'main-thread CPU ms': Math.round(median(v.main)),
    'all threads CPU ms': Math.round(median(v.all)),
    'program phase ms': Math.round(median(v.programs)),
    'state.root() ms': Math.round(median(v.root)),
    'serial phases ms': Math.round(median(v.serial)),
    'main CPU outside root ms': Math.round(median(v.outsideRoot)),
  })),
)
console.log(
  `${w.name}, ${N} transfers, ${workers} worker(s): base/src exec ${(median(b.exec) / median(a.exec)).toFixed(2)}x, main-thread CPU ${(median(b.main) / median(a.main)).toFixed(2)}x, serial phases ${(median(b.serial) / median(a.serial)).toFixed(2)}x, main CPU outside root ${(median(b.outsideRoot) / median(a.outsideRoot)).toFixed(2)}x, all threads CPU ${(median(b.all) / median(a.all)).toFixed(2)}x; state roots ${new Set([...a.roots, ...b.roots]).size === 1 ? 'identical' : 'DIFFER'}`,
)

/** This thread's CPU time in nanoseconds (Linux schedstat: finer than the 10 ms ticks of /proc stat). */
function mainCpuNs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0])
}
