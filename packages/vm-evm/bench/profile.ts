// Our side only, for CPU profiles of the timed runs: `npx tsx --conditions=source bench/profile.ts`
// PROFILE_WORKLOAD=eth|erc20|amm (default erc20), PROFILE_COUNT (default 4000), PROFILE_RUNS (default 3),
// PROFILE_OUT=<file.cpuprofile> to write the main thread's profile of the timed runs; PROFILE_BASELINE=1 to
// also run @ethereumjs/vm and print the ratio of process CPU times (steadier than wall time on a busy machine).
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { runEthereumjs } from './ethereumjs.js'
import { createOurRunner } from './ours.js'
import { ammSwaps, benchContracts, erc20Transfers, ethTransfers, type Workload } from './workloads.js'

const kind = process.env.PROFILE_WORKLOAD ?? 'erc20'
const count = Number(process.env.PROFILE_COUNT ?? 4000)
const runs = Number(process.env.PROFILE_RUNS ?? 3)
const code = benchContracts()
const make = (n: number): Workload =>
  kind === 'eth' ? ethTransfers(n) : kind === 'amm' ? ammSwaps(n, code) : erc20Transfers(n, code)
const ours = createOurRunner()
try {
  await ours.run(make(200))
  const w = make(count)
  const out = process.env.PROFILE_OUT
  const session = new Session()
  if (out) {
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
  }
  const cpuMs = () => {
    const u = process.cpuUsage()
    return (u.user + u.system) / 1000
  }
  const baseline = process.env.PROFILE_BASELINE === '1'
  for (let i = 0; i < runs; i++) {
    let c0 = cpuMs()
    const r = await ours.run(w)
    const ourCpu = cpuMs() - c0
    let line = `${w.name}: ${r.ms.toFixed(0)} ms, ${(count / (r.ms / 1000)).toFixed(0)} tx/s, cpu ${ourCpu.toFixed(0)} ms, root ${r.root.slice(0, 10)}`
    if (baseline) {
      c0 = cpuMs()
      const b = await runEthereumjs(w, false)
      const theirCpu = cpuMs() - c0
      if (b.root !== r.root) line += ` ROOTS DIFFER ${b.root.slice(0, 10)}`
      line += ` | ethereumjs ${b.ms.toFixed(0)} ms, cpu ${theirCpu.toFixed(0)} ms | wall ratio ${(b.ms / r.ms).toFixed(1)}x, cpu ratio ${(theirCpu / ourCpu).toFixed(1)}x`
    }
    console.log(line)
  }
  if (out) {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(out, JSON.stringify(profile))
    session.disconnect()
  }
} finally {
  await ours.close()
}
