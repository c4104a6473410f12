import type { Address } from '@appchain/core'
import type { ExecTx } from '../src/executor.js'
import { programSpec } from '../src/program.js'
import { nativeToken } from '../src/programs/nativeToken.js'
import { cpuProfile } from './cpuProfile.js'
import { benchKeys, median } from './workloads.js'

// The program phase alone, on this thread: BENCH_TXS transfers packed, cloned, run and unpacked as a worker
// round trip does it (the clones stand for postMessage's serialisation on both sides).
// BASE=dir also runs the runBatch of another copy of src (e.g. `git archive HEAD src | tar -x -C .base`),
// alternating, for a before/after ratio in one run.
const N = Number(process.env.BENCH_TXS ?? 20_000)
const senders = benchKeys(N, 'sender').map((k) => k.address)
const receivers = benchKeys(N, 'receiver').map((k) => k.address)
const token = nativeToken({ authority: senders[0]! })
const specs = [programSpec(token)]
const txs: ExecTx[] = senders.map((s, i) => ({
  index: i,
  program: 'token',
  method: 'transfer',
  argsJson: JSON.stringify([receivers[i]!, '1']),
  sender: s,
  reads: [],
  writes: [s, receivers[i]!],
}))
const balances: [Address, bigint][] = [
  ...senders.map((s) => [s, 10n ** 24n] as [Address, bigint]),
  ...receivers.map((r) => [r, 0n] as [Address, bigint]),
]
const variants = [{ name: 'src', dir: '../src' }]
if (process.env.BASE) variants.push({ name: 'base', dir: `${process.env.BASE}/src` })
const runners = await Promise.all(
  variants.map(async (v) => {
    const m = await import(`${v.dir}/batch.ts`)
    const { createRegistry } = await import(`${v.dir}/registry.ts`)
    const { createSandbox } = await import(`${v.dir}/sandbox.ts`)
    const registry = createRegistry(specs)
    const sandbox = createSandbox(specs)
    const env = { blockNumber: 1n, timestamp: 1n }
    // What a worker round trip costs, on one thread: pack, clone there, run, clone back, unpack.
    const run = m.encodeBatch
      ? () => {
          const task = m.encodeBatch(txs, { mode: 'locks', env, balance: () => 10n ** 24n, record: () => undefined })
          const out = structuredClone(m.runBatch(sandbox, registry.infos, structuredClone(task)))
          return { results: m.batchResults(task, out), writes: m.batchWrites(out, task) }
        }
      : () =>
          structuredClone(
            m.runBatch(sandbox, registry.infos, structuredClone({ mode: 'locks', env, txs, balances, records: [] })),
          )
    return {
      name: v.name,
      run,
      cpu: [] as number[],
    }
  }),
)
for (let rep = 0; rep < Number(process.env.BENCH_REPS ?? 5); rep++) {
  for (const r of runners) {
    const c = process.cpuUsage()
    const out = r.run() as { results: { status: string }[] }
    const d = process.cpuUsage(c)
    r.cpu.push((d.user + d.system) / 1000)
    if (out.results.some((x) => x.status !== 'success')) throw new Error('a transfer failed')
  }
}
if (process.env.PROFILE)
  await cpuProfile(process.env.PROFILE, () => {
    for (let i = 0; i < 3; i++) runners[0]!.run()
  })
for (const r of runners)
  console.log(
    `${r.name}: runBatch ${N} transfers, CPU median ${median(r.cpu).toFixed(0)} ms (${((median(r.cpu) * 1000) / N).toFixed(1)} µs/tx)`,
  )
if (runners.length === 2)
  console.log(`ratio base/src: ${(median(runners[1]!.cpu) / median(runners[0]!.cpu)).toFixed(2)}x`)
