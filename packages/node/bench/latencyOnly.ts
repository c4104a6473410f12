// Latency at 1,000 tx/s against our node only (iterating on preconfirmation p99):
// LEVEL=1 for LevelDB (default in memory); SENDERS x PER_SENDER transfers (default 300 x 10).
import { privateKeyToAccount } from 'viem/accounts'
import { latency } from './latency.js'
import { spawnAppchain } from './targets.js'
import { senderKeys, signTransfers } from './workload.js'

const senders = Number(process.env.SENDERS ?? 300)
const per = Number(process.env.PER_SENDER ?? 10)
const lKeys = senderKeys(senders, 2)
const wKeys = senderKeys(200, 3)
const bySender = await signTransfers(lKeys, per)
const txs = Array.from({ length: per }, (_, n) => bySender.map((s) => s[n]!)).flat()
const warmup = (await signTransfers(wKeys, 1)).flat()
const node = await spawnAppchain({
  name: 'l',
  inMemory: process.env.LEVEL !== '1',
  fund: [...lKeys, ...wKeys].map((k) => privateKeyToAccount(k).address),
})
try {
  const r = await latency(node.wsUrl, txs, Number(process.env.RATE ?? 1000), true, warmup)
  console.log(JSON.stringify(r, (_k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v)))
} finally {
  await node.stop()
}
process.exit(0)
