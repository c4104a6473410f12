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
  /** The state store on the node's Db; default `createStateDb({ db })` from @appchain/state. */
  state?: ((db: Db) => StateDb | Promise<StateDb>) | undefined
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
