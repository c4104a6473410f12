import type { Address, Db, GasModel, GenesisAlloc, Hex, OrderingPolicy, StateDb, Vm } from '@appchain/core'
import type { MempoolConfig } from '@appchain/sequencer'
import type { LoggerConfig } from './logger.js'
import type { RpcLimits } from './rpc/dispatcher.js'

/** Where the chain lives: a LevelDB directory, memory, or a `Db` you opened yourself. */
export type NodeDbConfig = { path: string; sync?: boolean | undefined } | { inMemory: true } | { db: Db }

export interface NodeRpcConfig {
  /** Default 8545; 0 picks a free port. */
  port?: number | undefined
  /** Default 127.0.0.1. */
  host?: string | undefined
  limits?: RpcLimits | undefined
  /** Allowed browser origins: true/'*' (default), a list, or false. */
  cors?: boolean | string | readonly string[] | undefined
  /** Gated namespaces to turn on: `debug`, `admin`. Off by default. */
  enable?: readonly ('debug' | 'admin')[] | undefined
}

/** What `NodeConfig.state` is given besides the Db. */
export interface NodeStateOptions {
  /** The stored head's state root when resuming a chain; undefined on a fresh chain (before genesis). */
  root: Hex | undefined
}

/** A state for the node: any `StateDb`; its optional `close()` (worker shards, for one) runs when the node stops. */
export type NodeStateDb = StateDb & { close?(): Promise<void> }

export interface NodeSequencerConfig {
  /** Default 250 ms. */
  blockTimeMs?: number | undefined
  /** Default `priorityFee()` from @appchain/sequencer. */
  ordering?: OrderingPolicy | undefined
  /** Block gas limit; default 30,000,000. */
  maxBlockGas?: bigint | undefined
  maxBlockBytes?: number | undefined
  emptyBlocks?: boolean | undefined
  /** Signs preconfirmations with this key (the first dev account in `appchain dev`). */
  preconf?: { privateKey: Hex } | undefined
  /** Mempool caps (see @appchain/sequencer's `MempoolConfig`). */
  mempool?: MempoolConfig | undefined
  coinbase?: Address | undefined
}

export interface NodeGenesisConfig {
  alloc?: GenesisAlloc | undefined
  /** Seconds; default now. Only used when the data directory is empty. */
  timestamp?: bigint | undefined
  coinbase?: Address | undefined
  extraData?: Hex | undefined
}

/** Everything `createNode` and `appchain start` take. */
export interface NodeConfig {
  chainId: number | bigint
  vm: Vm
  gas: GasModel
  sequencer?: NodeSequencerConfig | undefined
  /** Default `{ path: './.appchain' }`. */
  db?: NodeDbConfig | undefined
  /** JSON-RPC server; `false` for none (in-process use through `node.request`). */
  rpc?: NodeRpcConfig | false | undefined
  genesis?: NodeGenesisConfig | undefined
  /**
   * Unsealed transactions across restarts: `'restore'` (default) persists every admitted raw transaction and
   * re-submits it on start; `'drop'` keeps the mempool in memory only.
   */
  mempoolPersistence?: 'restore' | 'drop' | undefined
  logger?: LoggerConfig | undefined
  /**
   * The state store on the node's Db; default: the VM's `openState(db, { root })` when it offers one (the parallel
   * VM with `shardedState`), else `createStateDb({ db })` (or `openStateDb` at the head's root) from @appchain/state. `root` is the stored head's state root when the node resumes a chain (undefined on a fresh
   * one): open the state there. A `close()` on the returned state is called when the node stops (and when its
   * start fails), before the Db closes.
   *
   * @example
   * ```ts
   * import { createShardedStateDb } from '@appchain/state'
   * const config = { state: (db, { root }) => createShardedStateDb({ db, shards: 2, root }) } satisfies Partial<NodeConfig>
   * ```
   */
  state?: ((db: Db, opts: NodeStateOptions) => NodeStateDb | Promise<NodeStateDb>) | undefined
  /** Collect Node.js process metrics too (default true). */
  processMetrics?: boolean | undefined
}

/**
 * Types an `appchain.config.ts`: returns its argument unchanged, with editor help.
 *
 * @example
 * ```ts
 * // appchain.config.ts
 * import { defineConfig } from '@appchain/node'
 * import { evmVm } from '@appchain/vm-evm'
 * import { eip1559 } from '@appchain/gas'
 * export default defineConfig({ chainId: 4242, vm: evmVm(), gas: eip1559(), db: { path: './data/chain' } })
 * ```
 */
export function defineConfig<const T extends NodeConfig>(config: T): T {
  return config
}
