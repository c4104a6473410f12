// Profiles the node under the throughput workload:
// BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir /tmp/prof' tsx --conditions source bench/profile.ts
import { privateKeyToAccount } from 'viem/accounts'
import { spawnAppchain } from './targets.js'
import { throughput } from './throughput.js'
import { senderKeys, signTransfers } from './workload.js'

const keys = senderKeys(Number(process.env.SENDERS ?? 100), 1)
const txs = await signTransfers(keys, Number(process.env.PER_SENDER ?? 30))
const node = await spawnAppchain({ name: 'p', inMemory: true, fund: keys.map((k) => privateKeyToAccount(k).address) })
const r = await throughput(node.url, txs)
console.log(r)
await node.stop()
process.exit(0)
