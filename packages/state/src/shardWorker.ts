// The worker thread of `workerShards`: serves one AccountShard on the MessagePort it was handed in workerData
// (transferred); it exits once the port closes.
import { type MessagePort, workerData } from 'node:worker_threads'
import { serveShard } from './serveShard.js'

const { port, nibbles } = workerData as { port: MessagePort; nibbles: number[] }
serveShard(port, { nibbles })
