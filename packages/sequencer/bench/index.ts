// Sequencer benchmarks on the real EVM VM, state (memoryDb) and eip1559:
//  1. block build time: one-shot buildBlock of N pooled ETH transfers (median of runs);
//  2. preconfirmation latency p50/p99 and block interval at 1,000 tx/s offered, 100 ms and 250 ms blocks.
// Run: npm run bench -w packages/sequencer   (BENCH_SECONDS=5 by default)
import { memoryDb, type TxEnvelope } from '@appchain/core'
import { eip1559 } from '@appchain/gas'
import { evmVm } from '@appchain/vm-evm'
import { nextBlockContext } from '../src/blockContext.js'
import { buildBlock } from '../src/buildBlock.js'
import { fifo } from '../src/fifo.js'
import { createMempool } from '../src/mempool.js'
import { createSequencer } from '../src/sequencer.js'
import { fundedGenesis, testAccounts, transfer } from '../test/accounts.js'
import { createTestChain } from '../test/testChain.js'

const CHAIN_ID = 4242
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const RATE = 1000

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))]! : Number.NaN
}
const ms = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(2))

const vm = evmVm()
const gas = eip1559()
const senders = testAccounts(500)
const genesis = fundedGenesis(senders)

console.log(`signing ${RATE * SECONDS * 2 + 2000} transfers from ${senders.length} senders…`)
const perSender = Math.ceil((RATE * SECONDS * 2 + 2000) / senders.length)
const signed: Uint8Array[][] = []
for (const a of senders) {
  const mine: Uint8Array[] = []
  for (let n = 0; n < perSender; n++) mine.push(await transfer(a, { nonce: n, chainId: CHAIN_ID }))
  signed.push(mine)
}
/** Round-robin over senders in nonce order: the k-th transaction of the stream. */
const stream = (count: number, fromNonce = 0) => {
  const out: Uint8Array[] = []
  for (let k = 0; out.length < count; k++)
    out.push(signed[k % senders.length]![fromNonce + Math.floor(k / senders.length)]!)
  return out
}

// Warm the interpreter (KZG setup, code paths) once, outside any measurement.
{
  const chain = await createTestChain({ db: memoryDb(), vm, gas, genesis })
  const s = createSequencer({ vm, gas, chain, chainId: BigInt(CHAIN_ID) })
  await s.submit(stream(50))
  await s.buildNow()
}

// 1. Block build time.
const buildRows: Record<string, string | number>[] = []
for (const n of [100, 500, 1000]) {
  const times: number[] = []
  for (let run = 0; run < 5; run++) {
    const chain = await createTestChain({ db: memoryDb(), vm, gas, genesis })
    const pool = createMempool({ maxCount: 100_000, maxPerSender: 1000 })
    const decoded = (await vm.decodeTxs(stream(n), { chainId: BigInt(CHAIN_ID) })) as TxEnvelope[]
    for (const tx of decoded) pool.add(tx, { stateNonce: 0n })
    const head = chain.head()
    const ctx = nextBlockContext({
      parent: head.header,
      parentHash: head.hash,
      chainId: BigInt(CHAIN_ID),
      gas,
      gasLimit: 60_000_000n,
      coinbase: '0x0000000000000000000000000000000000000000',
      nowMs: Date.now(),
    })
    const t = performance.now()
    const sealed = await buildBlock({ vm, gas, state: chain.state(), ctx, pending: pool, ordering: fifo() })
    const dt = performance.now() - t
    await chain.seal(sealed)
    if (sealed.execution.included.length !== n) throw new Error(`built ${sealed.execution.included.length} of ${n}`)
    times.push(dt)
  }
  const med = q(times, 0.5)
  buildRows.push({ txs: n, 'median ms': ms(med), 'tx/s': Math.round((n / med) * 1000) })
}
console.log('\nblock build (buildBlock: order + execute + roots + flush; EVM transfers, memoryDb)')
console.table(buildRows)

