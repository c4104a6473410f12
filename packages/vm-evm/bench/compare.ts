// A/B of our side against another copy of this package's sources, in one process, alternating:
// `BASE=.ab npx tsx --conditions=source bench/compare.ts` (BASE holds a `src` copy, e.g. the previous commit's).
// COMPARE_WORKLOAD=eth|erc20|amm (default amm), COMPARE_COUNT (default 1000), COMPARE_RUNS (default 5).
// Prints per-run wall and process CPU time of each side and the median ratios (base / current).
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createOurRunner } from './ours.js'
import { ammSwaps, benchContracts, erc20Transfers, ethTransfers, type Workload } from './workloads.js'

const base = process.env.BASE
if (!base) throw new TypeError('set BASE to a directory holding a src copy of this package')
const kind = process.env.COMPARE_WORKLOAD ?? 'amm'
const count = Number(process.env.COMPARE_COUNT ?? 1000)
const runs = Number(process.env.COMPARE_RUNS ?? 5)
const code = benchContracts()
const make = (n: number): Workload =>
  kind === 'eth' ? ethTransfers(n) : kind === 'amm' ? ammSwaps(n, code) : erc20Transfers(n, code)
const baseModule = (await import(pathToFileURL(resolve(base, 'src/evmVm.ts')).href)) as {
  evmVm: Parameters<typeof createOurRunner>[0]
}
const sides = { base: createOurRunner(baseModule.evmVm), current: createOurRunner() }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
try {
  for (const s of Object.values(sides)) await s.run(make(200))
  const w = make(count)
  const stats = {
    base: { wall: [] as number[], cpu: [] as number[] },
    current: { wall: [] as number[], cpu: [] as number[] },
  }
  let root: string | undefined
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? (['base', 'current'] as const) : (['current', 'base'] as const)
    for (const name of order) {
      const c0 = cpuMs()
      const r = await sides[name].run(w)
      const cpu = cpuMs() - c0
      root ??= r.root
      if (r.root !== root) throw new Error(`${name}: state root ${r.root} differs from ${root}`)
      stats[name].wall.push(r.ms)
      stats[name].cpu.push(cpu)
      console.log(`${name.padEnd(7)} ${w.name}: wall ${r.ms.toFixed(0)} ms, cpu ${cpu.toFixed(0)} ms`)
    }
  }
  const b = stats.base
  const c = stats.current
  console.log(
    `median wall base/current ${(median(b.wall) / median(c.wall)).toFixed(3)}x, cpu ${(median(b.cpu) / median(c.cpu)).toFixed(3)}x (${median(b.cpu).toFixed(0)} / ${median(c.cpu).toFixed(0)} ms)`,
  )
} finally {
  for (const s of Object.values(sides)) await s.close()
}
