export type {
  NodeConfig,
  NodeDbConfig,
  NodeGenesisConfig,
  NodeRpcConfig,
  NodeSequencerConfig,
  NodeStateDb,
  NodeStateOptions,
} from './config.js'
export { defineConfig } from './config.js'
export { type AppchainNode, CLIENT_VERSION, createNode } from './createNode.js'
export { DEV_BALANCE, type DevAccount, devAccounts, fundAccounts, TEST_MNEMONIC } from './devAccounts.js'
export {
  FilterNotFoundError,
  GenesisMismatchError,
  NodeConfigError,
  NodeStoppedError,
  RpcInvalidParamsError,
  RpcInvalidRequestError,
  RpcLimitExceededError,
  RpcMethodNotFoundError,
  RpcParseError,
} from './errors.js'
export { createLogger, type LoggerConfig } from './logger.js'
export { createNodeMetrics, type NodeMetrics } from './metrics.js'
export {
  createRpcDispatcher,
  defaultLimits,
  type RpcCallContext,
  type RpcConnection,
  type RpcDispatcher,
  type RpcLimits,
  type RpcMethod,
} from './rpc/dispatcher.js'
export { errorCodeTable, RpcErrorCode, toRpcError } from './rpc/errorCodes.js'
export { type RpcServer, type RpcServerConfig, startRpcServer } from './rpc/server.js'
export type { MempoolView, Preconfirmation, SealedBlock, SequencerChain, SequencerHandle } from './seam.js'
export { type ChainStore, createChainStore } from './store/chainStore.js'