// 2. Preconfirmation latency under 1,000 tx/s offered.
const latencyRows: Record<string, string | number>[] = []
for (const [blockTimeMs, rate] of [
  [100, RATE],
  [250, RATE],
  [100, RATE / 4],
] as const) {
  const chain = await createTestChain({ db: memoryDb(), vm, gas, genesis })
  const seq = createSequencer({
    vm,
    gas,
    chain,
    chainId: BigInt(CHAIN_ID),
    blockTimeMs,
    preconf: { privateKey: KEY },
    mempool: { maxCount: 100_000, maxPerSender: 1000, maxNonceGap: 1000 },
  })
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  const sealTimes: number[] = []
  const sealedAt: number[] = []
  const decoded = (await vm.decodeTxs(stream(rate * SECONDS), { chainId: BigInt(CHAIN_ID) })) as TxEnvelope[]
  const raws = decoded.map((t) => t.raw)
  seq.onPreconfirmation((p) => {
    const t = sentAt.get(p.txHash)
    if (t !== undefined) latencies.push(performance.now() - t)
  })
  seq.onBlock((_b, info) => {
    sealTimes.push(info.sealMs)
    sealedAt.push(performance.now())
  })
  seq.start()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let i = 0
  const errors: string[] = []
  await new Promise<void>((resolve) => {
    const pump = () => {
      const due = Math.min(raws.length, Math.floor(((performance.now() - t0) * rate) / 1000))
      while (i < due) {
        const k = i++
        const scheduled = t0 + (k * 1000) / rate
        sentAt.set(decoded[k]!.hash, scheduled)
        seq.submit([raws[k]!]).then((r) => {
          if (r[0] instanceof Error) errors.push(r[0].shortMessage ?? r[0].message)
        })
      }
      if (i >= raws.length) resolve()
      else setTimeout(pump, 1)
    }
    pump()
  })
  const deadline = performance.now() + 5000
  while (latencies.length + errors.length < raws.length && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20))
  await seq.stop()
  const cpu = process.cpuUsage(cpu0)
  const wall = performance.now() - t0
  const intervals = sealedAt.slice(1).map((t, j) => t - sealedAt[j]!)
  const included = chain.sealed.reduce((s, b) => s + b.execution.included.length, 0)
  latencyRows.push({
    'block ms': blockTimeMs,
    'tx/s': rate,
    offered: raws.length,
    preconfirmed: latencies.length,
    included,
    refused: errors.length,
    'preconf p50 ms': ms(q(latencies, 0.5)),
    'preconf p99 ms': ms(q(latencies, 0.99)),
    'interval p50 ms': ms(q(intervals, 0.5)),
    'interval min..max': `${ms(Math.min(...intervals))}..${ms(Math.max(...intervals))}`,
    'within ±10%': `${((intervals.filter((x) => Math.abs(x - blockTimeMs) <= blockTimeMs * 0.1).length / Math.max(1, intervals.length)) * 100).toFixed(0)}%`,
    'seal p50 ms': ms(q(sealTimes, 0.5)),
    'seal p99 ms': ms(q(sealTimes, 0.99)),
    'cpu ms/tx': ((cpu.user + cpu.system) / 1000 / raws.length).toFixed(3),
    'cpu share': `${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(0)}%`,
  })
  if (errors.length) console.log(`refused at ${blockTimeMs} ms: ${[...new Set(errors)].slice(0, 3).join('; ')}`)
}
console.log(
  `\npreconfirmation latency, ${SECONDS} s per row (each tx submitted alone; latency from its scheduled send time; cpu = this process, recovery workers included)`,
)
console.table(latencyRows)
console.log(
  `VM incremental openBlock: ${vm.openBlock ? 'yes' : 'no (executeBlock fallback: each arrival batch executed as a segment, block re-executed at the tick)'}`,
)
await vm.close()
