import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { threadId, workerData } from 'node:worker_threads'
import { serveWorker } from '@appchain/core/workers'
import { keccakReady, orderedTrieRoot, keccakReady as stateKeccakReady } from '@appchain/state'
import { type BatchTask, runBatch } from './batch.js'
import { type PackedItems, unpackItems } from './packed.js'
import { type DecodeOptions, decodeItems } from './parallelTx.js'
import type { ProgramSpec } from './program.js'
import { createRegistry } from './registry.js'
import { createSandbox } from './sandbox.js'
import {
  applyShardWrites,
  executeShardBlock,
  type HostShardTask,
  hostShard,
  prepareShardBlock,
  type ShardApplyTask,
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
  | ShardApplyTask

// Each worker compiles the programs into its own sandbox once and keeps it for its lifetime.
const specs = (workerData as { specs: ProgramSpec[] }).specs
const registry = createRegistry(specs)
const sandbox = createSandbox(specs)

// VM_WORKER_PROFILE=dir (diagnostics): each worker samples its CPU from a sharded block's round 1 until its
// round 2's result is sent, and writes it to dir/worker<threadId>.cpuprofile (the last block's).
const profileDir = process.env.VM_WORKER_PROFILE
const profiler = profileDir ? new Session() : undefined
if (profiler) {
  profiler.connect()
  await profiler.post('Profiler.enable')
  await profiler.post('Profiler.setSamplingInterval', { interval: 200 })
}
const writeProfile = async (): Promise<void> => {
  const { profile } = await profiler!.post('Profiler.stop')
  writeFileSync(`${profileDir}/worker${threadId}.cpuprofile`, JSON.stringify(profile))
}

serveWorker(async (task: WorkerTask) => {
  await keccakReady()
  if (profiler && task.op === 'shardPrepare') await profiler.post('Profiler.start')
  if (profiler && task.op === 'shardExecute') {
    const out = await executeShardBlock(task, sandbox, registry.infos)
    setImmediate(writeProfile)
    return out
  }
  if (task.op === 'decode') return decodeItems(task.raws, registry, task.opts)
  if (task.op === 'trieRoot') {
    // The trie hashes with @appchain/state's keccak: WebAssembly once instantiated, 4x slower before.
    await stateKeccakReady()
    return orderedTrieRoot(unpackItems(task))
  }
  if (task.op === 'hostShard') return hostShard(task)
  if (task.op === 'shardPrepare') return prepareShardBlock(task)
  if (task.op === 'shardExecute') return executeShardBlock(task, sandbox, registry.infos)
  if (task.op === 'shardApply') return applyShardWrites(task)
  return runBatch(sandbox, registry.infos, task)
})
