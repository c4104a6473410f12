// A test fixture: a plain worker that is not a shard worker. Each message `{ port, nibbles }` (the port
// transferred) starts serving a shard on that port; 'ping' answers 'pong' (the thread is still alive). The
// parentPort listener keeps the thread running after its shards' ports close.
import { type MessagePort, parentPort } from 'node:worker_threads'
import { serveShard } from './serveShard.js'

const parent = parentPort
if (parent === null) throw new Error('serveShard.testWorker.ts runs in a worker thread')
parent.on('message', (msg: 'ping' | { port: MessagePort; nibbles: number[] }) => {
  if (msg === 'ping') parent.postMessage('pong')
  else serveShard(msg.port, { nibbles: msg.nibbles })
})
