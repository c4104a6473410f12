// npm run bench -w packages/vm-evm  (BENCH_RUNS=3, BENCH_SCALE=1: 10k/10k/2k transactions; BENCH_ONLY=eth,erc20,amm
// picks workloads)
// Side by side, same pre-signed transactions, same genesis: our executeBlock (decode + sender recovery +
// execution + state root) vs @ethereumjs/vm runTx + final state root. Medians of BENCH_RUNS runs.
import { runEthereumjs } from './ethereumjs.js'
import { createOurRunner, type RunResult } from './ours.js'
import { ammSwaps, benchContracts, erc20Transfers, ethTransfers, type Workload } from './workloads.js'

const runs = Number(process.env.BENCH_RUNS ?? 3)
const scale = Number(process.env.BENCH_SCALE ?? 1)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const code = benchContracts()
const only = new Set((process.env.BENCH_ONLY ?? 'eth,erc20,amm').split(','))
const workloads: Workload[] = [
  ...(only.has('eth') ? [ethTransfers(Math.round(10_000 * scale))] : []),
  ...(only.has('erc20') ? [erc20Transfers(Math.round(10_000 * scale), code)] : []),
  ...(only.has('amm') ? [ammSwaps(Math.round(2_000 * scale), code)] : []),
]

const ours = createOurRunner()
const rows: string[][] = []
let allEqual = true
try {
  // Warm-up (JIT, worker threads, lazy tables) on small versions of each workload, untimed.
  for (const w of [ethTransfers(200), erc20Transfers(200, code), ammSwaps(100, code)]) {
    await ours.run(w)
    await runEthereumjs(w, false)
    await runEthereumjs(w, true)
  }
  for (const w of workloads) {
    const a: RunResult[] = []
    const b: RunResult[] = []
    const c: RunResult[] = []
    // Interleaved so all sides see the same machine load.
    for (let i = 0; i < runs; i++) {
      a.push(await ours.run(w))
      b.push(await runEthereumjs(w, false))
      c.push(await runEthereumjs(w, true))
    }
    const n = w.raws.length
    const msA = median(a.map((r) => r.ms))
    const msB = median(b.map((r) => r.ms))
    const msC = median(c.map((r) => r.ms))
    const gas = Number(a[0]!.gasUsed)
    const ref = b[0]!
    const same = [...a, ...b, ...c].every((r) => r.root === ref.root && r.gasUsed === ref.gasUsed)
    allEqual &&= same
    const tps = (ms: number) => (n / (ms / 1000)).toFixed(0)
    const mgas = (ms: number) => (gas / 1e6 / (ms / 1000)).toFixed(1)
    rows.push([
      w.name,
      tps(msA),
      mgas(msA),
      tps(msB),
      mgas(msB),
      `${(msB / msA).toFixed(1)}x`,
      tps(msC),
      `${(msC / msA).toFixed(1)}x`,
      same ? 'yes' : `NO ${a[0]!.root.slice(0, 10)} vs ${ref.root.slice(0, 10)}`,
    ])
  }
} finally {
  await ours.close()
}

const head = [
  'workload',
  'ours tx/s',
  'ours Mgas/s',
  'ethereumjs tx/s',
  'ethereumjs Mgas/s',
  'ratio',
  'ethjs+native ecrecover tx/s',
  'ratio',
  'same roots',
]
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
const line = (cells: string[]) =>
  `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
console.log(`\nEVM block execution, median of ${runs} runs (ours: decode + recovery + execute + state root)`)
console.log('ethereumjs: runTx + final state root, as shipped (@noble/curves recovery) and with native ecrecover\n')
console.log(line(head))
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
for (const r of rows) console.log(line(r))
if (!allEqual) {
  console.error('\nstate roots or gas differ between the two implementations')
  process.exit(1)
}
