// A bench helper: a long-lived thread serving shards, as the parallel VM's workers do. Each message
// `{ port, nibbles }` (the port transferred) starts serving an AccountShard on that port; the thread stays up
// (and its code warm) across the states the bench opens and closes.
import { type MessagePort, parentPort } from 'node:worker_threads'
import { serveShard } from '../src/index.js'

const parent = parentPort
if (parent === null) throw new Error('servingWorker.ts runs in a worker thread')
parent.on('message', (msg: { port: MessagePort; nibbles: number[] }) => {
  serveShard(msg.port, { nibbles: msg.nibbles })
})
