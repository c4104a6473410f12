export type { NodeConfig, NodeDbConfig, NodeGenesisConfig, NodeRpcConfig, NodeSequencerConfig } from './config.js'
export { defineConfig } from './config.js'
export { type AppchainNode, CLIENT_VERSION, createNode } from './createNode.js'
export { DEV_BALANCE, type DevAccount, TEST_MNEMONIC, devAccounts, fundAccounts } from './devAccounts.js'
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
export { type LoggerConfig, createLogger } from './logger.js'
export { type NodeMetrics, createNodeMetrics } from './metrics.js'
export {
  type RpcCallContext,
  type RpcConnection,
  type RpcDispatcher,
  type RpcLimits,
  type RpcMethod,
  createRpcDispatcher,
  defaultLimits,
} from './rpc/dispatcher.js'
export { RpcErrorCode, errorCodeTable, toRpcError } from './rpc/errorCodes.js'
export { type RpcServer, type RpcServerConfig, startRpcServer } from './rpc/server.js'
export type { MempoolView, Preconfirmation, SealedBlock, SequencerChain, SequencerHandle } from './seam.js'
export { type ChainStore, createChainStore } from './store/chainStore.js'
