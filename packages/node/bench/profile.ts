// Profiles the node under the throughput workload:
// BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir /tmp/prof' tsx --conditions source bench/profile.ts
// Knobs: SENDERS, PER_SENDER (default 100 x 30), LEVEL=1 for the LevelDB node (default in memory).
import { privateKeyToAccount } from 'viem/accounts'
import { spawnAppchain } from './targets.js'
import { throughput } from './throughput.js'
import { senderKeys, signTransfers } from './workload.js'

const keys = senderKeys(Number(process.env.SENDERS ?? 100), 1)
const txs = await signTransfers(keys, Number(process.env.PER_SENDER ?? 30))
const wKeys = senderKeys(200, 3)
const warmup = (await signTransfers(wKeys, 1)).flat()
const node = await spawnAppchain({
  name: 'p',
  inMemory: process.env.LEVEL !== '1',
  fund: [...keys, ...wKeys].map((k) => privateKeyToAccount(k).address),
})
const r = await throughput(node.url, txs, undefined, warmup)
console.log(r)
// Block build and seal histograms of the run.
const metrics = await (await fetch(`${node.url}/metrics`)).text()
for (const line of metrics.split('\n'))
  if (/^appchain_block_(build|seal)_seconds_(bucket|sum|count)/.test(line)) console.log(line)
await node.stop()
process.exit(0)
