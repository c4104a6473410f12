import { workerData } from 'node:worker_threads'
import { serveWorker } from '@appchain/core/workers'
import { keccakReady, orderedTrieRoot, keccakReady as stateKeccakReady } from '@appchain/state'
import { type BatchTask, runBatch } from './batch.js'
import { type PackedItems, unpackItems } from './packed.js'
import { type DecodeOptions, decodeItems } from './parallelTx.js'
import type { ProgramSpec } from './program.js'
import { createRegistry } from './registry.js'
import { createSandbox } from './sandbox.js'
import {
  executeShardBlock,
  type HostShardTask,
  hostShard,
  prepareShardBlock,
  type ShardExecuteTask,
  type ShardPrepareTask,
} from './shardExec.js'

/** Messages the parallel VM sends its worker threads. */
export type WorkerTask =
  | { op: 'decode'; raws: Uint8Array[]; opts: DecodeOptions }
  | ({ op: 'execute' } & BatchTask)
  /** `orderedTrieRoot` of the items packed end to end in `bytes`; item i ends at `ends[i]`. */
  | ({ op: 'trieRoot' } & PackedItems)
  /** The sharded pipeline (`shardedState: true`): host a shard of a state, then two rounds per block. */
  | HostShardTask
  | ShardPrepareTask
  | ShardExecuteTask

// Each worker compiles the programs into its own sandbox once and keeps it for its lifetime.
const specs = (workerData as { specs: ProgramSpec[] }).specs
const registry = createRegistry(specs)
const sandbox = createSandbox(specs)

serveWorker(async (task: WorkerTask) => {
  await keccakReady()
  if (task.op === 'decode') return decodeItems(task.raws, registry, task.opts)
  if (task.op === 'trieRoot') {
    // The trie hashes with @appchain/state's keccak: WebAssembly once instantiated, 4x slower before.
    await stateKeccakReady()
    return orderedTrieRoot(unpackItems(task))
  }
  if (task.op === 'hostShard') return hostShard(task)
  if (task.op === 'shardPrepare') return prepareShardBlock(task)
  if (task.op === 'shardExecute') return executeShardBlock(task, sandbox, registry.infos)
  return runBatch(sandbox, registry.infos, task)
})
